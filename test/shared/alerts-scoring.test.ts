/** The one scoring module against hand-made cases: warned, late, missed, false alarm, open at the end. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HysteresisDetector, poolScores, scoreWarnings } from '../../shared/alerts.ts';

const span = { fromS: 0, toS: 100 };

test('warned: issued >= leadS before the onset and still on at it; lead from the issue time', () => {
  const s = scoreWarnings([{ onS: 10, offS: 13.5 }], [13], span);
  assert.equal(s.warnedSlips, 1);
  assert.deepEqual(s.leadTimesS, [3]);
  assert.equal(s.medianLeadS, 3);
  assert.equal(s.falseAlarms, 0);
  assert.equal(s.perSlip[0].outcome, 'warned');
});

test('late: on at the onset but issued less than leadS before it', () => {
  const s = scoreWarnings([{ onS: 12.5, offS: 14 }], [13], span);
  assert.deepEqual([s.warnedSlips, s.lateSlips, s.missedSlips, s.falseAlarms], [0, 1, 0, 0]);
  // the same alert with a shorter lead requirement is a warning
  assert.equal(scoreWarnings([{ onS: 12.5, offS: 14 }], [13], { ...span, leadS: 0.5 }).warnedSlips, 1);
});

test('an alert that cleared before the onset warns nothing and is a false alarm; the slip is missed', () => {
  const s = scoreWarnings([{ onS: 5, offS: 12.9 }], [13], span);
  assert.deepEqual([s.warnedSlips, s.missedSlips, s.falseAlarms], [0, 1, 1]);
  assert.equal(s.perSlip[0].outcome, 'missed');
});

test('missed and false alarms, per hour and per 10 cycles', () => {
  const s = scoreWarnings([{ onS: 40, offS: 41 }, { onS: 60, offS: 62 }], [10, 20, 30, 50], span);
  assert.deepEqual([s.slips, s.missedSlips, s.falseAlarms, s.cycles], [4, 4, 2, 3]);
  assert.ok(Math.abs(s.falseAlarmsPerHour - 2 / (100 / 3600)) < 1e-9);
  assert.ok(Math.abs(s.falseAlarmsPer10Cycles - 20 / 3) < 1e-9);
  assert.ok(Number.isNaN(s.medianLeadS));
  assert.ok(Math.abs(s.onFraction - 0.03) < 1e-9);
});

test('an alert still on when the session ends is closed with it: open, neither false alarm nor warning', () => {
  const s = scoreWarnings([{ onS: 95 }], [50], { ...span, sessionEndS: 100 });
  assert.deepEqual([s.falseAlarms, s.openAlerts, s.warnedSlips, s.missedSlips], [0, 1, 0, 1]);
  assert.ok(Math.abs(s.onFraction - 0.05) < 1e-9);
  // a slip before the end inside the still-open alert is warned
  // closed by the session's end (offS = sessionEndS): the same
  assert.equal(scoreWarnings([{ onS: 95, offS: 100 }], [50], { ...span, sessionEndS: 100 }).openAlerts, 1);
  const w = scoreWarnings([{ onS: 95 }], [97], { ...span, sessionEndS: 100 });
  assert.deepEqual([w.warnedSlips, w.openAlerts, w.falseAlarms], [1, 0, 0]);
});

test('only slips in the span are scored; an alert issued before the span still warns a slip in it', () => {
  const s = scoreWarnings([{ onS: 8, offS: 12 }, { onS: 1, offS: 2 }], [1.5, 11], { fromS: 10, toS: 20 });
  assert.deepEqual([s.slips, s.warnedSlips, s.alerts, s.falseAlarms], [1, 1, 1, 0]);
});

test('one alert holding two slips warns each that it was issued >= leadS before', () => {
  const s = scoreWarnings([{ onS: 10, offS: 30 }], [10.5, 20], span);
  assert.deepEqual([s.warnedSlips, s.lateSlips], [1, 1]);
});

test('pooled scores add counts and pool leads', () => {
  const a = scoreWarnings([{ onS: 10, offS: 13.5 }], [13, 20], span);
  const b = scoreWarnings([{ onS: 40, offS: 41 }], [10, 30, 50], span);
  const p = poolScores([a, b]);
  assert.deepEqual([p.slips, p.warnedSlips, p.falseAlarms, p.cycles], [5, 1, 1, 3]);
  assert.deepEqual(p.leadTimesS, [3]);
});

test('the probability detector fires above onAbove after minDurationS, clears below offBelow, closes at the end', () => {
  const d = new HysteresisDetector({ onAbove: 0.5, offBelow: 0.3, minDurationS: 0.2 });
  const info = () => ({ predictedTtfS: 1, probability: 0.6, horizonS: 2 });
  const p = [0.2, 0.6, 0.7, 0.8, 0.4, 0.35, 0.2, 0.9, 0.9, 0.9];
  const ev = p.flatMap((x, k) => d.push(k * 0.1, x, info).map((e) => [+(k * 0.1).toFixed(1), e.kind]));
  assert.deepEqual(ev, [[0.3, 'on'], [0.6, 'off'], [0.9, 'on']]);
  assert.deepEqual(d.close(1).map((e) => e.kind), ['off']);
  assert.equal(d.history[1].offS, 1);
  assert.equal(d.history[0].probability, 0.6);
});
