import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeStats, denormalise, normalise } from '../../../shared/signal/normalise.ts';

test('normalise and denormalise are inverses; stats are the population mean and std', () => {
  const x = Float64Array.from([1, 2, 3, 4, Number.NaN]);
  const s = computeStats(x);
  assert.equal(s.mean, 2.5);
  assert.ok(Math.abs(s.std - Math.sqrt(1.25)) < 1e-15);
  const z = normalise(x.subarray(0, 4), s, new Float64Array(4));
  assert.ok(Math.abs(z[0] + 1.5 / Math.sqrt(1.25)) < 1e-12);
  const back = denormalise(z, s, new Float64Array(4));
  for (let i = 0; i < 4; i++) assert.ok(Math.abs(back[i] - x[i]) < 1e-12);
  assert.equal(computeStats([5, 5, 5]).std, 1, 'a constant keeps unit scale instead of dividing by zero');
  assert.throws(() => computeStats([Number.NaN]), /no finite samples/);
});
