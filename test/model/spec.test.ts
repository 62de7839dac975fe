/** The model spec: one log10 floor, the CED's dimensions from the preset, reconstruction de-normalises. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cedFor, DEFAULT_CED } from '../../model/ced.ts';
import { cedShape, inputSeries, LOG10_FLOOR, modelSpec } from '../../model/spec.ts';
import { DEFAULT_PRESET_ID, presetById, WINDOW_PRESETS } from '../../training/presets.ts';

test("the CED's input dimensions come from the preset, for every preset", () => {
  const d = presetById(DEFAULT_PRESET_ID);
  assert.deepEqual({ scales: DEFAULT_CED.scales, samples: DEFAULT_CED.samples }, cedShape(d));
  for (const p of Object.values(WINDOW_PRESETS)) {
    const c = cedFor(p, { seed: 5 });
    assert.equal(c.samples, p.windowS * p.sampleRateHz);
    assert.equal(c.scales, p.scales.count);
    assert.equal(c.seed, 5);
  }
});

test('log10 with one floor: zeros become log10(LOG10_FLOOR), the rest exact; no log leaves the series alone', () => {
  const x = Float32Array.of(0, 1e-3, 100);
  assert.deepEqual(Array.from(inputSeries(x, true)), [Math.log10(LOG10_FLOOR), -3, 2].map(Math.fround));
  assert.equal(inputSeries(x, false), x);
});

test('a window goes to its scalogram and back: target scalogram + mean, reconstructed, de-normalised', () => {
  const preset = presetById('2s');
  const spec = modelSpec({ preset, input: { conditioning: 'envelope', log10: true, stats: { mean: 1, std: 2 } }, output: { stats: { mean: 0.6, std: 0.01 } } });
  const n = spec.windowSamples;
  const y = Float32Array.from({ length: n }, (_, i) => 0.6 + 0.01 * Math.sin((2 * Math.PI * i) / 50));
  const t = spec.targetScalogram(y);
  assert.equal(t.scalogram.length, spec.scales * n);
  const back = spec.reconstruct([t.scalogram, Float32Array.of(t.mean)]);
  let err = 0;
  for (let i = 20; i < n - 20; i++) err = Math.max(err, Math.abs(back[i] - y[i]));
  assert.ok(err < 0.003, `round trip error ${err} (in friction units)`);
  // a head model's series is de-normalised too
  assert.deepEqual(Array.from(spec.reconstruct([Float32Array.of(0, 1, -1)])), [0.6, 0.61, 0.59].map(Math.fround));
});
