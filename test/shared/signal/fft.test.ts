import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FftPlan, nextPow2 } from '../../../shared/signal/fft.ts';
import { Rng } from '../../../shared/random.ts';

test('forward FFT equals a brute-force DFT for every size 4..2048 (odd and even log2)', () => {
  const rng = new Rng(9);
  for (let n = 4; n <= 2048; n *= 2) {
    const plan = new FftPlan(n);
    const r0 = Float64Array.from({ length: n }, () => rng.normal());
    const i0 = Float64Array.from({ length: n }, () => rng.normal());
    const z = new Float64Array(2 * n);
    for (let j = 0; j < n; j++) {
      z[2 * j] = r0[j];
      z[2 * j + 1] = i0[j];
    }
    plan.forward(z);
    let worst = 0;
    for (let k = 0; k < n; k++) {
      let sr = 0;
      let si = 0;
      for (let j = 0; j < n; j++) {
        const a = (-2 * Math.PI * ((k * j) % n)) / n;
        sr += r0[j] * Math.cos(a) - i0[j] * Math.sin(a);
        si += r0[j] * Math.sin(a) + i0[j] * Math.cos(a);
      }
      worst = Math.max(worst, Math.abs(sr - z[2 * k]), Math.abs(si - z[2 * k + 1]));
    }
    assert.ok(worst < 1e-10 * n, `n=${n}: max error ${worst}`);
    plan.inverse(z);
    for (let j = 0; j < n; j++) {
      assert.ok(Math.abs(z[2 * j] - r0[j]) < 1e-12 * n && Math.abs(z[2 * j + 1] - i0[j]) < 1e-12 * n, `n=${n}: inverse`);
    }
  }
});

test('sizes that are not powers of two are refused', () => {
  assert.throws(() => new FftPlan(200), /power of two >= 4, got 200/);
  assert.equal(nextPow2(200), 256);
  assert.equal(nextPow2(256), 256);
  assert.throws(() => new FftPlan(8).forward(new Float64Array(8)), /needs 16 interleaved values, got 8/);
});
