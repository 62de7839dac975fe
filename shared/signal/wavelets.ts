/**
 * Mother wavelets for the CWT (Torrence & Compo 1998, Table 1). Spectra are normalised to unit
 * energy; the CWT multiplies them by sqrt(2 pi s / dt) (T&C eq. 6).
 */
export type WaveletName = 'dog2' | 'morlet';

export interface Wavelet {
  name: WaveletName;
  /** true when psi-hat is real and even: a real signal has a real CWT, two scales share an FFT */
  realEven: boolean;
  /** psi0-hat(s omega) for omega in rad/s, s in s */
  spectrum(sOmega: number): number;
  /** Fourier period / scale */
  fourierFactor: number;
  /** e-folding time / scale: the cone of influence (sqrt 2 for both) */
  eFoldingFactor: number;
  /** psi0(0), for the reconstruction formula (T&C eq. 11) */
  psi0AtZero: number;
}

const GAMMA_2_5 = 1.329340388179137; // Gamma(m + 1/2) for m = 2

/** DOG m = 2, the Ricker or Mexican hat: real, so the CWT of a real signal is real and invertible. */
export const DOG2: Wavelet = {
  name: 'dog2',
  realEven: true,
  // -(i^m / sqrt(Gamma(m + 1/2))) (s w)^m e^{-(s w)^2 / 2}, and -(i^2) = 1
  spectrum: (sw) => ((sw * sw) / Math.sqrt(GAMMA_2_5)) * Math.exp(-0.5 * sw * sw),
  fourierFactor: (2 * Math.PI) / Math.sqrt(2.5),
  eFoldingFactor: Math.SQRT2,
  psi0AtZero: 1 / Math.sqrt(GAMMA_2_5), // (1 - 0) e^0 / sqrt(Gamma(2.5)) = 0.867325
};

const MORLET_W0 = 6;

/** Morlet, omega0 = 6: analytic (complex CWT); for time-frequency power, not for inversion here. */
export const MORLET: Wavelet = {
  name: 'morlet',
  realEven: false,
  spectrum: (sw) => (sw > 0 ? Math.PI ** -0.25 * Math.exp(-0.5 * (sw - MORLET_W0) ** 2) : 0),
  fourierFactor: (4 * Math.PI) / (MORLET_W0 + Math.sqrt(2 + MORLET_W0 * MORLET_W0)),
  eFoldingFactor: Math.SQRT2,
  psi0AtZero: Math.PI ** -0.25,
};

export const WAVELETS: Record<WaveletName, Wavelet> = { dog2: DOG2, morlet: MORLET };

export function waveletByName(name: string): Wavelet {
  const w = WAVELETS[name as WaveletName];
  if (!w) throw new Error(`unknown wavelet "${name}"; valid: ${Object.keys(WAVELETS).join(', ')}`);
  return w;
}

/** How to choose scales: T&C's (s0, dj, J) or a period range covered by `count` scales. */
export type ScaleSpec =
  | { kind: 'geometric'; s0S: number; dj: number; count: number }
  | { kind: 'periods'; minPeriodS: number; maxPeriodS: number; count: number };

/** Scales in seconds, s_j = s0 2^{j dj} (T&C eq. 9-10), for a wavelet and a spec. */
export function scalesFor(spec: ScaleSpec, wavelet: Wavelet): { scalesS: Float64Array; dj: number } {
  if (!(spec.count >= 2) || !Number.isInteger(spec.count)) throw new RangeError(`scale count must be an integer >= 2, got ${spec.count}`);
  let s0: number;
  let dj: number;
  if (spec.kind === 'geometric') {
    if (!(spec.s0S > 0) || !(spec.dj > 0)) throw new RangeError(`s0S and dj must be > 0, got ${spec.s0S}, ${spec.dj}`);
    s0 = spec.s0S;
    dj = spec.dj;
  } else {
    if (!(spec.minPeriodS > 0) || !(spec.maxPeriodS > spec.minPeriodS))
      throw new RangeError(`need 0 < minPeriodS < maxPeriodS, got ${spec.minPeriodS}, ${spec.maxPeriodS}`);
    s0 = spec.minPeriodS / wavelet.fourierFactor;
    dj = Math.log2(spec.maxPeriodS / spec.minPeriodS) / (spec.count - 1);
  }
  const scalesS = new Float64Array(spec.count);
  for (let j = 0; j < spec.count; j++) scalesS[j] = s0 * 2 ** (j * dj);
  return { scalesS, dj };
}
