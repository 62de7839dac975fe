/**
 * Concat and SplitV for the tfjs wasm backend, for float32 tensors. The backend's own kernels copy
 * one innermost run at a time with subarray/set; concatenating or splitting the channels of a
 * narrow U-Net (1-4 channels at 64 x 200) means hundreds of thousands of 1-4 element copies, which
 * cost more than the convolutions around them. These copy short runs element by element. Other
 * dtypes go to the backend's original kernels.
 */
import * as tf from '@tensorflow/tfjs';

interface WasmBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/** Below this run length an element loop beats subarray + set. */
const SHORT_RUN = 32;

function copyRuns(src: Float32Array, srcStride: number, srcOffset: number, dst: Float32Array, dstStride: number, dstOffset: number, run: number, count: number): void {
  if (run >= SHORT_RUN) {
    for (let b = 0; b < count; b++) dst.set(src.subarray(srcOffset + b * srcStride, srcOffset + b * srcStride + run), dstOffset + b * dstStride);
    return;
  }
  for (let b = 0; b < count; b++) {
    const s = srcOffset + b * srcStride;
    const d = dstOffset + b * dstStride;
    for (let j = 0; j < run; j++) dst[d + j] = src[s + j];
  }
}

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

let registered = false;

/** Replace the wasm backend's Concat and SplitV (idempotent; call before tf.setBackend('wasm')). */
export function registerWasmCopyKernels(): void {
  if (registered) return;
  registered = true;
  const originalConcat = tf.getKernel(tf.Concat, 'wasm')!.kernelFunc;
  const originalSplit = tf.getKernel(tf.SplitV, 'wasm')!.kernelFunc;
  tf.unregisterKernel(tf.Concat, 'wasm');
  tf.unregisterKernel(tf.SplitV, 'wasm');

  tf.registerKernel({
    kernelName: tf.Concat,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const inputs = Object.values(args.inputs) as tf.TensorInfo[];
      if (inputs.some((t) => t.dtype !== 'float32')) return originalConcat(args);
      const rank = inputs[0].shape.length;
      let axis = args.attrs!.axis as number;
      if (axis < 0) axis += rank;
      const nonEmpty = inputs.filter((t) => size(t.shape) > 0);
      if (nonEmpty.length < 2) return originalConcat(args);
      const outShape = [...inputs[0].shape];
      outShape[axis] = inputs.reduce((s, t) => s + t.shape[axis], 0);
      const backend = args.backend as unknown as WasmBackend;
      const out = backend.makeOutput(outShape, 'float32');
      // views after every allocation: allocating may grow (and move) the wasm heap
      const dst = backend.typedArrayFromHeap(out);
      const outer = size(outShape.slice(0, axis));
      const total = size(outShape.slice(axis));
      let offset = 0;
      for (const t of nonEmpty) {
        const inner = size(t.shape.slice(axis));
        copyRuns(backend.typedArrayFromHeap(t), inner, 0, dst, total, offset, inner, outer);
        offset += inner;
      }
      return out;
    },
  });

  tf.registerKernel({
    kernelName: tf.SplitV,
    backendName: 'wasm',
    kernelFunc: (args) => {
      const x = args.inputs.x as tf.TensorInfo;
      if (x.dtype !== 'float32') return originalSplit(args);
      const rank = x.shape.length;
      let axis = args.attrs!.axis as number;
      if (axis < 0) axis += rank;
      const splits = tf.backend_util.prepareSplitSize(x, args.attrs!.numOrSizeSplits as number | number[], axis);
      const backend = args.backend as unknown as WasmBackend;
      const outs = splits.map((s) => {
        const shape = [...x.shape];
        shape[axis] = s;
        return backend.makeOutput(shape, 'float32');
      });
      const src = backend.typedArrayFromHeap(x);
      const outer = size(x.shape.slice(0, axis));
      const total = size(x.shape.slice(axis));
      let offset = 0;
      for (const o of outs) {
        const inner = size(o.shape.slice(axis));
        copyRuns(src, total, offset, backend.typedArrayFromHeap(o), inner, 0, inner, outer);
        offset += inner;
      }
      return outs;
    },
  });
}
