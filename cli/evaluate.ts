/**
 * npm run evaluate [-- options]
 * Scores models through the serving path and writes docs/results.md and docs/results.json. With
 * no arguments it scores data/models when trained models are there, and the shipped models in
 * trained-models/ otherwise. It never writes empty tables: no model or no recording, no write.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { type CliSpec, parseCli, runCli } from './args.ts';
import { loadModel } from '../model/io.ts';
import { RUNTIMES } from '../model/runtime/inference.ts';
import { BACKENDS, initBackend } from '../model/tfjs/backend.ts';
import { readRecordingMeta } from '../recording/recording.ts';
import type { CurvePoint } from '../training/curve.ts';
import { renderResults } from '../training/report.ts';
import { Evaluation, type ScoreRow } from '../training/results.ts';
import type { SpanResult } from '../training/alert-results.ts';
import { evaluateAlerting } from '../training/alert-evaluation.ts';
import { evaluateSpans, renderSpanEvaluation } from '../training/span-evaluation.ts';
import { parseSpan } from '../training/spans.ts';

const ROOT = join(import.meta.dirname, '..');
const SPEC = {
  command: 'npm run evaluate',
  summary: 'Score models through the serving path (served normalisation as headline) and write results.md and results.json.',
  options: {
    models: { type: 'string', value: 'DIR', doc: 'trained models, one folder each (default data/models if it holds any, else trained-models)' },
    recordings: { type: 'string', value: 'DIR', default: join(ROOT, 'data', 'recordings'), doc: 'recordings (npm run fixtures -- p4677 p4581 sim)' },
    curve: { type: 'string', value: 'FILES', default: join(ROOT, 'docs', 'learning-curve.json'), doc: 'learning-curve points, comma-separated files' },
    out: { type: 'string', value: 'DIR', default: join(ROOT, 'docs'), doc: 'where results.md and results.json go' },
    backend: { type: 'string', value: 'B', default: 'auto', choices: ['auto', ...BACKENDS], doc: 'tfjs backend' },
    runtime: { type: 'string', value: 'R', default: 'auto', choices: ['auto', ...RUNTIMES], doc: 'inference runtime' },
    on: { type: 'string', value: 'NAME[@FROM-TO],...', doc: 'alert spans: recordings (p4677: its test part; stepped loads: each level; else whole), or seconds FROM-TO (default p4677,p4581,irregular)' },
    json: { type: 'string', value: 'FILE', doc: 'results JSON (default OUT/results.json)' },
    alerting: { type: 'string', value: 'DIR', default: join(ROOT, 'trained-models', 'alerting'), doc: 'the alerting model (npm run fit-alerts)' },
    'alerts-only': { type: 'boolean', doc: 'score the forecaster and baselines only (no CED models)' },
    'test-on': { type: 'string', value: 'REC[@FROM-TO],...', doc: 'score --models on these spans of any recordings (seconds or percent, e.g. mylab@40-100%), print a table, write JSON only with --json; results.md untouched' },
    'no-alerts': { type: 'boolean', doc: 'with --test-on: skip the alerting forecaster and its baselines' },
  },
} satisfies CliSpec;

const modelDirs = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((d) => existsSync(join(dir, d, 'manifest.json'))).sort().map((d) => join(dir, d)) : []);

/** The models to score: --models, else data/models if it has any, else the shipped ones. */
function chooseModels(flag: string | undefined): string {
  if (flag) return resolve(flag);
  const trained = join(ROOT, 'data', 'models');
  return modelDirs(trained).length ? trained : join(ROOT, 'trained-models');
}

function generatorOf(recordings: string, id: string): string {
  const s = readRecordingMeta(join(recordings, id)).source as { name?: string; version?: number; kind?: string };
  return s.name ? `${s.name} v${s.version ?? '?'}` : (s.kind ?? 'unknown');
}

/** The sections of results.md no command regenerates (seed 003's, from its own CLIs), kept as they are. */
const HAND_WRITTEN_FROM = '\n## Seed 003: self-supervised autoencoders';
function handWritten(path: string): string {
  const old = existsSync(path) ? readFileSync(path, 'utf8') : '';
  const k = old.indexOf(HAND_WRITTEN_FROM);
  return k >= 0 ? old.slice(k) : '';
}

async function main(): Promise<void> {
  const { values: v } = parseCli(SPEC);
  const recordings = resolve(v.recordings);
  if (v['test-on']) return testOn(v, recordings);
  // the models are checked before any work, so a fresh clone without them learns that first
  const dirs = v['alerts-only'] ? [] : modelsToScore(v.models);
  const alerting = await evaluateAlerting(resolve(v.alerting), recordings, v.on ?? 'p4677,p4581,irregular');
  const rows = v['alerts-only'] ? [] : await scoreCeds(v, dirs, recordings);
  const curve: CurvePoint[] = v.curve
    .split(',')
    .filter((f) => existsSync(f))
    .flatMap((f) => (JSON.parse(readFileSync(f, 'utf8')) as { points: CurvePoint[] }).points);
  const ctx = {
    models: relative(ROOT, chooseModels(v.models)) || v.models || '',
    generators: Object.fromEntries(['p4677', 'p4581', 'sim', 'irregular'].filter((id) => existsSync(join(recordings, id, 'recording.json'))).map((id) => [id, generatorOf(recordings, id)])),
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim(),
    inference: `onnxruntime when installed, else tfjs (--runtime ${v.runtime})`,
  };
  const out = resolve(v.out);
  const json = v.json ? resolve(v.json) : join(out, 'results.json');
  writeFileSync(json, `${JSON.stringify({ ...ctx, recordings: byRecording(alerting.results, rows), alerting, scores: rows, learningCurve: curve }, null, 1)}\n`);
  // results.md only with the CED models' tables too (never a half report)
  if (rows.length) writeFileSync(join(out, 'results.md'), renderResults(rows, curve, ctx, alerting) + handWritten(join(out, 'results.md')));
  console.error(`wrote ${json} (${alerting.results.length} alert spans, ${rows.length} model rows)`);
}

/** --test-on: any recordings' spans, a printed table, no report files. */
async function testOn(v: ReturnType<typeof parseCli<typeof SPEC>>['values'], recordings: string): Promise<void> {
  const spans = v['test-on']!.split(',').filter(Boolean).map((t) => parseSpan(t, recordings));
  const models = chooseModels(v.models);
  const dirs = modelDirs(models);
  if (dirs.length === 0) throw new Error(`no trained models in ${models} (pass --models DIR)`);
  console.error((await initBackend(v.backend as 'auto')).summary);
  const e = await evaluateSpans(dirs, spans, { runtime: v.runtime as 'auto', alerting: v['no-alerts'] ? null : resolve(v.alerting), log: (l) => console.error(l) });
  for (const line of renderSpanEvaluation(e)) console.log(line);
  if (v.json) writeFileSync(resolve(v.json), `${JSON.stringify({ models: dirs, spans: spans.map((s) => s.text), ...e }, null, 1)}\n`);
  if (e.scores.length === 0) throw new Error(`no model could be scored on ${spans.map((s) => s.text).join(', ')}`);
}

/** Per recording span: the forecaster's and the baselines' alerts and TTF, and the CED models' served scores there. */
function byRecording(results: SpanResult[], rows: ScoreRow[]) {
  return results.map((r) => ({
    ...r,
    models: Object.fromEntries(rows.filter((x) => x.testedOn === r.testedOn.replace(' test', ' test')).map((x) => [x.model, x.target === 'ttf' ? { ttf: { r2: x.served.r2, maeS: x.served.mae } } : { friction: { r2: x.served.r2, mape: x.served.mapePct, mae: x.served.mae } }])),
  }));
}

/** The model folders to score, or a one-line error when there are none. */
function modelsToScore(chosen: string | undefined): ReturnType<typeof modelDirs> {
  const models = chooseModels(chosen);
  const dirs = modelDirs(models);
  if (dirs.length === 0) throw new Error(`no trained models in ${models} (train with scripts/train-all.sh, or pass --models DIR); results left unchanged`);
  return dirs;
}

async function scoreCeds(v: ReturnType<typeof parseCli<typeof SPEC>>['values'], dirs: ReturnType<typeof modelDirs>, recordings: string): Promise<ScoreRow[]> {
  for (const id of ['p4677', 'p4581'])
    if (!existsSync(join(recordings, id, 'recording.json'))) throw new Error(`${join(recordings, id)} is missing: run npm run fixtures -- p4677 p4581 sim first; results left unchanged`);
  console.error((await initBackend(v.backend as 'auto')).summary);
  const ev = new Evaluation(recordings, v.runtime as 'auto', (l) => console.error(l));
  const rows: ScoreRow[] = [];
  const baselineDone = new Set<string>();
  for (const dir of dirs) {
    const { model, manifest } = await loadModel(dir);
    if (manifest.input.conditioning !== 'envelope' && !existsSync(join(recordings, 'sim', 'recording.json'))) {
      console.error(`${manifest.name}: skipped (needs data/recordings/sim)`);
      continue;
    }
    rows.push(...(await ev.scoreModel(model, manifest)));
    const key = `${manifest.target}/${manifest.input.conditioning}/${manifest.preset.id}`;
    if (!baselineDone.has(key)) {
      baselineDone.add(key);
      rows.push(...(await ev.constantBaseline(manifest)));
      if (manifest.target === 'friction' && manifest.input.conditioning === 'envelope') rows.push(...(await ev.references(manifest)));
    }
    model.dispose();
  }
  if (rows.length === 0) throw new Error('no model could be scored; results left unchanged');
  return rows;
}

if (process.argv[1] === import.meta.filename) runCli(SPEC.command, main);
