import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AlertDetector, scoreAlerts } from '../../shared/alerts.ts';

/** Feed a TTF series sampled at 100 Hz; returns [time, event] pairs. */
function run(d: AlertDetector, ttf: (t: number) => number, seconds: number) {
  const events: [number, string][] = [];
  for (let k = 0; k < seconds * 100; k++) {
    const t = k / 100;
    for (const e of d.push(t, ttf(t))) events.push([t, e.kind]);
  }
  return events;
}

test('fires after the minimum duration below the threshold, clears above the upper one', () => {
  // a saw-tooth TTF: 8 s cycles counting down to 0
  const d = new AlertDetector({ onBelowS: 2, offAboveS: 3, minDurationS: 0.3 });
  const events = run(d, (t) => 8 - (t % 8), 17);
  const on = events.filter(([, k]) => k === 'on').map(([t]) => t);
  const off = events.filter(([, k]) => k === 'off').map(([t]) => t);
  // TTF < 2 from t = 6.01 (+ 8k); fires 0.3 s later
  assert.deepEqual(
    on.map((t) => +t.toFixed(2)),
    [6.31, 14.31],
  );
  // TTF jumps back to 8 at each cycle start: cleared at t = 8 and 16
  assert.deepEqual(
    off.map((t) => +t.toFixed(2)),
    [8, 16],
  );
});

test('hysteresis: a prediction wobbling around the threshold does not flicker', () => {
  const d = new AlertDetector({ onBelowS: 2, offAboveS: 3, minDurationS: 0 });
  const events = run(d, (t) => 2 + 0.4 * Math.sin(2 * Math.PI * 5 * t), 4);
  assert.equal(events.filter(([, k]) => k === 'on').length, 1);
  assert.equal(events.filter(([, k]) => k === 'off').length, 0);
  const brief = new AlertDetector({ onBelowS: 2, offAboveS: 3, minDurationS: 0.5 });
  assert.equal(run(brief, (t) => (t % 1 < 0.3 ? 1 : 5), 5).length, 0, 'dips shorter than the minimum never fire');
  assert.throws(() => new AlertDetector({ onBelowS: 3, offAboveS: 2, minDurationS: 0 }), /must be below/);
});

test('the live score of a session is the honest one: warned means issued >= 1 s before and on until the onset', () => {
  const alerts = [
    { id: 1, onS: 6.3, offS: 8.2, predictedTtfS: 1.7 }, // slip at 8.0: warned, lead 1.7 s
    { id: 2, onS: 20, offS: 21, predictedTtfS: 1.9 }, // nothing in it: false alarm
    { id: 3, onS: 30.5, predictedTtfS: 1.5 }, // still on; slip at 31.2 only 0.7 s after issue: late
  ];
  const s = scoreAlerts(alerts, [8.0, 16.0, 31.2], 32);
  assert.equal(s.hits, 1);
  assert.equal(s.warnedSlips, 1);
  assert.equal(s.misses, 2, 'the late one and the unwarned one at 16 s');
  assert.equal(s.falseAlarms, 1);
  assert.deepEqual(s.leadTimesS.map((x) => +x.toFixed(2)), [1.7]);
});
