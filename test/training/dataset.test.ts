/**
 * Datasets and offline evaluation on the committed p4677-mini recording: alignment, time-to-
 * failure labels, windows, and the serving path (scalogram -> inverse CWT -> overlap average).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { initBackend } from '../../model/tfjs/backend.ts';
import { type ConditionedRecording, conditionRecording, fractionRange, makeWindows, statsOver, truthOf } from '../../training/dataset.ts';
import { mape, maeR2, modelPredictor, predictSeries, seriesFromScalograms } from '../../training/evaluate.ts';
import { createInference } from '../../model/runtime/inference.ts';
import { buildCed } from '../../model/ced.ts';
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
  const range = fractionRange(rec, 0, 1);
  const stats = statsOver(rec, range, 'friction', true);
  const w = makeWindows(rec, range, preset, 'friction', stats, true);
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
  const ttf = makeWindows(rec, range, preset, 'ttf', statsOver(rec, [0, 2000], 'ttf', true), true);
  assert.ok(ttf.count < w.count, 'windows after the last failure have no TTF');
  assert.ok(ttf.x.every(Number.isFinite) && ttf.y.every(Number.isFinite));
});

test('the serving path with perfect outputs: every sample once; window means are what make R^2 high', async () => {
  const preset = presetById('2s');
  const range = fractionRange(rec, 0, 1);
  const stats = statsOver(rec, range, 'friction', true);
  const w = makeWindows(rec, range, preset, 'friction', stats, true);
  const size = w.scales * w.samples;
  // an oracle that returns the true scalograms, with the true window means or with zeros
  const oracle = (withMeans: boolean) => async (start: number, n: number) =>
    seriesFromScalograms(w.y.subarray(start * size, (start + n) * size), withMeans ? w.yMean.subarray(start, start + n) : new Float32Array(n), preset, w.scales, w.samples);
  const p = await predictSeries(oracle(true), w, stats.output);
  assert.equal(p.startIndex, w.starts[0]);
  assert.equal(p.mean.length, w.starts[w.count - 1] + 200 - w.starts[0]);
  assert.equal(p.count[0], 1);
  assert.equal(p.count[100], 6);
  const full = maeR2(p, truthOf(rec, 'friction'));
  assert.ok(full.r2 > 0.95, `oracle R^2 with window means ${full.r2}`);
  assert.ok(mape(p, truthOf(rec, 'friction')) < 0.25, `oracle MAPE ${mape(p, truthOf(rec, 'friction'))} %`);
  // without the means (seed 000's CED): a 2 s scalogram cannot carry an 8 s cycle's level
  const bare = maeR2(await predictSeries(oracle(false), w, stats.output), truthOf(rec, 'friction'));
  assert.ok(bare.r2 < 0.8, `oracle R^2 without window means ${bare.r2}`);
});

test('a CED predicts through the same path (shapes and finiteness)', async () => {
  const preset = presetById('2s');
  const range = fractionRange(rec, 0, 0.3);
  const stats = statsOver(rec, range, 'friction', true);
  const w = makeWindows(rec, range, preset, 'friction', stats, true);
  const p = await predictSeries(modelPredictor(await createInference(buildCed({ seed: 2 })), w, preset), w, stats.output);
  assert.equal(p.mean.length, w.starts[w.count - 1] + 200 - w.starts[0]);
  assert.ok(p.mean.every(Number.isFinite) && p.std.every(Number.isFinite));
});
