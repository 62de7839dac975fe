import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ModelManifest } from '../../../model/manifest.ts';
import type { Inference } from '../../../model/runtime/inference.ts';
import { servingPredictor } from '../../../model/runtime/serving-predictor.ts';
import { inputSeries } from '../../../model/spec.ts';
import { Rng } from '../../../shared/random.ts';
import { type ConditionConfig, conditionAll } from '../../../shared/signal/condition.ts';
import { computeStats } from '../../../shared/signal/normalise.ts';
import { sessionModel, type WarmupStats as WarmupStatsT, WarmupStats } from '../../../server/session/live-normalisation.ts';

const root = join(import.meta.dirname, '..', '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'trained-models', 'friction', 'manifest.json'), 'utf8')) as ModelManifest;

/** An inference runtime that returns the same fixed outputs every call (fresh arrays). */
function fixedInference(seed: number): Inference {
  const rng = new Rng(seed);
  const size = manifest.ced.scales * manifest.ced.samples;
  const scalogram = Float32Array.from({ length: 64 * size }, () => rng.normal());
  const means = Float32Array.from({ length: 64 }, () => rng.normal());
  return { name: 'fixed', run: async (_x: Float32Array, n: number) => [scalogram.slice(0, n * size), means.slice(0, n)], dispose: async () => {} } as unknown as Inference;
}

test('a session model is exactly the model served with the session statistics (input z-score and output de-normalisation)', async () => {
  const session = { input: { mean: -1.7, std: 0.3 }, output: { mean: 0.55, std: 0.012 }, source: { input: 'session warm-up', output: 'measured friction' }, warmupS: 30 } as const;
  const wrapped = sessionModel({ manifest, infer: servingPredictor(fixedInference(1), manifest) }, session);
  const direct = servingPredictor(fixedInference(1), { ...manifest, input: { ...manifest.input, stats: session.input }, output: { stats: session.output } });
  assert.deepEqual(wrapped.manifest.input.stats, session.input, 'the pipeline z-scores with the session input statistics');
  const x = new Float32Array(3 * manifest.ced.scales * manifest.ced.samples);
  const [a, b] = [await wrapped.infer(x, 3), await direct(x, 3)];
  assert.equal(a.series.length, b.series.length);
  for (let i = 0; i < a.series.length; i++) assert.ok(Math.abs(a.series[i] - b.series[i]) < 1e-5, `sample ${i}: ${a.series[i]} vs ${b.series[i]}`);
  assert.ok(Math.abs(a.series.reduce((s, v) => s + v, 0) / a.series.length - 0.55) < 0.05, 'predictions sit at the session friction level');
});

test('warm-up statistics: the conditioned log10 AE of the first seconds, friction from the measured channel, else the manifest (labelled)', () => {
  const rng = new Rng(2);
  const aeRateHz = 10_000;
  const ae = Float32Array.from({ length: 40 * aeRateHz }, (_, i) => rng.normal() * 300 * (1 + 0.5 * Math.sin(i / 20_000)));
  const condition: ConditionConfig = { inputRateHz: aeRateHz, outputRateHz: 100, mode: 'envelope', channels: 1, channelScales: [1e-4] };
  const model = { manifest, infer: servingPredictor(fixedInference(3), manifest) };
  const w = new WarmupStats(model, condition, 20);
  for (let i = 0; i < ae.length && !w.ready; i += 1234) w.pushAe(i, [ae.subarray(i, i + 1234)]);
  assert.ok(w.ready);
  const expected = computeStats(inputSeries(conditionAll(condition, [ae]).values.subarray(0, 2000), true));
  const r = w.result();
  assert.ok(Math.abs(r.input.mean - expected.mean) < 1e-9 && Math.abs(r.input.std - expected.std) < 1e-9, `${JSON.stringify(r.input)} vs ${JSON.stringify(expected)}`);
  assert.deepEqual(r.source, { input: 'session warm-up', output: 'manifest' });
  assert.deepEqual(r.output, manifest.output.stats);
  w.pushFriction(Float32Array.from({ length: 1000 }, (_, i) => 0.55 + 0.01 * Math.sin(i / 10)));
  const m = w.result();
  assert.equal(m.source.output, 'measured friction');
  assert.ok(Math.abs(m.output.mean - 0.55) < 1e-3 && Math.abs(m.output.std - 0.01 / Math.SQRT2) < 1e-3);
});

test('a session with live normalisation holds its AE through the warm-up, then predicts every sample once under its own statistics', async () => {
  const { SessionPredictor } = await import('../../../server/session/monitor.ts');
  const { predictionPipeline } = await import('../../../pipeline/pipeline.ts');
  const { firstValueFrom, from, toArray } = await import('rxjs');
  const rng = new Rng(4);
  const aeRateHz = 1000;
  const frameN = 100;
  const ae = Float32Array.from({ length: 30 * aeRateHz }, (_, i) => rng.normal() * 500 * (1 + 0.5 * Math.sin(i / 3000)));
  const mu = Float32Array.from({ length: 30 * 100 }, (_, i) => 0.55 + 0.01 * Math.sin(i / 50));
  const start = { type: 'start', protocol: 1, session: 's', experimentId: 'x', aeRateHz, aeType: 'float32', aeChannels: [{ name: 'ae0', unit: 'V', scale: 1e-4 }], mech: { rateHz: 100, channels: ['mu'] } } as const;
  const model = { manifest, infer: servingPredictor(fixedInference(5), manifest) };
  const frames: { startIndex: number; mean: Float32Array }[] = [];
  const p = new SessionPredictor(start as never, [model], (f) => f.type === 'prediction' && frames.push({ startIndex: f.startIndex, mean: f.mean }), (e) => assert.fail(String(e)), () => false, null, { warmupS: 10 });
  assert.deepEqual(p.normalisation.friction, { source: 'warming up', warmupS: 10 });
  for (let k = 0; k * frameN < ae.length; k++) {
    p.push({ type: 'data', session: 's', seq: k, aeStartIndex: k * frameN, ae: [ae.subarray(k * frameN, (k + 1) * frameN)], mech: { startIndex: k * 10, values: { mu: mu.subarray(k * 10, (k + 1) * 10) } } } as never);
    if (k === 50) assert.equal(frames.length, 0, 'nothing is predicted during the warm-up');
  }
  await p.end();
  const stats = p.normalisation.friction as unknown as ReturnType<WarmupStatsT["result"]>;
  assert.deepEqual(stats.source, { input: 'session warm-up', output: 'measured friction' });
  // the reference: the whole stream through the pipeline under the same statistics
  const chunks = Array.from({ length: ae.length / frameN }, (_, k) => ({ startIndex: k * frameN, channels: [ae.subarray(k * frameN, (k + 1) * frameN)] }));
  const ref = await firstValueFrom(from(chunks).pipe(predictionPipeline({ aeRateHz, channelScales: [1e-4], model: sessionModel(model, stats) }), toArray()));
  const got = frames.flatMap((f) => Array.from(f.mean, (v, i) => [f.startIndex + i, v] as const));
  const want = ref.flatMap((f) => Array.from(f.mean, (v, i) => [f.startIndex + i, v] as const));
  assert.equal(got.length, want.length, 'every sample once: none lost or duplicated across the warm-up');
  got.forEach(([i, v], k) => assert.ok(i === want[k][0] && Math.abs(v - want[k][1]) < 1e-6, `sample ${i}`));
  assert.ok(Math.abs(got.reduce((s, [, v]) => s + v, 0) / got.length - 0.55) < 0.05, 'at the measured friction level');
});
