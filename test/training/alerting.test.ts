/** The alerting model's labels and fitting: labels never count down across a load step; the fits recover known models. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type AlertStream, ttfWithin } from '../../training/alerting-data.ts';
import { fitLinear, fitLogistic } from '../../training/logistic.ts';
import { clockLogit } from '../../shared/alerts/features.ts';

const stream: AlertStream = { id: 'steps', rateHz: 10, startS: 0, level: new Float32Array(1000), delayS: 0, onsetsS: [10, 20, 30, 45, 62, 79] };

test('TTF labels stay within a load level: after its last slip they are unknown, never a countdown to the next level', () => {
  // level 1 is [0, 40) s with slips at 10, 20, 30; level 2 [40, 100) s
  const { fromIndex, ttf } = ttfWithin(stream, { label: 'level 1', fromS: 0, toS: 40 });
  assert.equal(fromIndex, 0);
  assert.equal(ttf.length, 400);
  assert.ok(Math.abs(ttf[250] - 5) < 1e-5, 'counts down to the slip at 30 s');
  for (let k = 301; k < 400; k++) assert.ok(Number.isNaN(ttf[k]), `sample at ${k / 10} s after the level's last slip is unknown (not ${ttf[k]})`);
  const l2 = ttfWithin(stream, { label: 'level 2', fromS: 40, toS: 100 });
  assert.ok(Math.abs(l2.ttf[0] - 5) < 1e-5, 'level 2 counts from its own first slip');
  const max = Math.max(...Array.from(l2.ttf).filter(Number.isFinite), ...Array.from(ttf).filter(Number.isFinite));
  assert.ok(max <= 17 + 1e-5, `no label longer than a cycle within a level (max ${max})`);
});

test('logistic regression and least squares recover the coefficients they were generated with', () => {
  let seed = 1;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const xs = Array.from({ length: 4000 }, () => [rnd() * 4 - 2, rnd() * 4 - 2]);
  const ys = xs.map(([a, b]) => (rnd() < 1 / (1 + Math.exp(-(0.5 + 2 * a - b))) ? 1 : 0));
  const w = fitLogistic(xs, ys, 1e-6);
  assert.ok(Math.abs(w[0] - 0.5) < 0.2 && Math.abs(w[1] - 2) < 0.3 && Math.abs(w[2] + 1) < 0.2, `logistic ${w}`);
  const l = fitLinear(xs, xs.map(([a, b]) => 3 - a + 0.5 * b), 0);
  assert.deepEqual(l.map((v) => +v.toFixed(6)), [3, -1, 0.5]);
});

test('the clock hazard rises with the time since the last slip and with the horizon', () => {
  const p = (t: number, h: number) => clockLogit(t, 10, 1, h);
  assert.ok(p(5, 2) < p(9, 2) && p(9, 2) < p(10, 2));
  assert.ok(p(9, 1) < p(9, 2) && p(9, 2) < p(9, 5));
});
