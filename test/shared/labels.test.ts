import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cyclePortions, detectFailures, recurrenceStats, StreamingFailureDetector, timeToFailure } from '../../shared/labels.ts';
import { medianFilter } from '../../shared/signal/median.ts';
import { Rng } from '../../shared/random.ts';

/** A hand-made sawtooth: linear loading at 0.005 /s, instantaneous drops of `drop` at given samples. */
function sawtooth(n: number, rateHz: number, slipAt: number[], drop = 0.02, slipSamples = 1): Float64Array {
  const mu = new Float64Array(n);
  let level = 0.58;
  let k = 0;
  for (let i = 0; i < n; i++) {
    level += 0.005 / rateHz;
    if (k < slipAt.length && i > slipAt[k] && i <= slipAt[k] + slipSamples) {
      level -= drop / slipSamples;
      if (i === slipAt[k] + slipSamples) k++;
    }
    mu[i] = level;
  }
  return mu;
}

test('each slip of a hand-made sawtooth is found once, at the last sample before the drop', () => {
  const slips = [1000, 3500, 7000];
  const mu = sawtooth(9000, 1000, slips);
  const ev = detectFailures(mu, 1000);
  assert.deepEqual(
    ev.map((e) => e.onsetIndex),
    slips,
  );
  for (const e of ev) {
    assert.ok(Math.abs(e.dropMu - 0.02) < 0.001, `drop ${e.dropMu}`);
    assert.equal(e.endIndex, e.onsetIndex + 1);
    assert.equal(e.onsetTimeS, e.onsetIndex / 1000);
  }
});

test('threshold, minimum drop and merging decide what counts', () => {
  // a slow drop (-5 /s) is not a failure at -10 /s but is at -4 /s
  const slow = sawtooth(3000, 1000, [1000], 0.02, 4); // 0.02 over 4 ms = -5 /s (+0.005 loading)
  assert.equal(detectFailures(slow, 1000).length, 0);
  assert.equal(detectFailures(slow, 1000, 0, { thresholdPerS: -4 }).length, 1);
  // a one-sample spike down and back up is steep but has no lasting drop... with minDrop above it
  const spike = sawtooth(3000, 1000, []);
  spike[1500] -= 0.001;
  assert.equal(detectFailures(spike, 1000).length, 0, 'a 0.001 dip is below the 0.002 minimum drop');
  // two steep runs 20 ms apart are one failure (merge gap 50 ms), 200 ms apart are two
  const double = sawtooth(3000, 1000, [1000, 1020]);
  assert.equal(detectFailures(double, 1000).length, 1);
  const two = sawtooth(3000, 1000, [1000, 1200]);
  assert.equal(detectFailures(two, 1000).length, 2);
});

test('a median filter removes impulsive noise that would otherwise fake failures', () => {
  const mu = sawtooth(6000, 2000, [2000, 4000]);
  const rng = new Rng(3);
  for (let k = 0; k < 40; k++) mu[200 + Math.floor(rng.uniform() * 5600)] -= 0.01; // spikes
  assert.ok(detectFailures(mu, 2000).length > 2, 'raw spikes are detected');
  const ev = detectFailures(mu, 2000, 0, { medianWindow: 21 });
  assert.equal(ev.length, 2);
  assert.ok(Math.abs(ev[0].onsetIndex - 2000) <= 11, `onset ${ev[0].onsetIndex}`);
});

test('slope window: a slow 0.03 drop over 40 ms is caught over 50 ms but not per sample', () => {
  const mu = sawtooth(8000, 2000, [3000], 0.03, 80);
  assert.equal(detectFailures(mu, 2000).length, 0);
  const ev = detectFailures(mu, 2000, 0, { slopeWindowS: 0.05, thresholdPerS: -0.5, minDropMu: 0.02 });
  assert.equal(ev.length, 1);
});

test('median filter equals a brute-force median', () => {
  const rng = new Rng(11);
  const x = Float64Array.from({ length: 500 }, () => rng.normal());
  for (const w of [1, 3, 7, 21]) {
    const got = medianFilter(x, w);
    const h = (w - 1) / 2;
    for (let i = 0; i < x.length; i++) {
      const win = Array.from(x.subarray(Math.max(0, i - h), Math.min(x.length, i + h + 1))).sort((a, b) => a - b);
      const m = win.length % 2 ? win[win.length >> 1] : (win[win.length / 2 - 1] + win[win.length / 2]) / 2;
      assert.equal(got[i], m);
    }
  }
  assert.throws(() => medianFilter(x, 4), /odd/);
});

test('time to failure counts down to each onset and is NaN after the last', () => {
  const mu = sawtooth(5000, 1000, [1000, 3000]);
  const ev = detectFailures(mu, 1000);
  const ttf = timeToFailure(ev.map((e) => e.onsetTimeS), 0, 1000, mu.length);
  assert.equal(ttf[0], 1);
  assert.equal(ttf[1000], 0);
  assert.ok(Math.abs(ttf[1001] - 1.999) < 1e-6);
  assert.equal(ttf[3000], 0);
  assert.ok(Number.isNaN(ttf[3001]));
  assert.ok(Number.isNaN(ttf[4999]));
});

test('cycle portions split each complete cycle at 80% recovery', () => {
  const mu = sawtooth(6000, 1000, [1000, 5000]);
  const ev = detectFailures(mu, 1000);
  const [c] = cyclePortions(mu, ev);
  assert.equal(c.postFailure[0], ev[0].endIndex + 1);
  assert.equal(c.preFailure[1], ev[1].onsetIndex);
  assert.equal(c.postFailure[1], c.preFailure[0]);
  // loading is linear here, so the split sits 80% of the way through the rise
  const frac = (c.postFailure[1] - c.postFailure[0]) / (c.preFailure[1] - c.postFailure[0]);
  assert.ok(Math.abs(frac - 0.8) < 0.01, `split at ${frac}`);
  assert.equal(cyclePortions(mu, ev.slice(0, 1)).length, 0, 'an open cycle has no portions');
  assert.throws(() => cyclePortions(mu, ev, 1.2), /recoveredFraction/);
});

test('recurrence statistics', () => {
  const mu = sawtooth(9000, 1000, [1000, 3000, 7000]);
  const s = recurrenceStats(detectFailures(mu, 1000));
  assert.equal(s.count, 3);
  assert.equal(s.meanRecurrenceS, 3);
  assert.ok(Math.abs(s.cvRecurrence - 1 / 3) < 1e-12);
});

test('bad input is rejected with the offending value', () => {
  assert.throws(() => detectFailures([1, 2], 0), /sampleRateHz must be > 0, got 0/);
  assert.throws(() => detectFailures([1, 2], 10, 0, { medianWindow: 2 }), /got 2/);
});

test('streaming failure detection finds what the whole-record detector finds, whatever the chunking', () => {
  const rateHz = 1000;
  const rng = new Rng(21);
  const slips = Array.from({ length: 12 }, (_, k) => 3000 + k * 2700 + Math.floor(rng.uniform() * 900));
  const mu = Float32Array.from(sawtooth(40_000, rateHz, slips, 0.03, 2), (v) => v + 0.0002 * rng.normal());
  const whole = detectFailures(mu, rateHz).map((e) => e.onsetIndex);
  assert.ok(whole.length >= 10, `${whole.length} slips in the record`);
  for (const seed of [1, 2, 3]) {
    const r = new Rng(seed);
    const d = new StreamingFailureDetector(rateHz);
    const found: number[] = [];
    for (let i = 0; i < mu.length; ) {
      const n = 1 + Math.floor(r.uniform() * 1500);
      found.push(...d.push(i, mu.subarray(i, i + n)).map((e) => e.onsetIndex));
      i += n;
    }
    // all but slips in the last margin (not final yet) are reported, once each, at the same index
    assert.deepEqual(found, whole.filter((k) => k < mu.length - 500), `chunking seed ${seed}`);
  }
  // a chunk that does not continue the stream starts afresh
  const d = new StreamingFailureDetector(rateHz);
  d.push(0, mu.subarray(0, 5000));
  assert.deepEqual(d.push(20_000, mu.subarray(20_000, 40_000)).map((e) => e.onsetIndex), whole.filter((k) => k >= 20_000 && k < 39_500));
});
