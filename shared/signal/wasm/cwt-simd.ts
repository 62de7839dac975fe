/**
 * The WebAssembly SIMD engine of the real-wavelet CWT (kernel: cwt-simd.as.ts). Runs the
 * per-scale inverse FFTs four scales at a time in f32x4 lanes. Browser-safe: the module is inlined
 * as base64 and compiled synchronously (it is under 1 kB).
 */
import { WASM_BASE64 } from './cwt-simd.wasm.ts';

interface Exports {
  memory: WebAssembly.Memory;
  heapBase(): number;
  transform(N: number, n: number, scales: number, spec: number, bank: number, rev: number, tw: number, work: number, out: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const bytes = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/** The compiled module, or null where WebAssembly SIMD is not supported. */
function module(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  try {
    const bytes = decodeBase64(WASM_BASE64);
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    compiled = null;
  }
  return compiled;
}

/** One instance per CWT plan: owns the filter bank, twiddles and work space in its memory. */
export class SimdCwtKernel {
  private readonly ex: Exports;
  private readonly spec: Float32Array;
  private readonly out: Float32Array;
  private readonly offsets: { spec: number; bank: number; rev: number; tw: number; work: number; out: number };

  private constructor(
    mod: WebAssembly.Module,
    readonly N: number,
    readonly n: number,
    readonly scales: number,
    bank: Float64Array,
    rev: Uint32Array,
  ) {
    this.ex = new WebAssembly.Instance(mod, {}).exports as unknown as Exports;
    const rows = Math.ceil(scales / 4) * 4;
    const align = (x: number): number => Math.ceil(x / 16) * 16;
    let p = align(this.ex.heapBase());
    const take = (bytes: number): number => {
      const at = p;
      p = align(p + bytes);
      return at;
    };
    this.offsets = {
      spec: take(8 * N),
      bank: take(4 * rows * N),
      rev: take(4 * N),
      tw: take(32 * Math.max(1, N - 1)),
      work: take(16 * N),
      out: take(4 * scales * n),
    };
    const pages = Math.ceil(p / 65536) - this.ex.memory.buffer.byteLength / 65536;
    if (pages > 0) this.ex.memory.grow(pages);
    const buf = this.ex.memory.buffer;
    new Float32Array(buf, this.offsets.bank, rows * N).set(bank); // zero rows pad to 4
    new Uint32Array(buf, this.offsets.rev, N).set(rev);
    const tw = new Float32Array(buf, this.offsets.tw, 8 * (N - 1));
    for (let m = 2; m <= N; m *= 2) {
      const half = m / 2;
      for (let k = 0; k < half; k++) {
        const e = 8 * (half - 1 + k);
        const c = Math.cos((2 * Math.PI * k) / m);
        const s = Math.sin((2 * Math.PI * k) / m); // inverse transform: e^{+i}
        tw.set([c, c, c, c, -s, s, -s, s], e);
      }
    }
    this.spec = new Float32Array(buf, this.offsets.spec, 2 * N);
    this.out = new Float32Array(buf, this.offsets.out, scales * n);
  }

  /** A kernel for FFT length N, window n and a scales x N filter bank; null without SIMD support. */
  static create(N: number, n: number, scales: number, bank: Float64Array, rev: Uint32Array): SimdCwtKernel | null {
    const mod = module();
    return mod ? new SimdCwtKernel(mod, N, n, scales, bank, rev) : null;
  }

  /** spectrum: the window's FFT, interleaved complex (f64); out: scales x n. */
  transform(spectrum: Float64Array, out: Float32Array): void {
    this.spec.set(spectrum);
    const o = this.offsets;
    this.ex.transform(this.N, this.n, this.scales, o.spec, o.bank, o.rev, o.tw, o.work, o.out);
    out.set(this.out);
  }
}
