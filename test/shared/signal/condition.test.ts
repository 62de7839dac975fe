import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ConditionConfig, Conditioner, conditionAll } from '../../../shared/signal/condition.ts';
import { designLowpass, designSmoothing, splitDecimation } from '../../../shared/signal/decimation-filters.ts';
import { Rng } from '../../../shared/random.ts';

const AE: ConditionConfig = { inputRateHz: 10_000, outputRateHz: 100, mode: 'envelope', channels: 2, channelScales: [1, 0.5] };

function collect(c: Conditioner, rng: Rng, channels: Float32Array[], maxChunk: number) {
  const n = channels[0].length;
  let pos = 0;
  const values: number[] = [];
  let first = -1;
  while (pos < n) {
    const len = Math.min(n - pos, 1 + Math.floor(rng.uniform() * maxChunk));
    for (const ch of c.push(pos, channels.map((x) => x.subarray(pos, pos + len)))) {
      assert.equal(ch.kind, 'samples');
      if (ch.kind !== 'samples') continue;
      if (first < 0) first = ch.startIndex;
      assert.equal(ch.startIndex, first + values.length, 'outputs are contiguous');
      values.push(...ch.values);
    }
    pos += len;
  }
  return { first, values };
}

test('streaming equals one-shot within 1e-6 for random chunkings (envelope and lowpass)', () => {
  const rng = new Rng(1);
  const n = 60_000;
  const a = Float32Array.from({ length: n }, () => rng.normal() * 300);
  const b = Float32Array.from({ length: n }, () => rng.normal() * 100);
  for (const [cfg, chans] of [
    [AE, [a, b]],
    [{ inputRateHz: 1000, outputRateHz: 100, mode: 'lowpass', channels: 1 } as ConditionConfig, [a]],
    [{ inputRateHz: 10_000, outputRateHz: 500, mode: 'envelope', channels: 2 } as ConditionConfig, [a, b]],
  ] as const) {
    const whole = conditionAll(cfg, chans);
    for (const maxChunk of [1, 7, 997, 20_000]) {
      const s = collect(new Conditioner(cfg), rng, [...chans], maxChunk);
      assert.equal(s.first, whole.startIndex);
      assert.equal(s.values.length, whole.values.length);
      for (let i = 0; i < s.values.length; i++) {
        assert.ok(Math.abs(s.values[i] - whole.values[i]) <= 1e-6 * Math.max(1, Math.abs(whole.values[i])), `chunk ${maxChunk}, sample ${i}`);
      }
    }
  }
});

test('the envelope is the RMS of the channel norm: stationary noise and a slow amplitude ramp', () => {
  const rng = new Rng(2);
  const n = 100_000;
  // channel 1 is scaled by 0.5 in AE: norm^2 = a^2 + (b/2)^2, so rms = sqrt(300^2 + 50^2)
  const a = Float32Array.from({ length: n }, () => rng.normal() * 300);
  const b = Float32Array.from({ length: n }, () => rng.normal() * 100);
  const { values } = conditionAll(AE, [a, b]);
  const mean = values.reduce((s, v) => s + v, 0) / values.length;
  assert.ok(Math.abs(mean - Math.hypot(300, 50)) / Math.hypot(300, 50) < 0.01, `envelope ${mean}`);
  // a 2 kHz carrier whose amplitude ramps from 0 to 1000 over 10 s: the envelope follows A / sqrt(2)
  const ramp = Float32Array.from({ length: n }, (_, i) => ((1000 * i) / n) * Math.sin((2 * Math.PI * 2000 * i) / 10_000));
  const env = conditionAll({ ...AE, channels: 1, channelScales: [1] }, [ramp]);
  for (let k = 0; k < env.values.length; k += 50) {
    const expected = (1000 * ((env.startIndex + k) * 100)) / n / Math.SQRT2;
    assert.ok(Math.abs(env.values[k] - expected) < 0.02 * expected + 2, `t=${(env.startIndex + k) / 100} s: ${env.values[k]} vs ${expected}`);
  }
});

test('output k sits at input k D: a slow sine passes with unit gain and no delay', () => {
  const cfg: ConditionConfig = { inputRateHz: 1000, outputRateHz: 100, mode: 'lowpass', channels: 1 };
  const f = 2; // Hz, well inside the 30 Hz passband
  const x = Float32Array.from({ length: 20_000 }, (_, i) => Math.sin((2 * Math.PI * f * i) / 1000));
  const { startIndex, values } = conditionAll(cfg, [x]);
  for (let k = 0; k < values.length; k++) {
    const expected = Math.sin((2 * Math.PI * f * (startIndex + k)) / 100);
    assert.ok(Math.abs(values[k] - expected) < 1e-3, `k=${k}: ${values[k]} vs ${expected}`);
  }
});

test('anti-aliasing: tones above the output Nyquist are suppressed by > 60 dB', () => {
  for (const [inputRateHz, outputRateHz] of [
    [1000, 100],
    [10_000, 100],
    [10_000, 500],
  ]) {
    const cfg: ConditionConfig = { inputRateHz, outputRateHz, mode: 'lowpass', channels: 1 };
    for (const fFrac of [0.5, 0.7, 1.3, 3.1]) {
      const f = fFrac * outputRateHz;
      const x = Float32Array.from({ length: inputRateHz * 20 }, (_, i) => Math.sin((2 * Math.PI * f * i) / inputRateHz + 0.3));
      const { values } = conditionAll(cfg, [x]);
      const rms = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
      assert.ok(rms < 1e-3 / Math.SQRT2, `${inputRateHz}->${outputRateHz} Hz, tone at ${f} Hz leaks ${rms}`);
    }
  }
});

test('a gap is reported and never bridged: after it, output equals a fresh one-shot', () => {
  const rng = new Rng(5);
  const a = Float32Array.from({ length: 30_000 }, () => rng.normal());
  const c = new Conditioner({ inputRateHz: 1000, outputRateHz: 100, mode: 'lowpass', channels: 1 });
  const before = c.push(0, [a.subarray(0, 10_000)]);
  assert.equal(before[0].kind, 'samples');
  const after = c.push(15_000, [a.subarray(15_000)]); // 5 s missing
  assert.equal(after[0].kind, 'gap');
  const fresh = conditionAll({ inputRateHz: 1000, outputRateHz: 100, mode: 'lowpass', channels: 1 }, [a.subarray(15_000)], 15_000);
  if (after[0].kind !== 'gap' || after[1].kind !== 'samples' || before[0].kind !== 'samples') throw new Error('unexpected chunks');
  assert.equal(after[0].fromIndex, before[0].startIndex + before[0].values.length);
  assert.equal(after[0].toIndex, fresh.startIndex);
  assert.equal(after[1].startIndex, fresh.startIndex);
  assert.deepEqual(after[1].values, fresh.values);
  assert.throws(() => c.push(100, [a.subarray(0, 10)]), /went back in time/);
});

test('decimation split, filter design and bad configs', () => {
  assert.deepEqual(splitDecimation(100), { d1: 25, d2: 4 });
  assert.deepEqual(splitDecimation(10), { d1: 5, d2: 2 });
  assert.deepEqual(splitDecimation(2), { d1: 1, d2: 2 });
  assert.deepEqual(splitDecimation(5), { d1: 1, d2: 5 });
  const h = designLowpass(4);
  assert.ok(Math.abs(h.reduce((s, v) => s + v, 0) - 1) < 1e-12, 'unit DC gain');
  for (let i = 0; i < h.length; i++) assert.ok(Math.abs(h[i] - h[h.length - 1 - i]) < 1e-15, 'symmetric: linear phase');
  assert.throws(() => new Conditioner({ inputRateHz: 1000, outputRateHz: 300, mode: 'lowpass', channels: 1 }), /whole multiple/);
  assert.throws(() => new Conditioner({ inputRateHz: 1000, outputRateHz: 100, mode: 'lowpass', channels: 2 }), /one channel, got 2/);
  const c = new Conditioner(AE);
  assert.throws(() => c.push(0, [new Float32Array(5)]), /1 channels, expected 2/);
});

test('the envelope never falls below the noise floor: bursts in digitiser noise, no ringing under it', () => {
  // a sharp low-pass rings below zero after each burst; the envelope's kernel must not
  const rng = new Rng(7);
  const n = 200_000;
  const noise = 6;
  const x = Float32Array.from({ length: n }, () => rng.normal() * noise);
  for (let burst = 5000; burst < n - 2000; burst += 7919) {
    const amplitude = 30_000 * rng.uniform();
    for (let i = 0; i < 300; i++) x[burst + i] += amplitude * Math.exp(-i / 40) * Math.sin(0.18 * 2 * Math.PI * i);
  }
  const { values } = conditionAll({ inputRateHz: 10_000, outputRateHz: 100, mode: 'envelope', channels: 1 }, [x]);
  const lowest = values.reduce((a, v) => Math.min(a, v), Infinity);
  assert.ok(lowest > 0.5 * noise, `lowest envelope ${lowest} counts vs noise ${noise}`);
  for (const d2 of [2, 4, 8]) {
    const h = designSmoothing(d2);
    assert.equal(h.length, designLowpass(d2).length, 'same support, so the same latency');
    assert.ok(h.every((v) => v >= 0), 'non-negative taps');
    assert.ok(Math.abs(h.reduce((s, v) => s + v, 0) - 1) < 1e-12, 'unit DC gain');
  }
});

test('the envelope kernel still rejects what would alias: > 60 dB at and above the output Nyquist', () => {
  for (const fFrac of [0.5, 0.7, 1.3, 3.1]) {
    const f = fFrac * 100;
    // squared-norm input: an energy that oscillates at f around a mean of 1
    const x = Float32Array.from({ length: 200_000 }, (_, i) => Math.sqrt(1 + 0.5 * Math.sin((2 * Math.PI * f * i) / 10_000 + 0.3)));
    const { values } = conditionAll({ inputRateHz: 10_000, outputRateHz: 100, mode: 'envelope', channels: 1 }, [x]);
    const sq = Array.from(values, (v) => v * v - 1);
    const rms = Math.sqrt(sq.reduce((s, v) => s + v * v, 0) / sq.length);
    assert.ok(rms < (0.5 * 1e-3) / Math.SQRT2, `energy tone at ${f} Hz leaks ${rms}`);
  }
});

test('energy mode: one non-negative channel smoothed without ringing below its background', () => {
  const rng = new Rng(8);
  const background = 1e-6;
  const ke = Float32Array.from({ length: 60_000 }, (_, i) => background * (1 + 0.3 * rng.uniform()) + (i % 5000 < 3 ? 1 : 0));
  const { values } = conditionAll({ inputRateHz: 1000, outputRateHz: 100, mode: 'energy', channels: 1 }, [ke]);
  assert.ok(values.every((v) => v >= background * 0.99), 'never below the background');
  const lp = conditionAll({ inputRateHz: 1000, outputRateHz: 100, mode: 'lowpass', channels: 1 }, [ke]);
  assert.ok(lp.values.some((v) => v < 0), 'the sharp low-pass does ring negative on the same input');
  assert.throws(() => new Conditioner({ inputRateHz: 1000, outputRateHz: 100, mode: 'energy', channels: 2 }), /energy conditioning takes one channel/);
});

test('feature mode: summed channel variances become an RMS amplitude, like the envelope of the same signal', () => {
  const rng = new Rng(9);
  const n = 100_000;
  const a = Float32Array.from({ length: n }, () => rng.normal() * 300);
  const b = Float32Array.from({ length: n }, () => rng.normal() * 100);
  const env = conditionAll(AE, [a, b]);
  // the same channels as a lab would reduce them: variances over 0.01 s blocks (100 Hz), scale 1 and 0.25 (0.5^2)
  const varOf = (x: Float32Array) => Float32Array.from({ length: n / 100 }, (_, k) => x.subarray(k * 100, k * 100 + 100).reduce((s, v) => s + v * v, 0) / 100);
  const feat = conditionAll({ inputRateHz: 100, outputRateHz: 100, mode: 'feature', channels: 2, channelScales: [1, 0.25] }, [varOf(a), varOf(b)]);
  const mean = (v: Float32Array) => v.reduce((s, x) => s + x, 0) / v.length;
  assert.ok(Math.abs(mean(feat.values) - mean(env.values)) / mean(env.values) < 0.01, `feature ${mean(feat.values)} vs envelope ${mean(env.values)}`);
});

test('slower inputs are interpolated: 10 Hz -> 100 Hz, aligned (output k at input k / 10), chunking-independent, gaps reported', () => {
  const x = Float32Array.from({ length: 200 }, (_, i) => 1 + Math.sin(i / 7) ** 2);
  const cfg: ConditionConfig = { inputRateHz: 10, outputRateHz: 100, mode: 'lowpass', channels: 1 };
  const whole = conditionAll(cfg, [x]);
  assert.equal(whole.startIndex, 0);
  assert.equal(whole.values.length, 1991);
  for (let k = 0; k < whole.values.length; k++) {
    const j = Math.floor(k / 10);
    const f = k / 10 - j;
    const expected = f === 0 ? x[j] : (1 - f) * x[j] + f * x[j + 1];
    assert.ok(Math.abs(whole.values[k] - expected) < 1e-6, `k=${k}`);
  }
  const rng = new Rng(3);
  const s = collect(new Conditioner(cfg), rng, [x], 13);
  assert.deepEqual(Float32Array.from(s.values), whole.values);
  const feat = conditionAll({ inputRateHz: 10, outputRateHz: 100, mode: 'feature', channels: 1 }, [Float32Array.of(4, 16)]);
  assert.deepEqual(Array.from(feat.values.subarray(0, 1)), [2], 'sqrt of the interpolated variance');
  assert.ok(Math.abs(feat.values[5] - Math.sqrt(10)) < 1e-6);
  const c = new Conditioner(cfg);
  c.push(0, [x.subarray(0, 50)]);
  const after = c.push(60, [x.subarray(60, 80)]);
  assert.deepEqual(after[0], { kind: 'gap', fromIndex: 491, toIndex: 600 });
  assert.throws(() => new Conditioner({ inputRateHz: 30, outputRateHz: 100, mode: 'feature', channels: 1 }), /whole multiple of the input rate 30 Hz/);
  assert.throws(() => new Conditioner({ inputRateHz: 50, outputRateHz: 100, mode: 'envelope', channels: 1 }), /cannot make a 100 Hz envelope/);
});
