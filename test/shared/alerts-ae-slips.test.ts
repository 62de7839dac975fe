import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AeSlipDetector } from '../../shared/alerts/ae-slips.ts';

/** A sawtooth AE level: rising 1 decade through each 8 s cycle, a 0.2 s burst at each slip, quiet after. */
function cycles(rateHz: number, onsetsS: number[], foreshocksS: number[] = []): Float64Array {
  const n = Math.round((onsetsS.at(-1)! + 4) * rateHz);
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = i / rateHz;
    const last = Math.max(0, ...onsetsS.filter((o) => o <= t));
    x[i] = -3 + 0.12 * (t - last) + 0.02 * Math.sin(37 * i);
    if (onsetsS.some((o) => t >= o && t < o + 0.2)) x[i] = -1.2;
    if (foreshocksS.some((f) => t >= f && t < f + 0.06)) x[i] = -1.2;
  }
  return x;
}

test('slips are found in the AE alone, once each, near their onsets; foreshocks are not slips', () => {
  const rate = 100;
  const onsets = [8, 16, 24.5, 33];
  const levels = cycles(rate, onsets, [14.5, 23]);
  const d = new AeSlipDetector({ rateHz: rate });
  const found: { onsetS: number; knownS: number }[] = [];
  levels.forEach((v, i) => {
    const k = d.push(i, v);
    if (k !== null) found.push({ onsetS: k / rate, knownS: i / rate });
  });
  assert.equal(found.length, onsets.length, JSON.stringify(found));
  found.forEach((f, j) => {
    assert.ok(Math.abs(f.onsetS - onsets[j]) <= 0.06, `slip ${j} at ${f.onsetS} s, onset ${onsets[j]} s`);
    assert.ok(f.knownS > f.onsetS && f.knownS - f.onsetS <= 1.01, 'reported once confirmed, one second later');
  });
});

test('a steady level or a rise without a quiet cycle after it is no slip', () => {
  const d = new AeSlipDetector({ rateHz: 100 });
  let found = 0;
  for (let i = 0; i < 3000; i++) if (d.push(i, -2 + (i > 1500 ? 0.8 : 0)) !== null) found++;
  assert.equal(found, 0);
});
