/**
 * Datasets on the committed p4677-mini recording: alignment, time-to-failure labels, windows
 * through the model spec, and the spec's reconstruction with perfect outputs.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { initBackend } from '../../model/tfjs/backend.ts';
import { type ConditionedRecording, conditionRecording, makeWindows, normalisationOver, truthOf } from '../../training/dataset.ts';
import { averageWindows, scoreOver } from '../../training/evaluate.ts';
import { modelSpec } from '../../model/spec.ts';
import { cwtPlanFor } from '../../shared/signal/window-preset.ts';
import { presetById } from '../../training/presets.ts';

const MINI = join(import.meta.dirname, '..', '..', 'fixtures', 'data', 'p4677-mini');
let rec: ConditionedRecording;
before(async () => {
  await initBackend('wasm');
  rec = await conditionRecording(MINI, 100);
});

test('AE, friction and time to failure come out aligned at the preset rate', () => {
  assert.equal(rec.rateHz, 100);
  assert.equal(rec.ae.length, rec.mu.length);
  assert.equal(rec.ttf.length, rec.mu.length);
  assert.ok(rec.ae.length > 3800 && rec.ae.length <= 4000, `${rec.ae.length} samples for 40 s`);
  assert.equal(rec.conditioning, 'envelope');
  assert.equal(rec.failuresS.length, 5);
  // TTF falls one second per second between failures and is undefined after the last
  for (let k = 1; k < rec.ttf.length; k++) {
    const t = (rec.startIndex + k) / 100;
    if (t > rec.failuresS[rec.failuresS.length - 1]) {
      assert.ok(Number.isNaN(rec.ttf[k]));
      continue;
    }
    const jump = rec.failuresS.some((f) => f >= t - 0.01 && f < t);
    if (!jump) assert.ok(Math.abs(rec.ttf[k] - rec.ttf[k - 1] + 0.01) < 1e-4, `ttf at ${t} s`);
  }
  // friction is high just before each failure and low just after
  for (const f of rec.failuresS) {
    const k = Math.round(f * 100) - rec.startIndex;
    if (k < 10 || k + 10 >= rec.mu.length) continue;
    assert.ok(rec.mu[k - 5] - rec.mu[k + 10] > 0.01, `drop at ${f} s`);
  }
});

test('windows: on the grid, scalograms of the normalised series, undefined targets left out', () => {
  const preset = presetById('2s');
  const range: [number, number] = [0, rec.ae.length];
  const norm = normalisationOver(rec, range, 'friction');
  const stats = { output: norm.output.stats };
  const w = makeWindows(rec, range, modelSpec({ preset, ...norm }), 'friction');
  const firstOnGrid = Math.ceil(rec.startIndex / 20) * 20;
  assert.equal(w.count, Math.floor((rec.startIndex + range[1] - firstOnGrid - 200) / 20) + 1);
  assert.equal(w.starts[0], firstOnGrid);
  assert.ok(w.starts.every((s) => s % 20 === 0), 'on the absolute grid');
  // one window recomputed by hand
  const k = 7;
  const s = w.starts[k] - rec.startIndex;
  const z = Float64Array.from(rec.mu.subarray(s, s + 200), (v) => (v - stats.output.mean) / stats.output.std);
  const expected = new Float32Array(64 * 200);
  cwtPlanFor(preset).transform(z, expected);
  assert.deepEqual(w.y.subarray(k * 12800, (k + 1) * 12800), expected);
  const ttf = makeWindows(rec, range, modelSpec({ preset, ...normalisationOver(rec, [0, 2000], 'ttf') }), 'ttf');
  assert.ok(ttf.count < w.count, 'windows after the last failure have no TTF');
  assert.ok(ttf.x.every(Number.isFinite) && ttf.y.every(Number.isFinite));
});

test("the spec's reconstruction with perfect outputs: every sample once; window means are what make R^2 high", async () => {
  const preset = presetById('2s');
  const range: [number, number] = [0, rec.ae.length];
  const spec = modelSpec({ preset, ...normalisationOver(rec, range, 'friction') });
  const w = makeWindows(rec, range, spec, 'friction');
  const size = w.scales * w.samples;
  // an oracle that returns the true scalograms, with the true window means or with zeros
  const oracle = (withMeans: boolean) =>
    averageWindows(
      w.starts.map((startIndex, k) => ({ startIndex, series: spec.reconstruct([w.y.slice(k * size, (k + 1) * size), Float32Array.of(withMeans ? w.yMean[k] : 0)]) })),
      w.samples,
    );
  const p = await oracle(true);
  assert.equal(p.startIndex, w.starts[0]);
  assert.equal(p.mean.length, w.starts[w.count - 1] + 200 - w.starts[0]);
  assert.equal(p.count[0], 1);
  assert.equal(p.count[100], 6);
  const full = scoreOver(p, truthOf(rec, 'friction'), range);
  assert.ok(full.r2 > 0.95, `oracle R^2 with window means ${full.r2}`);
  assert.ok(full.mapePct < 0.25, `oracle MAPE ${full.mapePct} %`);
  // without the means (seed 000's CED): a 2 s scalogram cannot carry an 8 s cycle's level
  const bare = scoreOver(await oracle(false), truthOf(rec, 'friction'), range);
  assert.ok(bare.r2 < 0.8, `oracle R^2 without window means ${bare.r2}`);
});
