import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TimeGrid } from '../../client/time-grid.ts';
import { tracking } from '../../client/tracking.ts';

test('time grid: slot means, series aligned, bounded history, late and NaN samples ignored', () => {
  const g = new TimeGrid(['a', 'b'] as const, 10, 5); // 10 slots/s, 5 s: 50 slots
  g.add('a', 0, 100, Float32Array.from({ length: 100 }, (_, i) => i)); // 1 s at 100 Hz: 10 per slot
  g.add('b', 5, 10, [7, Number.NaN, 9]); // slots 5, 6, 7
  let v = g.view(1000);
  assert.equal(v.x.length, 10, 'from time 0 to the newest slot');
  assert.deepEqual(Array.from(v.series.a), [4.5, 14.5, 24.5, 34.5, 44.5, 54.5, 64.5, 74.5, 84.5, 94.5]);
  assert.deepEqual(Array.from(v.series.b).map((x) => (Number.isNaN(x) ? null : x)), [null, null, null, null, null, 7, null, 9, null, null]);
  // 20 s later: only the last 5 s are kept, the old slots are empty and cannot be written
  g.add('a', 2000, 100, [1, 2]);
  g.add('a', 10, 100, [99]);
  v = g.view(1000);
  assert.equal(v.x.length, 50);
  assert.ok(Math.abs(v.x[49] - 20) < 1e-9 && Math.abs(v.x[0] - 15.1) < 1e-9);
  assert.equal(v.series.a[49], 1.5);
  assert.equal(v.series.a.filter((x) => !Number.isNaN(x)).length, 1);
  // fill replaces what a slot held
  g.fill('b', 19.5, 20.01, (t) => 20 - t);
  v = g.view(10);
  assert.ok(Math.abs(v.series.b[9]) < 1e-6 && Math.abs(v.series.b[4] - 0.5) < 1e-6);
});

test('tracking: error and correlation over the samples both series have', () => {
  const m = [1, 2, 3, 4, Number.NaN, 6];
  const p = [1.5, 2.5, 3.5, Number.NaN, 5, 6.5];
  const t = tracking(m, p);
  assert.equal(t.n, 4);
  assert.ok(Math.abs(t.mae - 0.5) < 1e-12);
  assert.ok(Math.abs(t.r - 1) < 1e-12);
  assert.ok(Number.isNaN(tracking([1], [1]).r));
});

test('time grid: a long span is merged into at most maxPoints points, each the mean of its slots', () => {
  const g = new TimeGrid(['a'] as const, 10, 100);
  g.add('a', 0, 10, Float32Array.from({ length: 1000 }, (_, i) => i)); // slot k holds k
  const full = g.view(1000);
  assert.equal(full.x.length, 1000);
  const merged = g.view(1000, 100);
  assert.equal(merged.x.length, 100);
  assert.equal(merged.series.a[0], 4.5, 'slots 0-9');
  assert.equal(merged.series.a[99], 994.5);
  assert.ok(Math.abs(merged.x[0] - 0.45) < 1e-9, 'each point sits at the centre of its slots');
  const uneven = g.view(1000, 300); // 4 slots per point, the last point partial
  assert.equal(uneven.x.length, 250);
  assert.equal(uneven.series.a[249], 997.5);
});
