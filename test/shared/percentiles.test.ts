import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecentSamples } from '../../shared/percentiles.ts';

test('percentiles by nearest rank over the most recent samples', () => {
  const r = new RecentSamples(100);
  assert.ok(Number.isNaN(r.percentile(50)));
  for (let i = 1; i <= 100; i++) r.add(i);
  assert.equal(r.percentile(50), 50);
  assert.equal(r.percentile(99), 99);
  assert.equal(r.percentile(100), 100);
  for (let i = 0; i < 50; i++) r.add(1000); // the oldest 50 fall out
  assert.equal(r.count, 100);
  assert.equal(r.percentile(50), 100);
  assert.equal(r.percentile(51), 1000);
});
