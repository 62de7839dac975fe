// AssemblyScript (compiled to WebAssembly with SIMD by `npm run build:wasm`; not TypeScript).
//
// The per-scale inverse FFTs of the real-wavelet CWT, four scales at a time: bins are stored as
// f32x4 lanes (Ar, Ai, Br, Bi) of two complex transforms A = X (H_a + i H_b) and B = X (H_c + i H_d),
// so every SIMD instruction advances two FFTs with the same twiddle, and each complex transform
// yields two real scalogram rows. Memory layout (byte offsets, chosen by the caller):
//   spec  N x (re, im) f32     the window's spectrum (forward FFT done by the caller)
//   bank  rows x N f32         filter bank, rows padded with zero rows to a multiple of 4
//   rev   N x i32              bit-reversal permutation
//   tw    (N - 1) x 2 x v128   per stage m = 2, 4, ..., N at entry (m/2 - 1): splat(cos), (-sin, sin, -sin, sin)
//   work  N x v128             the two transforms being computed
//   out   scales x n f32       the scalogram, scale-major

@inline
function cmul(v: v128, w1: v128, w2: v128): v128 {
  // (vr + i vi)(wr + i wi) for both lanes pairs: v * wr + swap(v) * (-wi, wi)
  return f32x4.add(f32x4.mul(v, w1), f32x4.mul(v128.shuffle<f32>(v, v, 1, 0, 3, 2), w2));
}

export function heapBase(): usize {
  return __heap_base;
}

export function transform(N: i32, n: i32, scales: i32, spec: usize, bank: usize, rev: usize, tw: usize, work: usize, out: usize): void {
  const rowBytes = <usize>N << 2;
  for (let j = 0; j < scales; j += 4) {
    const ha = bank + <usize>j * rowBytes;
    const hb = ha + rowBytes;
    const hc = hb + rowBytes;
    const hd = hc + rowBytes;
    // spectra of the two transforms, written in bit-reversed order
    for (let k = 0; k < N; k++) {
      const xr = load<f32>(spec + (<usize>k << 3));
      const xi = load<f32>(spec + (<usize>k << 3), 4);
      const a = load<f32>(ha + (<usize>k << 2));
      const b = load<f32>(hb + (<usize>k << 2));
      const c = load<f32>(hc + (<usize>k << 2));
      const d = load<f32>(hd + (<usize>k << 2));
      const p = work + (<usize>load<i32>(rev + (<usize>k << 2)) << 4);
      store<f32>(p, xr * a - xi * b);
      store<f32>(p, xi * a + xr * b, 4);
      store<f32>(p, xr * c - xi * d, 8);
      store<f32>(p, xi * c + xr * d, 12);
    }
    // radix-2 decimation in time over the bit-reversed input
    for (let m = 2; m <= N; m <<= 1) {
      const half = m >> 1;
      const twStage = tw + (<usize>(half - 1) << 5);
      for (let start = 0; start < N; start += m) {
        const base = work + (<usize>start << 4);
        for (let k = 0; k < half; k++) {
          const pa = base + (<usize>k << 4);
          const pb = pa + (<usize>half << 4);
          const t = twStage + (<usize>k << 5);
          const a = v128.load(pa);
          const x = cmul(v128.load(pb), v128.load(t), v128.load(t, 16));
          v128.store(pa, f32x4.add(a, x));
          v128.store(pb, f32x4.sub(a, x));
        }
      }
    }
    // rows j..j+3: real and imaginary parts of A, then of B
    for (let r = 0; r < 4; r++) {
      if (j + r >= scales) break;
      const dst = out + (<usize>(j + r) * <usize>n << 2);
      const lane = <usize>r << 2;
      for (let i = 0; i < n; i++) store<f32>(dst + (<usize>i << 2), load<f32>(work + (<usize>i << 4) + lane));
    }
  }
}
