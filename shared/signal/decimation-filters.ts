/**
 * The two-stage decimator's filters (pure design, no state): how D splits into a boxcar stage and
 * an FIR stage, the FIR's windowed-sinc taps, and the non-negative Gaussian taps the envelope and
 * energy modes use instead (condition.ts says why).
 */

/** Passband edge and stopband start of the FIR, as fractions of the output rate. */
const PASS_EDGE = 0.3;
const STOP_EDGE = 0.5;
/** Blackman window: transition width ~ 5.5 / taps cycles per sample, ~74 dB stopband. */
const BLACKMAN_TRANSITION = 5.5;

/** Gaussian std, output samples, whose response exp(-2 pi^2 s^2 f^2) is 1e-3 at f = 0.5 /sample. */
const GAUSS_SIGMA_OUT = Math.sqrt(Math.log(1000) / (2 * Math.PI ** 2)) / 0.5;

/** The two decimation factors for D: D1 the largest odd divisor (boxcar), D2 = D / D1 (FIR). */
export function splitDecimation(d: number): { d1: number; d2: number } {
  if (!Number.isInteger(d) || d < 1) throw new RangeError(`decimation factor must be a whole number >= 1, got ${d}`);
  let d2 = 1;
  while ((d / d2) % 2 === 0) d2 *= 2;
  const d1 = d / d2;
  // an odd D leaves nothing for the FIR: let the FIR do it all (boxcar alone aliases)
  return d2 === 1 && d > 1 ? { d1: 1, d2: d } : { d1, d2 };
}

/** Symmetric low-pass FIR taps h[-H..H] (stored h[0..2H]), unit DC gain. */
export function designLowpass(d2: number): Float64Array {
  if (d2 === 1) return Float64Array.of(1);
  // frequencies relative to the intermediate rate: output rate = 1 / d2
  const cutoff = (0.5 * (PASS_EDGE + STOP_EDGE)) / d2;
  const transition = (STOP_EDGE - PASS_EDGE) / d2;
  let taps = Math.ceil(BLACKMAN_TRANSITION / transition);
  if (taps % 2 === 0) taps++;
  const half = (taps - 1) / 2;
  const h = new Float64Array(taps);
  let sum = 0;
  for (let i = 0; i < taps; i++) {
    const m = i - half;
    const sinc = m === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * m) / (Math.PI * m);
    const w = 0.42 - 0.5 * Math.cos((2 * Math.PI * i) / (taps - 1)) + 0.08 * Math.cos((4 * Math.PI * i) / (taps - 1));
    h[i] = sinc * w;
    sum += h[i];
  }
  for (let i = 0; i < taps; i++) h[i] /= sum;
  return h;
}

/**
 * Non-negative smoothing taps for the envelope and energy modes: a Gaussian of GAUSS_SIGMA_OUT
 * output samples on the same support as designLowpass (so latency does not depend on the mode),
 * unit DC gain.
 */
export function designSmoothing(d2: number): Float64Array {
  const taps = designLowpass(d2).length;
  if (taps === 1) return Float64Array.of(1);
  const half = (taps - 1) / 2;
  const s = GAUSS_SIGMA_OUT * d2;
  const h = Float64Array.from({ length: taps }, (_, i) => Math.exp(-0.5 * ((i - half) / s) ** 2));
  const sum = h.reduce((a, v) => a + v, 0);
  return h.map((v) => v / sum);
}
