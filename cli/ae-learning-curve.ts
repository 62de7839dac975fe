/**
 * npm run ae-learning-curve [options]
 * Seed 003's learning curves on p4677: friction and TTF (R^2) and slip within H (ROC AUC) on the
 * test part (last 60 %), against the amount of labelled data from the training part (first 20 %),
 * for every row of training/ae-strategies.ts. Writes OUT.json after every run (a rerun resumes),
 * then OUT.svg and OUT.md.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type CliSpec, CliError, numberOption, parseCli, runCli } from './args.ts';
import type { AppTask } from '../model/autoencoder.ts';
import { loadModel } from '../model/io.ts';
import { BACKENDS, initBackend } from '../model/tfjs/backend.ts';
import { type AeCurvePoint, type CurveData, curvePoint, summarise, trainingCycles } from '../training/ae-curve.ts';
import { taskWindows } from '../training/ae-data.ts';
import { curveSvg, curveTable, type Reference } from '../training/ae-plot.ts';
import { servedScore } from '../training/ae-served.ts';
import { targetScaleOf } from '../training/ae-scores.ts';
import { CURVE_ROWS, type CurveRowName } from '../training/ae-strategies.ts';
import { conditionRecording } from '../training/dataset.ts';
import { presetById } from '../training/presets.ts';
import { splitRange } from '../training/splits.ts';

const TASKS: AppTask[] = ['friction', 'ttf', 'slip'];
const DATA = join(import.meta.dirname, '..', 'data');

const SPEC = {
  command: 'npm run ae-learning-curve',
  summary: `Seed 003's learning curves on p4677 (test: last 60 %): ${TASKS.join(', ')} against labelled cycles, for ${CURVE_ROWS.join(', ')}.\nEach run draws its own training data and initialisation. --small is a quick budget (2 runs, 2 amounts, 3 rows).`,
  options: {
    recordings: { type: 'string', value: 'DIR', default: join(DATA, 'recordings'), doc: 'recordings (p4677 is the labelled one)' },
    autoencoders: { type: 'string', value: 'DIR', default: join(DATA, 'models'), doc: 'where cli/ae-pretrain.ts saved ae-<kind>-d3' },
    ced: { type: 'string', value: 'PREFIX', default: join(DATA, 'models', 'pretrain-'), doc: 'the simulation-pretrained CEDs: PREFIXfriction, PREFIXttf' },
    rows: { type: 'string', value: 'LIST', default: CURVE_ROWS.join(','), doc: 'rows to run' },
    tasks: { type: 'string', value: 'LIST', default: TASKS.join(','), doc: 'tasks to run' },
    cycles: { type: 'string', value: 'LIST', default: '0.5,2,all', doc: 'labelled data in cycles ("all": every training cycle, bootstrapped)' },
    runs: { type: 'string', value: 'N', default: '5', doc: 'runs per point (each: its own data draw and initialisation)' },
    'horizon-s': { type: 'string', value: 'S', default: '2', doc: 'H of "slip within the next H seconds"' },
    visits: { type: 'string', value: 'N', default: '300', doc: 'window visits per run (epochs = N / windows, capped)' },
    'max-epochs': { type: 'string', value: 'N', default: '30', doc: 'most epochs per run' },
    'min-epochs': { type: 'string', value: 'N', default: '4', doc: 'fewest epochs per run (unless early stopping ends it)' },
    patience: { type: 'string', value: 'N', default: '20', doc: 'early-stopping patience (seed 003: 20)' },
    small: { type: 'boolean', default: false, doc: 'quick budget: 2 runs, cycles 0.5,all, rows over-frozen,scratch,ced-transfer, 100 visits' },
    served: { type: 'string', value: 'DIR', default: join(import.meta.dirname, '..', 'trained-models'), doc: 'the served models (DIR/friction, DIR/ttf): a reference line on the same windows' },
    merge: { type: 'string', value: 'JSON,...', doc: 'no training: merge these result files (runs split across processes) into PREFIX.*' },
    out: { type: 'string', value: 'PREFIX', default: join(import.meta.dirname, '..', 'docs', 'learning-curve-ae'), doc: 'writes PREFIX.json, PREFIX.svg, PREFIX.md' },
    backend: { type: 'string', value: 'B', default: 'auto', choices: ['auto', ...BACKENDS], doc: 'tfjs backend' },
  },
} satisfies CliSpec;

function listOf<T extends string>(flag: string, raw: string, valid: readonly T[]): T[] {
  const xs = raw.split(',') as T[];
  for (const x of xs) if (!valid.includes(x)) throw new CliError(`--${flag}: unknown "${x}"; valid: ${valid.join(', ')}`);
  return xs;
}

/** PREFIX.svg and PREFIX.md from the points, and the table on stdout. */
function render(out: string, points: AeCurvePoint[], horizonS: number, served: Reference): void {
  const summaries = summarise(points);
  const usedRows = CURVE_ROWS.filter((r) => points.some((p) => p.row === r)) as CurveRowName[];
  writeFileSync(`${out}.svg`, curveSvg(summaries, usedRows, `p4677, test = last 60 %; mean +- 1 std over runs (own data draw + init each); slip within ${horizonS} s`, served));
  writeFileSync(`${out}.md`, curveTable(summaries, usedRows, served));
  console.log(curveTable(summaries, usedRows, served));
}

/** The points of an earlier run of the same protocol (a rerun resumes it); another protocol is refused. */
function resumable(file: string, protocol: object): AeCurvePoint[] {
  if (!existsSync(file)) return [];
  const old = JSON.parse(readFileSync(file, 'utf8')) as { protocol: object; points: AeCurvePoint[] };
  if (JSON.stringify(old.protocol) !== JSON.stringify(protocol)) throw new CliError(`${file} holds a run with another protocol or budget; choose another --out`);
  return old.points;
}

/** Merge result files: one protocol (they must agree), every point once. */
function merge(files: string[], out: string): void {
  const parts = files.map((f) => {
    if (!existsSync(f)) throw new CliError(`no results at ${f}`);
    return JSON.parse(readFileSync(f, 'utf8')) as { protocol: { horizonS: number; budget: object }; served?: Reference; points: AeCurvePoint[] };
  });
  for (const p of parts) if (JSON.stringify(p.protocol.budget) !== JSON.stringify(parts[0].protocol.budget) || p.protocol.horizonS !== parts[0].protocol.horizonS) throw new CliError('the files were run with different budgets or horizons');
  const seen = new Set<string>();
  const points = parts.flatMap((p) => p.points).filter((p) => !seen.has(`${p.row}|${p.task}|${p.cycles}|${p.run}`) && !!seen.add(`${p.row}|${p.task}|${p.cycles}|${p.run}`));
  const served = parts.find((p) => p.served)?.served ?? {};
  writeFileSync(`${out}.json`, `${JSON.stringify({ protocol: parts[0].protocol, served, points }, null, 1)}\n`);
  render(out, points, parts[0].protocol.horizonS, served);
}

async function main(): Promise<void> {
  const { values: v } = parseCli(SPEC);
  if (v.merge) return merge(v.merge.split(',').map((f) => resolve(f)), resolve(v.out));
  const small = v.small;
  const rows = listOf('rows', small ? 'over-frozen,scratch,ced-transfer' : v.rows, CURVE_ROWS);
  const tasks = listOf('tasks', v.tasks, TASKS);
  const runs = small ? 2 : numberOption('runs', v.runs, { min: 1, integer: true });
  const horizonS = numberOption('horizon-s', v['horizon-s'], { min: 0.01 });
  const budget = {
    visits: small ? 100 : numberOption('visits', v.visits, { min: 1, integer: true }),
    maxEpochs: numberOption('max-epochs', v['max-epochs'], { min: 1, integer: true }),
    minEpochs: numberOption('min-epochs', v['min-epochs'], { min: 1, integer: true }),
    patience: numberOption('patience', v.patience, { min: 1, integer: true }),
  };
  // a quick run never resumes from (or overwrites) the committed curve unless told to
  const out = resolve(small && !process.argv.includes('--out') ? join(DATA, 'learning-curve-ae-small') : v.out);
  const dir = join(resolve(v.recordings), 'p4677');
  if (!existsSync(dir)) throw new CliError(`no recording at ${dir} (npm run fixtures)`);
  console.error((await initBackend(v.backend as 'auto')).summary);
  const preset = presetById('2s');
  const rec = await conditionRecording(dir, preset.sampleRateHz);
  const cycles = trainingCycles(rec);
  const amounts = (small ? '0.5,all' : v.cycles).split(',').map((c) => (c === 'all' ? cycles.length : numberOption('cycles', c, { min: 0.01, max: cycles.length })));
  // training windows every 0.4 s, validation every 2 s, test every 1.2 s: overlapping 2 s windows
  // repeat each other, and this machine's budget goes to more runs rather than more similar windows
  const train = taskWindows(rec, splitRange(rec, 'lab', 'train'), preset, horizonS, 2);
  const val = taskWindows(rec, splitRange(rec, 'lab', 'validation'), preset, horizonS, 10);
  const test = taskWindows(rec, splitRange(rec, 'lab', 'test'), preset, horizonS, 6);
  const scales = Object.fromEntries(TASKS.map((t) => [t, targetScaleOf(t, train.targets[t])])) as CurveData['ae']['scales'];
  const data: CurveData = {
    rec,
    train,
    val,
    test,
    cycles,
    ae: { autoencoderDir: (kind) => join(resolve(v.autoencoders), `ae-${kind}-d3`), scales, budget },
    ced: { rec, preset, budget, pretrained: async (target) => (await loadModel(resolve(`${v.ced}${target}`))).model },
  };
  const protocol = { recording: rec.id, trainPart: 'first 20 % (lab split)', test: `last 60 %, ${test.count} windows every 1.2 s`, horizonS, trainingCycles: cycles.length, budget, windowsEvery: { train: 0.4, validation: 2, test: 1.2 } };
  const points = resumable(`${out}.json`, protocol);
  const served: Reference = {};
  for (const task of tasks) served[task] = await servedScore((t) => join(resolve(v.served), t), task, rec, splitRange(rec, 'lab', 'test'), test);
  console.error(`served CEDs on the same test windows: ${JSON.stringify(served)}`);
  const t0 = performance.now();
  for (let run = 1; run <= runs; run++) {
    for (const amount of amounts) {
      for (const task of tasks) {
        for (const row of rows) {
          if (points.some((p) => p.row === row && p.task === task && p.cycles === amount && p.run === run)) continue;
          const p = await curvePoint(data, row, task, amount, run);
          points.push(p);
          writeFileSync(`${out}.json`, `${JSON.stringify({ protocol, served, points }, null, 1)}\n`);
          console.error(`run ${run} ${String(amount).padStart(4)} cycles ${task.padEnd(8)} ${row.padEnd(20)} ${p.trainWindows} windows: ${p.score.toFixed(3)} (${p.epochs} epochs, ${p.seconds.toFixed(1)} s; ${((performance.now() - t0) / 1000).toFixed(0)} s total)`);
        }
      }
    }
  }
  render(out, points, horizonS, served);
}

if (process.argv[1] === import.meta.filename) runCli(SPEC.command, main);
