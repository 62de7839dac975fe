/**
 * The CWT against closed forms (Torrence & Compo 1998 normalisation):
 *  - a cosine on an FFT bin: W_n(s) = sqrt(2 pi s / dt) psi0-hat(s w) cos(w t_n), exactly;
 *  - a Gaussian exp(-t^2 / 2 sigma^2) with the DOG-2 wavelet, a = sqrt(sigma^2 + s^2):
 *    W(s, b) = sigma s^2 sqrt(2 pi s / dt) (1 - b^2/a^2) exp(-b^2 / 2a^2) / (a^3 sqrt(Gamma(2.5)));
 *  - the response to a sinusoid peaks at the scale whose Fourier period is the sinusoid's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CwtPlan } from '../../../shared/signal/cwt.ts';
import { DOG2, MORLET, scalesFor, waveletByName } from '../../../shared/signal/wavelets.ts';
import { presetById } from '../../../training/presets.ts';
import { windowGeometry } from '../../../shared/signal/window-preset.ts';
import { Rng } from '../../../shared/random.ts';

const GAMMA_2_5 = 1.329340388179137;

/** Both engines run every real-wavelet test; the SIMD one computes in float32, hence its tolerance. */
const ENGINES = [
  { engine: 'js' as const, tol: 1e-6 },
  { engine: 'simd' as const, tol: 1e-5 },
];

function planFor(n: number, dtS: number, minPeriodS: number, maxPeriodS: number, count = 48, wavelet = DOG2, engine: 'js' | 'simd' = 'js') {
  const { scalesS, dj } = scalesFor({ kind: 'periods', minPeriodS, maxPeriodS, count }, wavelet);
  return new CwtPlan({ n, dtS, scalesS, dj, wavelet, engine: wavelet.realEven ? engine : 'js' });
}

test('CWT of a cosine on an FFT bin equals the analytic result (1e-6 of the peak in JS, 1e-5 in SIMD float32; DOG-2 and Morlet)', () => {
  const n = 512;
  const dt = 0.01;
  for (const [wavelet, { engine, tol }] of [[DOG2, ENGINES[0]], [DOG2, ENGINES[1]], [MORLET, ENGINES[0]]] as const) {
    const plan = planFor(n, dt, 0.04, 4, 40, wavelet, engine);
    const k1 = 16;
    const w1 = (2 * Math.PI * k1) / (n * dt);
    const x = Float64Array.from({ length: n }, (_, i) => Math.cos(w1 * i * dt));
    const re = new Float32Array(plan.scales * n);
    const im = new Float32Array(plan.scales * n);
    plan.transform(x, re, im);
    for (let j = 0; j < plan.scales; j++) {
      const s = plan.scalesS[j];
      const norm = Math.sqrt((2 * Math.PI * s) / dt);
      // a real cosine is (e^{iwt} + e^{-iwt}) / 2; each side is weighted by psi-hat at +-s w
      const hp = norm * wavelet.spectrum(s * w1);
      const hm = norm * wavelet.spectrum(-s * w1);
      const peak = Math.max(Math.abs(hp), Math.abs(hm), 1e-3);
      for (let i = 0; i < n; i++) {
        const expRe = 0.5 * (hp + hm) * Math.cos(w1 * i * dt);
        const expIm = 0.5 * (hp - hm) * Math.sin(w1 * i * dt);
        assert.ok(Math.abs(re[j * n + i] - expRe) < tol * peak, `${wavelet.name}/${engine} s=${s} i=${i}: ${re[j * n + i]} vs ${expRe}`);
        if (!wavelet.realEven) assert.ok(Math.abs(im[j * n + i] - expIm) < tol * peak);
      }
    }
  }
});

for (const { engine, tol } of ENGINES) test(`DOG-2 CWT of a Gaussian matches its closed form to ${tol} of the peak (${engine})`, () => {
  const n = 2048;
  const dt = 0.01;
  const sigma = 0.1;
  const t0 = (n / 2) * dt;
  const plan = planFor(n, dt, 0.05, 2, 48, DOG2, engine);
  const x = Float64Array.from({ length: n }, (_, i) => Math.exp(-(((i * dt - t0) / sigma) ** 2) / 2));
  const w = new Float32Array(plan.scales * n);
  plan.transform(x, w);
  for (let j = 0; j < plan.scales; j++) {
    const s = plan.scalesS[j];
    const a2 = sigma * sigma + s * s;
    const a = Math.sqrt(a2);
    const amp = (sigma * s * s * Math.sqrt((2 * Math.PI * s) / dt)) / (a ** 3 * Math.sqrt(GAMMA_2_5));
    for (let i = 0; i < n; i++) {
      const b = i * dt - t0;
      if (Math.abs(b) > 4) continue; // far from the ends: no wrap-around of the longest wavelet
      const expected = amp * (1 - (b * b) / a2) * Math.exp(-(b * b) / (2 * a2));
      assert.ok(Math.abs(w[j * n + i] - expected) < tol * amp, `s=${s} b=${b}: ${w[j * n + i]} vs ${expected}`);
    }
  }
});

test('the response to a sinusoid peaks at the scale of its Fourier period', () => {
  const n = 4096;
  const dt = 0.001;
  for (const wavelet of [DOG2, MORLET]) {
    const plan = planFor(n, dt, 0.005, 1, 80, wavelet);
    const periods = plan.periodsS();
    const step = periods[1] / periods[0];
    for (const P of [0.02, 0.07, 0.2]) {
      const x = Float64Array.from({ length: n }, (_, i) => Math.cos((2 * Math.PI * i * dt) / P));
      const re = new Float32Array(plan.scales * n);
      const im = new Float32Array(plan.scales * n);
      plan.transform(x, re, im);
      let best = 0;
      let bestPower = -1;
      for (let j = 0; j < plan.scales; j++) {
        let p = 0;
        for (let i = n / 4; i < (3 * n) / 4; i++) p += re[j * n + i] ** 2 + im[j * n + i] ** 2;
        if (p > bestPower) {
          bestPower = p;
          best = j;
        }
      }
      assert.ok(Math.abs(Math.log(periods[best] / P)) <= Math.log(step), `${wavelet.name}: ${P} s peaks at period ${periods[best]}`);
    }
  }
});

for (const { engine } of ENGINES) test(`forward then inverse reconstructs in-band content: < 5 % relative RMS inside the window, < 7 % overall (${engine})`, () => {
  for (const id of ['2s', '0.4s']) {
    const p = presetById(id);
    const { windowSamples: n } = windowGeometry(p);
    const dt = 1 / p.sampleRateHz;
    const wavelet = waveletByName(p.wavelet);
    const { scalesS, dj } = scalesFor(p.scales, wavelet);
    const plan = new CwtPlan({ n, dtS: dt, scalesS, dj, wavelet, engine });
    const rng = new Rng(2);
    // content one octave or more inside the scale range (periods 4 dt .. window / 2)
    const periods = [0.04, 0.1, 0.25].map((f) => f * p.windowS);
    for (let trial = 0; trial < 20; trial++) {
      const phases = periods.map(() => 2 * Math.PI * rng.uniform());
      const amps = periods.map(() => 0.5 + rng.uniform());
      const x = Float64Array.from({ length: n }, (_, i) => periods.reduce((s, P, k) => s + amps[k] * Math.cos((2 * Math.PI * i * dt) / P + phases[k]), 0));
      const w = new Float32Array(plan.scales * n);
      plan.transform(x, w);
      const y = new Float64Array(n);
      plan.inverse(w, y);
      const rel = (a: number, b: number): number => {
        let e = 0;
        let s = 0;
        for (let i = a; i < b; i++) {
          e += (y[i] - x[i]) ** 2;
          s += x[i] ** 2;
        }
        return Math.sqrt(e / s);
      };
      assert.ok(rel(n / 4, (3 * n) / 4) < 0.05, `${id} trial ${trial}: interior ${rel(n / 4, (3 * n) / 4)}`);
      assert.ok(rel(0, n) < 0.07, `${id} trial ${trial}: overall ${rel(0, n)}`);
    }
  }
});

test('cone of influence: its definition, and outside it the window agrees with a long-context CWT', () => {
  const p = presetById('2s');
  const { windowSamples: n } = windowGeometry(p);
  const dt = 1 / p.sampleRateHz;
  const { scalesS, dj } = scalesFor(p.scales, DOG2);
  const plan = new CwtPlan({ n, dtS: dt, scalesS, dj, wavelet: DOG2 });
  const coi = plan.coneOfInfluence();
  for (let j = 0; j < plan.scales; j++) {
    for (let i = 0; i < n; i++) {
      const inside = Math.SQRT2 * scalesS[j] > Math.min(i + 1, n - i) * dt;
      assert.equal(coi[j * n + i], inside ? 1 : 0);
    }
  }
  // smallest scales are edge-free but at the very ends; the largest are affected nearly everywhere
  assert.equal(coi[n / 2], 0);
  assert.equal(coi[(plan.scales - 1) * n + 10], 1);
  // meaning: cut a window out of white noise; compare with the CWT of the long record
  const rng = new Rng(4);
  const N = 2048;
  const long = Float64Array.from({ length: N }, () => rng.normal());
  const longPlan = new CwtPlan({ n: N, dtS: dt, scalesS, dj, wavelet: DOG2 });
  const wl = new Float32Array(plan.scales * N);
  longPlan.transform(long, wl);
  let outSum = 0;
  let outN = 0;
  let inSum = 0;
  let inN = 0;
  let ref = 0;
  for (let trial = 0; trial < 5; trial++) {
    const off = 300 + trial * 250;
    const w = new Float32Array(plan.scales * n);
    plan.transform(long.subarray(off, off + n), w);
    for (let k = 0; k < w.length; k++) {
      const j = Math.floor(k / n);
      const i = k % n;
      const d = (w[k] - wl[j * N + off + i]) ** 2;
      ref += wl[j * N + off + i] ** 2;
      if (coi[k]) {
        inSum += d;
        inN++;
      } else {
        outSum += d;
        outN++;
      }
    }
  }
  const outside = Math.sqrt(outSum / outN);
  const inside = Math.sqrt(inSum / inN);
  const rms = Math.sqrt(ref / (5 * plan.scales * n));
  assert.ok(outside < 0.15 * rms, `outside the cone the edge error is ${outside / rms} of the signal`);
  assert.ok(outside < 0.5 * inside, `edge error outside ${outside} vs inside ${inside}`);
});

test('the SIMD and JS engines agree to 1e-6 of the largest coefficient on noise, at both presets', () => {
  const rng = new Rng(12);
  for (const id of ['2s', '0.4s']) {
    const p = presetById(id);
    const { windowSamples: n } = windowGeometry(p);
    const { scalesS, dj } = scalesFor(p.scales, DOG2);
    const js = new CwtPlan({ n, dtS: 1 / p.sampleRateHz, scalesS, dj, wavelet: DOG2, engine: 'js' });
    const simd = new CwtPlan({ n, dtS: 1 / p.sampleRateHz, scalesS, dj, wavelet: DOG2 });
    assert.equal(simd.engine, 'simd', 'auto picks SIMD on Node 20');
    for (let trial = 0; trial < 5; trial++) {
      const x = Float64Array.from({ length: n }, () => rng.normal());
      const a = new Float32Array(js.scales * n);
      const b = new Float32Array(js.scales * n);
      js.transform(x, a);
      simd.transform(x, b);
      let peak = 0;
      for (const v of a) peak = Math.max(peak, Math.abs(v));
      for (let k = 0; k < a.length; k++) assert.ok(Math.abs(a[k] - b[k]) < 1e-6 * peak, `${id} coefficient ${k}: ${a[k]} vs ${b[k]}`);
    }
  }
});

test('bad plans are refused with the values in the message', () => {
  const { scalesS, dj } = scalesFor({ kind: 'periods', minPeriodS: 0.02, maxPeriodS: 2, count: 8 }, DOG2);
  assert.throws(() => new CwtPlan({ n: 200, dtS: 0, scalesS, dj, wavelet: DOG2 }), /dtS must be > 0, got 0/);
  assert.throws(() => new CwtPlan({ n: 200, dtS: 0.01, scalesS, dj, wavelet: DOG2, fftLength: 128 }), /fftLength 128 is shorter than the window 200/);
  const plan = new CwtPlan({ n: 200, dtS: 0.01, scalesS, dj, wavelet: DOG2 });
  assert.throws(() => plan.transform(new Float64Array(100), new Float32Array(8 * 200)), /100 samples, the plan expects 200/);
  assert.throws(() => waveletByName('haar'), /unknown wavelet "haar"; valid: dog2, morlet/);
  assert.throws(() => new CwtPlan({ n: 200, dtS: 0.01, scalesS, dj, wavelet: MORLET, engine: 'simd' }), /needs a real wavelet; morlet is complex/);
  assert.throws(() => scalesFor({ kind: 'periods', minPeriodS: 2, maxPeriodS: 1, count: 8 }, DOG2), /minPeriodS < maxPeriodS/);
});
