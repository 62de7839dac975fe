/**
 * In-place complex FFT on split real/imaginary Float64Arrays: radix-2 decimation in time with
 * pairs of stages fused into one memory pass (radix-2^2), contiguous per-pass twiddle tables and
 * multiplication-free first stages. Plans precompute the bit-reversal permutation and twiddles
 * once per size; transforms allocate nothing. (fft.js out of the box was 2-7x slower than numpy
 * on the CWT; this is what closes that gap, see BENCHMARKS.md.)
 *
 * Convention: forward X_k = sum_n x_n e^{-2 pi i k n / N} (no scaling); inverse is the conjugate
 * transform scaled by 1/N, so inverse(forward(x)) = x.
 */
export class FftPlan {
  readonly n: number;
  private readonly rev: Uint32Array;
  /** per fused pass (group sizes 16, 64, ... or, after the odd radix-2 stage, 32, 128, ...): twiddles w_m^{2k} and w_m^k, k < m/4 */
  private readonly passes: { m: number; c1: Float64Array; s1: Float64Array; c2: Float64Array; s2: Float64Array }[] = [];
  /** the radix-2 pass left over when log2(n) is odd, at group size 8 */
  private readonly oddPass: boolean;

  /** @param n transform length, a power of two >= 4 */
  constructor(n: number) {
    if (!Number.isInteger(n) || n < 4 || (n & (n - 1)) !== 0) throw new RangeError(`FFT length must be a power of two >= 4, got ${n}`);
    this.n = n;
    const bits = Math.log2(n);
    this.rev = new Uint32Array(n);
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >>> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
    // stages of size 2 and 4 are done without multiplications; the rest in fused pairs
    // (radix-2^2): one memory pass per two radix-2 stages
    this.oddPass = bits % 2 === 1;
    for (let m = this.oddPass ? 32 : 16; m <= n; m *= 4) {
      const q = m / 4;
      const c1 = new Float64Array(q);
      const s1 = new Float64Array(q);
      const c2 = new Float64Array(q);
      const s2 = new Float64Array(q);
      for (let k = 0; k < q; k++) {
        c1[k] = Math.cos((4 * Math.PI * k) / m);
        s1[k] = Math.sin((4 * Math.PI * k) / m);
        c2[k] = Math.cos((2 * Math.PI * k) / m);
        s2[k] = Math.sin((2 * Math.PI * k) / m);
      }
      this.passes.push({ m, c1, s1, c2, s2 });
    }
  }

  /** Forward transform in place. */
  forward(re: Float64Array, im: Float64Array): void {
    this.transform(re, im, -1);
  }

  /** Inverse transform in place, scaled by 1/N. */
  inverse(re: Float64Array, im: Float64Array): void {
    this.transform(re, im, 1);
    const s = 1 / this.n;
    for (let i = 0; i < this.n; i++) {
      re[i] *= s;
      im[i] *= s;
    }
  }

  /** Inverse transform in place without the 1/N scaling (callers fold it into their filters). */
  inverseUnscaled(re: Float64Array, im: Float64Array): void {
    this.transform(re, im, 1);
  }

  private transform(re: Float64Array, im: Float64Array, sign: 1 | -1): void {
    const n = this.n;
    const rev = this.rev;
    for (let i = 0; i < n; i++) {
      const j = rev[i];
      if (j > i) {
        const tr = re[i];
        re[i] = re[j];
        re[j] = tr;
        const ti = im[i];
        im[i] = im[j];
        im[j] = ti;
      }
    }
    // stages 2 and 4 fused: twiddles 1 and -sign*i only
    for (let i = 0; i < n; i += 4) {
      const r0 = re[i] + re[i + 1];
      const i0 = im[i] + im[i + 1];
      const r1 = re[i] - re[i + 1];
      const i1 = im[i] - im[i + 1];
      const r2 = re[i + 2] + re[i + 3];
      const i2 = im[i + 2] + im[i + 3];
      const r3 = re[i + 2] - re[i + 3];
      const i3 = im[i + 2] - im[i + 3];
      // b3 * (sign i) = -sign i3 + i sign r3
      const t3r = -sign * i3;
      const t3i = sign * r3;
      re[i] = r0 + r2;
      im[i] = i0 + i2;
      re[i + 2] = r0 - r2;
      im[i + 2] = i0 - i2;
      re[i + 1] = r1 + t3r;
      im[i + 1] = i1 + t3i;
      re[i + 3] = r1 - t3r;
      im[i + 3] = i1 - t3i;
    }
    if (this.oddPass) {
      // one radix-2 stage of size 8 brings the remaining stage count to even
      for (let start = 0; start < n; start += 8) {
        for (let k = 0; k < 4; k++) {
          const wr = EIGHTH_COS[k];
          const wi = sign * EIGHTH_SIN[k];
          const a = start + k;
          const b = a + 4;
          const xr = re[b] * wr - im[b] * wi;
          const xi = re[b] * wi + im[b] * wr;
          re[b] = re[a] - xr;
          im[b] = im[a] - xi;
          re[a] += xr;
          im[a] += xi;
        }
      }
    }
    for (const { m, c1, s1, c2, s2 } of this.passes) {
      const q = m >>> 2;
      for (let start = 0; start < n; start += m) {
        for (let k = 0; k < q; k++) {
          const a0 = start + k;
          const a1 = a0 + q;
          const a2 = a1 + q;
          const a3 = a2 + q;
          // first radix-2 stage (size m/2): pairs (a0,a1), (a2,a3) with w_{m/2}^k
          const w1r = c1[k];
          const w1i = sign * s1[k];
          const x1r = re[a1] * w1r - im[a1] * w1i;
          const x1i = re[a1] * w1i + im[a1] * w1r;
          const x3r = re[a3] * w1r - im[a3] * w1i;
          const x3i = re[a3] * w1i + im[a3] * w1r;
          const b0r = re[a0] + x1r;
          const b0i = im[a0] + x1i;
          const b1r = re[a0] - x1r;
          const b1i = im[a0] - x1i;
          const b2r = re[a2] + x3r;
          const b2i = im[a2] + x3i;
          const b3r = re[a2] - x3r;
          const b3i = im[a2] - x3i;
          // second stage (size m): pairs (b0,b2) with w_m^k, (b1,b3) with w_m^{k + m/4} = w_m^k * (sign i)
          const w2r = c2[k];
          const w2i = sign * s2[k];
          const y2r = b2r * w2r - b2i * w2i;
          const y2i = b2r * w2i + b2i * w2r;
          const z3r = b3r * w2r - b3i * w2i;
          const z3i = b3r * w2i + b3i * w2r;
          const y3r = -sign * z3i;
          const y3i = sign * z3r;
          re[a0] = b0r + y2r;
          im[a0] = b0i + y2i;
          re[a2] = b0r - y2r;
          im[a2] = b0i - y2i;
          re[a1] = b1r + y3r;
          im[a1] = b1i + y3i;
          re[a3] = b1r - y3r;
          im[a3] = b1i - y3i;
        }
      }
    }
  }
}

const EIGHTH_COS = Float64Array.from([0, 1, 2, 3], (k) => Math.cos((Math.PI * k) / 4));
const EIGHTH_SIN = Float64Array.from([0, 1, 2, 3], (k) => Math.sin((Math.PI * k) / 4));

/** Smallest power of two >= n. */
export function nextPow2(n: number): number {
  let p = 1;
  while (p < n) p <<= 1;
  return p;
}
