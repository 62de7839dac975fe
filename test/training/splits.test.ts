import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { type ConditionedRecording, conditionRecording } from '../../training/dataset.ts';
import { cyclesRange, levelRanges, portionRange, SETTLE_S, splitRange } from '../../training/splits.ts';

const MINI = join(import.meta.dirname, '..', '..', 'fixtures', 'data', 'p4677-mini');
let rec: ConditionedRecording;
before(async () => {
  rec = await conditionRecording(MINI, 100);
});

test('splits follow seed 000: lab 20/20/60', () => {
  const n = rec.ae.length;
  assert.deepEqual(splitRange(rec, 'lab', 'train'), [0, Math.floor(0.2 * n)]);
  assert.deepEqual(splitRange(rec, 'lab', 'test'), [Math.floor(0.4 * n), n]);
});

test('training data by cycles starts at the first failure and ends at a later one', () => {
  const f = rec.failuresS.map((t) => Math.round(t * 100) - rec.startIndex);
  assert.deepEqual(cyclesRange(rec, 2), [f[0], f[2]]);
  const half = cyclesRange(rec, 0.5);
  assert.equal(half[0], f[0]);
  assert.ok(Math.abs(half[1] - (f[0] + (f[1] - f[0]) / 2)) <= 1);
  assert.throws(() => cyclesRange(rec, 6), /has 5 failures; 6 cycles need 8/);
});

test('post-failure portions come right after a slip, pre-failure ones end at the next', () => {
  const f = rec.failuresS.map((t) => Math.round(t * 100) - rec.startIndex);
  const post = portionRange(rec, 'post', 1);
  const pre = portionRange(rec, 'pre', 1);
  assert.ok(post[0] > f[1] && post[0] - f[1] < 20, `post starts ${post[0] - f[1]} samples after the slip`);
  assert.equal(post[1], pre[0]);
  assert.equal(pre[1], f[2]);
  // friction rises faster in the post-failure portion than in the pre-failure one
  const slope = ([a, b]: [number, number]) => (rec.mu[b - 1] - rec.mu[a]) / (b - 1 - a);
  assert.ok(slope(post) > 2 * slope(pre), `slopes ${slope(post)} vs ${slope(pre)}`);
});

test('load levels skip the transient after each step', () => {
  const levels = levelRanges(rec, [
    { startS: 0, endS: 20, normalStressMPa: 2.5 },
    { startS: 10, endS: 200, normalStressMPa: 3 },
  ]);
  assert.deepEqual(levels[0].range, [0, Math.round(20 * 100) - rec.startIndex]);
  // the second level's settling time runs past the end of this 40 s record: an empty range
  assert.ok(SETTLE_S > 30);
  assert.deepEqual(levels[1].range, [rec.ae.length, rec.ae.length]);
});
