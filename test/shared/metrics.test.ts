import assert from 'node:assert/strict';
import { test } from 'node:test';
import { scoreSeries } from '../../shared/metrics.ts';

test('scores over the samples both series have, by hand', () => {
  const s = scoreSeries([1, 2, 3, 4, Number.NaN], [1.5, 2, 2.5, 4, 9]);
  assert.equal(s.n, 4);
  assert.ok(Math.abs(s.mae - 0.25) < 1e-12);
  assert.ok(Math.abs(s.mapePct - (100 * (0.5 + 0 + 0.5 / 3 + 0)) / 4) < 1e-12);
  // SS_res 0.5, SS_tot 5 around 2.5
  assert.ok(Math.abs(s.r2 - 0.9) < 1e-12);
  assert.ok(s.r > 0.9 && s.r < 1);
});

test('MAPE leaves out small truths; too few samples give NaN; lengths must match', () => {
  assert.ok(Math.abs(scoreSeries([0.5, 2, 4], [1, 3, 4], { mapeFloor: 1 }).mapePct - 25) < 1e-12);
  assert.ok(Number.isNaN(scoreSeries([1], [1]).r2));
  assert.throws(() => scoreSeries([1, 2], [1]), /2 samples/);
});
