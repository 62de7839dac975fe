import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AveragedSamples, OverlapAverager } from '../../../shared/signal/overlap-average.ts';
import { Rng } from '../../../shared/random.ts';

function concat(parts: (AveragedSamples | null)[]): AveragedSamples[] {
  return parts.filter((p): p is AveragedSamples => p !== null);
}

test('mean, std and count equal a brute force over random windows; every sample emitted once, in order', () => {
  const rng = new Rng(8);
  for (const [L, S, windows] of [
    [200, 20, 60],
    [200, 50, 30],
    [7, 3, 100],
    [10, 10, 20],
  ]) {
    const starts: number[] = [];
    const preds: Float32Array[] = [];
    for (let k = 0; k < windows; k++) {
      starts.push(1000 + k * S);
      preds.push(Float32Array.from({ length: L }, () => rng.normal()));
    }
    const avg = new OverlapAverager(L);
    const out = concat([...starts.map((s, k) => avg.add(s, preds[k])), avg.flush()]);
    let next = starts[0];
    for (const o of out) {
      assert.equal(o.startIndex, next, 'contiguous, no sample twice');
      for (let i = 0; i < o.mean.length; i++) {
        const idx = o.startIndex + i;
        const vals: number[] = [];
        starts.forEach((s, k) => {
          if (idx >= s && idx < s + L) vals.push(preds[k][idx - s]);
        });
        const m = vals.reduce((a, b) => a + b, 0) / vals.length;
        const sd = Math.sqrt(vals.reduce((a, b) => a + (b - m) ** 2, 0) / vals.length);
        assert.equal(o.count[i], vals.length);
        assert.ok(Math.abs(o.mean[i] - m) < 1e-6, `mean at ${idx}`);
        assert.ok(Math.abs(o.std[i] - sd) < 1e-6, `std at ${idx}`);
      }
      next += o.mean.length;
    }
    assert.equal(next, starts[starts.length - 1] + L, 'every covered sample emitted');
  }
});

test('samples become final only when no later window can cover them', () => {
  const avg = new OverlapAverager(10);
  assert.equal(avg.add(0, new Float32Array(10).fill(1)), null);
  const r = avg.add(4, new Float32Array(10).fill(3));
  assert.ok(r);
  assert.equal(r.startIndex, 0);
  assert.deepEqual(Array.from(r.mean), [1, 1, 1, 1]);
  const f = avg.flush();
  assert.ok(f);
  assert.deepEqual(Array.from(f.mean), [2, 2, 2, 2, 2, 2, 3, 3, 3, 3]);
  assert.deepEqual(Array.from(f.std), [1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
  assert.equal(avg.flush(), null, 'nothing twice');
});

test('a gap between windows flushes what came before; out-of-order windows are refused', () => {
  const avg = new OverlapAverager(10);
  avg.add(0, new Float32Array(10).fill(1));
  const r = avg.add(100, new Float32Array(10).fill(2));
  assert.ok(r);
  assert.equal(r.startIndex, 0);
  assert.equal(r.mean.length, 10);
  assert.throws(() => avg.add(50, new Float32Array(10)), /must increase: 50 after 100/);
  assert.throws(() => avg.add(200, new Float32Array(3)), /3 samples, expected 10/);
});
