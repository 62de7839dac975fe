/**
 * TensorFlow's conventions in ONNX's terms: kernel layouts and 'same'/'valid' padding made explicit.
 * Pure functions, tested through the exported graphs (test/model/onnx/export.test.ts).
 */

/** [kh, kw, a, b] -> [b, a, kh, kw]: tfjs's kernels to ONNX's (Conv: in,out -> out,in; ConvTranspose: out,in -> in,out) */
export function kernelToOnnx(kernel: Float32Array, [kh, kw, a, b]: number[]): Float32Array {
  const out = new Float32Array(kernel.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < a; i++)
        for (let o = 0; o < b; o++) out[((o * a + i) * kh + y) * kw + x] = kernel[((y * kw + x) * a + i) * b + o];
  return out;
}

/**
 * TensorFlow's padding as explicit ONNX pads [top, left, bottom, right]: 'same' keeps
 * ceil(n / stride) outputs and puts the odd pixel at the end.
 */
export function convPads(padding: string, kernel: number[], strides: number[], inputHW: number[]): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') throw new Error(`ONNX export: padding "${padding}" is not supported`);
  const before: number[] = [];
  const after: number[] = [];
  for (let d = 0; d < 2; d++) {
    const out = Math.ceil(inputHW[d] / strides[d]);
    const total = Math.max((out - 1) * strides[d] + kernel[d] - inputHW[d], 0);
    before.push(Math.floor(total / 2));
    after.push(total - Math.floor(total / 2));
  }
  return [...before, ...after];
}

/**
 * A transposed convolution is the adjoint of a convolution: TensorFlow's output is n * stride
 * ('same') or n * stride + max(kernel - stride, 0) ('valid'); ONNX's full output,
 * stride * (n - 1) + kernel, is cropped by the pads of the matching convolution, or extended by
 * output_padding where the kernel is shorter than the stride.
 */
export function transposedPads(padding: string, kernel: number[], strides: number[], inputHW: number[]): { pads: number[]; outputPadding: number[] } {
  if (padding !== 'same' && padding !== 'valid') throw new Error(`ONNX export: padding "${padding}" is not supported`);
  const before: number[] = [];
  const after: number[] = [];
  const outputPadding: number[] = [];
  for (let d = 0; d < 2; d++) {
    const [n, k, s] = [inputHW[d], kernel[d], strides[d]];
    const target = padding === 'same' ? n * s : n * s + Math.max(k - s, 0);
    const b = padding === 'same' ? Math.floor(Math.max(k - s, 0) / 2) : 0;
    const a = s * (n - 1) + k - b - target;
    before.push(b);
    after.push(Math.max(a, 0));
    outputPadding.push(Math.max(-a, 0));
  }
  return { pads: [...before, ...after], outputPadding };
}

export const pair = (v: number | number[]): number[] => (Array.isArray(v) ? v : [v, v]);
