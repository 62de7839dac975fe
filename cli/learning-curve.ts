/**
 * npm run learning-curve -- --pretrained DIR [options]
 * Seed 003's question on seed 000's data: how does friction error fall with the amount of lab
 * training data, for each strategy of the curve (training/strategies.ts)? Writes the JSON file
 * after every run, so an interrupted run keeps what it finished.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type CliSpec, CliError, numberOption, parseCli, runCli } from './args.ts';
import { loadModel } from '../model/io.ts';
import { modelSpec } from '../model/spec.ts';
import { BACKENDS, initBackend } from '../model/tfjs/backend.ts';
import { curvePoint, type CurvePoint } from '../training/curve.ts';
import { conditionRecording, makeWindows, normalisationOver } from '../training/dataset.ts';
import { presetById } from '../training/presets.ts';
import { splitRange } from '../training/splits.ts';
import { CURVE_STRATEGIES, type CurveStrategy } from '../training/strategies.ts';

const NAMES = Object.keys(CURVE_STRATEGIES) as CurveStrategy[];
/** What the points mean; a file of another protocol is never resumed. */
const PROTOCOL = 'p4677 last 60 %, friction MAPE (serving path); every seed draws its own training cycles';

const SPEC = {
  command: 'npm run learning-curve',
  summary: `Learning curves: friction MAPE on the p4677 test split (last 60 %), scored through the serving path,\nagainst the amount of lab training data, for ${NAMES.join(', ')}.\nEvery seed draws its own cycles from the training part (a bootstrap at all cycles). Seed 003's autoencoders: cli/ae-learning-curve.ts.`,
  usage: 'npm run learning-curve -- --pretrained DIR [options]',
  options: {
    pretrained: { type: 'string', value: 'DIR', doc: 'the CED pre-trained on the simulation (required)' },
    recordings: { type: 'string', value: 'DIR', default: join(import.meta.dirname, '..', 'data', 'recordings'), doc: 'recordings' },
    cycles: { type: 'string', value: 'LIST', default: '0.5,1,2,4,6', doc: 'amounts of training data in cycles' },
    seeds: { type: 'string', value: 'LIST', default: '1,2,3', doc: 'seeds' },
    strategies: { type: 'string', value: 'LIST', default: NAMES.join(','), doc: `subset of ${NAMES.join(',')}` },
    epochs: { type: 'string', value: 'N', default: '25', doc: 'most epochs per run' },
    patience: { type: 'string', value: 'N', default: '5', doc: 'early-stopping patience' },
    out: { type: 'string', value: 'FILE', default: join(import.meta.dirname, '..', 'docs', 'learning-curve.json'), doc: 'JSON results; existing points are kept' },
    backend: { type: 'string', value: 'B', default: 'auto', choices: ['auto', ...BACKENDS], doc: 'tfjs backend' },
  },
} satisfies CliSpec;

const list = (flag: string, raw: string) => raw.split(',').map((x) => numberOption(flag, x, { min: Number.MIN_VALUE }));

async function main(): Promise<void> {
  const { values: v } = parseCli(SPEC);
  if (!v.pretrained) throw new CliError('--pretrained DIR is required (see --help)');
  const strategies = v.strategies.split(',') as CurveStrategy[];
  for (const s of strategies) if (!NAMES.includes(s)) throw new CliError(`unknown strategy "${s}"; valid: ${NAMES.join(', ')}`);
  const [cycles, seeds] = [list('cycles', v.cycles), list('seeds', v.seeds)];
  const epochs = numberOption('epochs', v.epochs, { min: 1, integer: true });
  const patience = numberOption('patience', v.patience, { min: 1, integer: true });
  const out = resolve(v.out);
  const old = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as { test?: string; points: CurvePoint[] }) : null;
  if (old && old.test !== PROTOCOL) throw new CliError(`${out} holds points of another protocol ("${old.test}"); choose another --out`);
  const points: CurvePoint[] = old?.points ?? [];

  console.error((await initBackend(v.backend as 'auto')).summary);
  const preset = presetById('2s');
  const dir = join(resolve(v.recordings), 'p4677');
  const rec = await conditionRecording(dir, preset.sampleRateHz);
  const val = makeWindows(rec, splitRange(rec, 'lab', 'validation'), modelSpec({ preset, ...normalisationOver(rec, splitRange(rec, 'lab', 'train'), 'friction') }), 'friction');
  const setup = { rec, dir, preset, epochs, patience, pretrained: async () => (await loadModel(resolve(v.pretrained!))).model };
  for (const seed of seeds) {
    for (const c of cycles) {
      for (const strategy of strategies) {
        if (points.some((p) => p.strategy === strategy && p.cycles === c && p.seed === seed)) continue;
        const p = await curvePoint(setup, strategy, c, seed, val);
        points.push(p);
        writeFileSync(out, `${JSON.stringify({ test: PROTOCOL, points }, null, 1)}\n`);
        console.error(`${strategy.padEnd(12)} ${String(c).padStart(4)} cycles seed ${seed}: ${p.trainWindows} windows, MAPE ${p.mapePct.toFixed(3)} %, ${p.epochs} epochs, ${p.seconds.toFixed(0)} s`);
      }
    }
  }
}

if (process.argv[1] === import.meta.filename) runCli(SPEC.command, main);
