/** The live evaluation's scoring: where scoring starts, the baselines, and scores that tell adapted from un-adapted. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LiveRun } from '../../training/live-evaluation-replay.ts';
import { clockTtf, meanBefore, scoredFrom, scoreSpan, servedOver, spansAfter, type Truth } from '../../training/live-evaluation.ts';

const RATE = 10;
const N = 400;
// a sawtooth friction with slips every 5 s (at 5, 10, ..., 35 s)
const failuresS = [5, 10, 15, 20, 25, 30, 35];
const mu = Array.from({ length: N }, (_, k) => 0.6 + 0.01 * ((k / RATE) % 5));
const ttf = Array.from({ length: N }, (_, k) => 5 - ((k / RATE) % 5));
const truth: Truth = { rateHz: RATE, startIndex: 0, mu, ttf, failuresS };

function run(adapted: boolean, served: number[], fromStartIndex: number | null): LiveRun {
  const series = { startIndex: 0, rateHz: RATE, mean: served };
  const report = { type: 'adapted' as const, session: 's', target: 'friction', fromStartIndex, rateHz: RATE, cycles: 2, before: { r2: 0 }, after: { r2: 1 }, swapped: fromStartIndex !== null };
  return { recording: 'r', adaptation: adapted, served: { friction: series, ttf: { ...series, mean: ttf } }, alerts: [{ onS: 13, offS: 15.5 }], slipsS: failuresS, adapted: adapted ? [report] : [], wallS: 1 };
}

test('scoring starts one window after the first round\'s later swap, or after the cycles when nothing was swapped', () => {
  assert.equal(scoredFrom(run(true, mu, 120), 2, 20), 140);
  assert.equal(scoredFrom(run(true, mu, null), 2, 20), 15 * RATE + 20);
  // re-adaptation: the first round (fewest cycles) sets the start; later rounds are scored, not skipped
  const readapted = run(true, mu, 120);
  readapted.adapted.push({ ...readapted.adapted[0], cycles: 4, fromStartIndex: 300 });
  assert.equal(scoredFrom(readapted, 2, 20), 140);
});

test('servedOver leaves NaN where nothing was served; meanBefore is causal', () => {
  const s = servedOver({ startIndex: 10, rateHz: RATE, mean: [1, 2, 3] }, 8, 14);
  assert.deepEqual([...s].map((x) => (Number.isNaN(x) ? null : x)), [null, null, 1, 2, 3, null]);
  assert.equal(meanBefore(truth, [1, 2, 3, 100], 3), 2);
});

test('the recurrence clock predicts the mean interval minus the time since the last slip', () => {
  const c = clockTtf(failuresS, RATE, 0, N);
  assert.ok(Number.isNaN(c[60]), 'no interval known before the second slip');
  assert.ok(Math.abs(c[120] - 3) < 1e-9, 'at 12 s: interval 5 s, 2 s since the slip at 10 s');
});

test('scoreSpan: the exact series scores R^2 1, a flat one 0 or below; the alert warns the slip at 15 s', () => {
  const exact = run(true, mu, 100);
  const flat = run(false, mu.map(() => 0.62), null);
  const [all] = spansAfter(120, N, []);
  const s = scoreSpan(all, truth, exact, flat, 100);
  assert.ok(Math.abs(s.friction.adapted - 1) < 1e-6);
  assert.ok(s.friction.unadapted <= 0);
  assert.ok(s.friction.constant <= 0);
  assert.ok(Math.abs(s.frictionMean.adapted - s.frictionMean.measured) < 1e-9 && Math.abs(s.frictionMean.unadapted - 0.62) < 1e-6, 'mean served friction per span');
  assert.ok(Math.abs(s.ttf.adapted - 1) < 1e-6);
  assert.equal(s.slips, 5);
  assert.deepEqual(s.warned, { adapted: 1, unadapted: 1 });
  const levels = spansAfter(120, N, [{ label: 'a', from: 0, to: 200 }, { label: 'b', from: 200, to: N }]);
  assert.deepEqual(levels.map((l) => [l.label, l.from, l.to]), [['all after the swap', 120, N], ['a', 120, 200], ['b', 200, N]]);
});
