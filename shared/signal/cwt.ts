/**
 * Continuous wavelet transform of fixed-length windows by FFT (Torrence & Compo 1998), its inverse
 * (T&C eq. 11) and its cone of influence. A CwtPlan precomputes, for one (window length, dt,
 * scales, wavelet), the FFT plan and the filter bank, so each window costs one forward FFT and,
 * for the real DOG wavelet, one inverse FFT per pair of scales.
 *
 * Layout: scalograms are Float32Array[scales x samples], scale-major (row j = scale j), the shape
 * the CED takes.
 */
import { FftPlan, nextPow2 } from './fft.ts';
import { SimdCwtKernel } from './wasm/cwt-simd.ts';
import type { Wavelet } from './wavelets.ts';

export interface CwtOptions {
  /** samples per window */
  n: number;
  /** sample interval, s */
  dtS: number;
  /** scales, s (ascending) */
  scalesS: Float64Array;
  /** the dj the scales were made with (for the inverse) */
  dj: number;
  wavelet: Wavelet;
  /** FFT length (zero padding), default: the next power of two >= n (T&C section 3f) */
  fftLength?: number;
  /**
   * 'simd': the per-scale inverse FFTs in WebAssembly SIMD (float32, real wavelets only);
   * 'js': float64 in JavaScript; 'auto' (default): simd where it applies and is supported.
   */
  engine?: 'auto' | 'simd' | 'js';
}

export class CwtPlan {
  readonly n: number;
  readonly scales: number;
  readonly fftLength: number;
  readonly dtS: number;
  readonly scalesS: Float64Array;
  readonly dj: number;
  readonly wavelet: Wavelet;
  /** reconstruction factor C_delta for this exact scale set (see reconstructionFactor) */
  readonly cDelta: number;
  private readonly fft: FftPlan;
  /** filter bank [scale][bin] of psi-hat(s w_k) sqrt(2 pi s / dt) / N (1/N folded in for the inverse) */
  private readonly bank: Float64Array;
  /** spectrum of the window and the working buffer, interleaved complex */
  private readonly spectrum: Float64Array;
  private readonly work: Float64Array;
  private readonly inverseWeights: Float64Array;
  private coi: Uint8Array | undefined;
  private readonly simd: SimdCwtKernel | null;
  /** which engine runs the inverse FFTs */
  readonly engine: 'simd' | 'js';

  constructor(o: CwtOptions) {
    if (!Number.isInteger(o.n) || o.n < 2) throw new RangeError(`window length must be an integer >= 2, got ${o.n}`);
    if (!(o.dtS > 0)) throw new RangeError(`dtS must be > 0, got ${o.dtS}`);
    if (o.scalesS.length < 1) throw new RangeError('need at least one scale');
    this.n = o.n;
    this.dtS = o.dtS;
    this.scalesS = o.scalesS;
    this.scales = o.scalesS.length;
    this.dj = o.dj;
    this.wavelet = o.wavelet;
    this.fftLength = o.fftLength ?? Math.max(4, nextPow2(o.n));
    if (this.fftLength < o.n) throw new RangeError(`fftLength ${this.fftLength} is shorter than the window ${o.n}`);
    const N = this.fftLength;
    this.fft = new FftPlan(N);
    this.bank = new Float64Array(this.scales * N);
    for (let j = 0; j < this.scales; j++) {
      const s = o.scalesS[j];
      const norm = Math.sqrt((2 * Math.PI * s) / o.dtS) / N;
      for (let k = 0; k < N; k++) {
        // angular frequency of bin k: positive up to N/2, negative above (T&C eq. 5)
        const w = ((2 * Math.PI) / (N * o.dtS)) * (k <= N / 2 ? k : k - N);
        this.bank[j * N + k] = norm * o.wavelet.spectrum(s * w);
      }
    }
    this.spectrum = new Float64Array(2 * N);
    this.work = new Float64Array(2 * N);
    const want = o.engine ?? 'auto';
    if (want === 'simd' && !o.wavelet.realEven) throw new Error(`the simd engine needs a real wavelet; ${o.wavelet.name} is complex`);
    this.simd = want !== 'js' && o.wavelet.realEven ? SimdCwtKernel.create(N, o.n, this.scales, this.bank, this.fft.bitReversal) : null;
    if (want === 'simd' && !this.simd) throw new Error('WebAssembly SIMD is not available here');
    this.engine = this.simd ? 'simd' : 'js';
    this.cDelta = reconstructionFactor(o.wavelet, o.scalesS, o.dj, o.dtS);
    this.inverseWeights = new Float64Array(this.scales);
    for (let j = 0; j < this.scales; j++) {
      this.inverseWeights[j] = (o.dj * Math.sqrt(o.dtS)) / (this.cDelta * o.wavelet.psi0AtZero * Math.sqrt(o.scalesS[j]));
    }
  }

  /**
   * Real part of the CWT of one window into out (scale-major, scales x n). For the real DOG
   * wavelet this is the whole transform; for Morlet, pass outImag for the imaginary part.
   * The caller removes or normalises the mean first (the wavelet has zero mean anyway).
   */
  transform(xIn: ArrayLike<number>, out: Float32Array, outImag?: Float32Array): void {
    const { n, fftLength: N, spectrum: x, work: w, bank, scales } = this;
    if (xIn.length !== n) throw new RangeError(`window has ${xIn.length} samples, the plan expects ${n}`);
    if (out.length !== scales * n) throw new RangeError(`output has ${out.length} values, expected ${scales} x ${n}`);
    x.fill(0);
    for (let i = 0; i < n; i++) x[2 * i] = xIn[i];
    this.fft.forward(x);
    if (this.simd) {
      this.simd.transform(x, out);
    } else if (this.wavelet.realEven) {
      // two real outputs per complex inverse FFT: IFFT(X H_a + i X H_b) = w_a + i w_b
      for (let j = 0; j < scales; j += 2) {
        const a = j * N;
        const pair = j + 1 < scales;
        const b = pair ? a + N : a;
        for (let k = 0; k < N; k++) {
          const ha = bank[a + k];
          const hb = pair ? bank[b + k] : 0;
          const xr = x[2 * k];
          const xi = x[2 * k + 1];
          w[2 * k] = xr * ha - xi * hb;
          w[2 * k + 1] = xi * ha + xr * hb;
        }
        this.fft.inverseUnscaled(w);
        const rowA = j * n;
        for (let i = 0; i < n; i++) out[rowA + i] = w[2 * i];
        if (pair) {
          const rowB = rowA + n;
          for (let i = 0; i < n; i++) out[rowB + i] = w[2 * i + 1];
        }
      }
    } else {
      for (let j = 0; j < scales; j++) {
        const a = j * N;
        for (let k = 0; k < N; k++) {
          w[2 * k] = x[2 * k] * bank[a + k];
          w[2 * k + 1] = x[2 * k + 1] * bank[a + k];
        }
        this.fft.inverseUnscaled(w);
        const row = j * n;
        for (let i = 0; i < n; i++) out[row + i] = w[2 * i];
        if (outImag) for (let i = 0; i < n; i++) outImag[row + i] = w[2 * i + 1];
      }
    }
  }

  /**
   * Inverse CWT (T&C eq. 11): x_n = dj dt^{1/2} / (C_delta psi0(0)) sum_j Re W_n(s_j) / s_j^{1/2}.
   * Reconstructs the part of the signal within the scale range, without its mean; add the mean
   * back from the normalisation statistics.
   */
  inverse(w: Float32Array, out: Float32Array | Float64Array): void {
    const { n, scales, inverseWeights } = this;
    if (w.length !== scales * n) throw new RangeError(`scalogram has ${w.length} values, expected ${scales} x ${n}`);
    if (out.length !== n) throw new RangeError(`output has ${out.length} samples, expected ${n}`);
    out.fill(0);
    for (let j = 0; j < scales; j++) {
      const c = inverseWeights[j];
      const row = j * n;
      for (let i = 0; i < n; i++) out[i] += c * w[row + i];
    }
  }

  /**
   * Cone of influence: 1 where edge effects matter, i.e. where the e-folding time of the scale,
   * sqrt(2) s, exceeds the distance to the nearer window edge (T&C section 3g). Scale-major.
   */
  coneOfInfluence(): Uint8Array {
    if (this.coi) return this.coi;
    const { n, scales, dtS } = this;
    const mask = new Uint8Array(scales * n);
    for (let j = 0; j < scales; j++) {
      const reach = this.wavelet.eFoldingFactor * this.scalesS[j];
      for (let i = 0; i < n; i++) {
        const edgeDistanceS = Math.min(i + 1, n - i) * dtS;
        mask[j * n + i] = reach > edgeDistanceS ? 1 : 0;
      }
    }
    this.coi = mask;
    return mask;
  }

  /** Fourier period of each scale, s. */
  periodsS(): Float64Array {
    return this.scalesS.map((s) => s * this.wavelet.fourierFactor);
  }
}

/**
 * Reconstruction factor C_delta for a scale set (T&C eq. 11): chosen so that forward then inverse
 * has unit gain for content inside the scale range. The response of the inverse to cos(w t) is
 *   H(w) = dj dt^{1/2} / (C_delta psi0(0)) sum_j sqrt(2 pi / dt) (psi0-hat(s_j w) + psi0-hat(-s_j w)) / 2,
 * flat in the interior of the band; C_delta makes its mean over log-frequency, one octave inside
 * each end of the band, equal to 1. (T&C's eq. 13 calibrates on a unit impulse instead, which
 * weights the smallest scales and depends on s0 relative to dt; for s0 = 2 dt and a dense DOG set
 * this calibration gives ~3.6, T&C's Table 2 lists 3.541.)
 */
export function reconstructionFactor(wavelet: Wavelet, scalesS: Float64Array, dj: number, dtS: number): number {
  const periods = scalesS.map((s) => s * wavelet.fourierFactor);
  const lo = Math.log(periods[0] * 2);
  const hi = Math.log(periods[periods.length - 1] / 2);
  if (!(hi > lo)) throw new RangeError('the scale range must span more than two octaves to calibrate the inverse');
  const samples = 64;
  let sum = 0;
  for (let q = 0; q < samples; q++) {
    const w = (2 * Math.PI) / Math.exp(lo + ((hi - lo) * (q + 0.5)) / samples);
    let h = 0;
    for (const s of scalesS) h += Math.sqrt((2 * Math.PI) / dtS) * 0.5 * (wavelet.spectrum(s * w) + wavelet.spectrum(-s * w));
    sum += h;
  }
  return ((dj * Math.sqrt(dtS)) / wavelet.psi0AtZero) * (sum / samples);
}
