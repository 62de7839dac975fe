/**
 * Convolution gradient kernels for the tfjs wasm backend, composed from its fast (XNNPACK) Conv2D.
 *
 * The wasm backend has no Conv2DBackpropFilter, so it cannot train convolutions, and its
 * Conv2DBackpropInput (also used by conv2dTranspose) is a plain loop. Both are correlations, and a
 * correlation can be rearranged into a forward Conv2D:
 *
 *   filter gradient  dW[i, j, ci, co] = sum_{b,p,q} x[b, p s + i d - pt, q s + j d - pl, ci] dy[b, p, q, co]
 *     = Conv2D over x transposed to [Cin, H, W, B] (Cin as batch, B as channels) with dy transposed
 *       to [Ho, Wo, B, Cout] as the filter: the forward stride s becomes the dilation, the forward
 *       dilation d the stride; the forward padding stays. The result [Cin, kh, kw, Cout] is sliced
 *       to the kernel size and transposed to [kh, kw, Cin, Cout].
 *   input gradient   dx = full correlation of dy, with s - 1 zeros inserted between its samples, and
 *       the filter rotated 180 degrees with in/out channels swapped; then cropped by the forward
 *       padding (and zero-extended where the forward conv never reached).
 *
 * Proven against the cpu backend's kernels on a grid of shapes, strides, paddings and dilations
 * (test/shared/model/wasm-conv-gradients.test.ts).
 */
import * as tf from '@tensorflow/tfjs';

type Pad = 'valid' | 'same' | number | { top: number; bottom: number; left: number; right: number };

interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  /** tfjs's backprop kernels carry no dilations (its conv gradients need dilation 1); ours accept them */
  dilations?: number | [number, number];
}

/** Forward-conv geometry (output size and the padding actually applied), as tfjs computes it. */
function geometry(xShape: [number, number, number, number], filterShape: [number, number, number, number], attrs: ConvAttrs) {
  return tf.backend_util.computeConv2DInfo(
    xShape,
    filterShape,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad as Pad as never,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/** dW = d(loss)/d(filter) for y = conv2d(x, W). */
export function conv2dFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: [number, number, number, number], attrs: ConvAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const info = geometry(x.shape, filterShape, attrs);
    const [sh, sw] = [info.strideHeight, info.strideWidth];
    const [dh, dw] = [info.dilationHeight, info.dilationWidth];
    const [kh, kw] = [filterShape[0], filterShape[1]];
    const xT = tf.transpose(x, [3, 1, 2, 0]); // [Cin, H, W, B]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]); // [Ho, Wo, B, Cout]
    const pad = info.padInfo;
    // the forward padding, and enough at the far end that kh x kw outputs always exist
    const needH = (kh - 1) * dh + (dy.shape[1] - 1) * sh + 1;
    const needW = (kw - 1) * dw + (dy.shape[2] - 1) * sw + 1;
    const bottom = Math.max(pad.bottom, needH - x.shape[1] - pad.top);
    const right = Math.max(pad.right, needW - x.shape[2] - pad.left);
    const padded = tf.pad(xT, [
      [0, 0],
      [pad.top, bottom],
      [pad.left, right],
      [0, 0],
    ]);
    // forward stride -> dilation of the "filter" dy; forward dilation -> stride
    const g = tf.conv2d(padded as tf.Tensor4D, dyT as tf.Tensor4D, [dh, dw], 'valid', 'NHWC', [sh, sw]);
    const cropped = tf.slice(g, [0, 0, 0, 0], [-1, kh, kw, -1]);
    return tf.transpose(cropped, [1, 2, 0, 3]) as tf.Tensor4D;
  });
}

/**
 * Insert s - 1 zeros after every row and column: [B, H, W, C] -> [B, H sh, W sw, C] (one reshape
 * and one pad; the trailing zeros are absorbed by the padding that follows).
 */
function zeroStuff(t: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D {
  if (sh === 1 && sw === 1) return t;
  const [b, h, w, c] = t.shape;
  const padded = tf.pad(tf.reshape(t, [b, h, 1, w, 1, c]), [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  return tf.reshape(padded, [b, h * sh, w * sw, c]) as tf.Tensor4D;
}

/** Pad (positive) or crop (negative) each spatial side of [B, H, W, C]: at most one slice and one pad. */
function padOrCrop(t: tf.Tensor4D, top: number, bottom: number, left: number, right: number): tf.Tensor4D {
  let x = t;
  if (top < 0 || bottom < 0 || left < 0 || right < 0) {
    const [, h, w] = x.shape;
    const [t0, l0] = [Math.max(-top, 0), Math.max(-left, 0)];
    x = tf.slice(x, [0, t0, l0, 0], [-1, h - t0 - Math.max(-bottom, 0), w - l0 - Math.max(-right, 0), -1]);
  }
  if (top > 0 || bottom > 0 || left > 0 || right > 0) {
    x = tf.pad(x, [
      [0, 0],
      [Math.max(top, 0), Math.max(bottom, 0)],
      [Math.max(left, 0), Math.max(right, 0)],
      [0, 0],
    ]);
  }
  return x;
}

/**
 * dx = d(loss)/d(x) for y = conv2d(x, W), x of shape xShape: a valid correlation of the
 * zero-stuffed dy with the rotated filter, its input padded so that the output is exactly the
 * H x W of x (the forward padding cropped, rows the forward conv never read left at zero). The
 * padding is computed up front, so the common cases need no slice: tfjs-wasm's Slice, Concat and
 * SplitV copy row by row in JavaScript and cost more than the convolution on narrow tensors.
 */
export function conv2dInputGradient(dy: tf.Tensor4D, filter: tf.Tensor4D, xShape: [number, number, number, number], attrs: ConvAttrs): tf.Tensor4D {
  return tf.tidy(() => {
    const info = geometry(xShape, filter.shape, attrs);
    const [sh, sw] = [info.strideHeight, info.strideWidth];
    const [dh, dw] = [info.dilationHeight, info.dilationWidth];
    const [kh, kw] = [filter.shape[0], filter.shape[1]];
    const [, H, W] = xShape;
    const up = zeroStuff(dy, sh, sw); // length Ho sh per axis: (Ho - 1) sh + 1 samples and sh - 1 zeros
    // x row h receives dy rows p with p sh + i dh - padTop = h: in the full correlation of the
    // stuffed dy (padded by the kernel extent e), x row h is output row h + padTop. Pad so that
    // output row 0 is x row 0 and there are exactly H rows.
    const eh = (kh - 1) * dh;
    const ew = (kw - 1) * dw;
    const pad = info.padInfo;
    const top = eh - pad.top;
    const left = ew - pad.left;
    const bottom = H + eh - top - up.shape[1];
    const right = W + ew - left - up.shape[2];
    const input = padOrCrop(up, top, bottom, left, right);
    const rotated = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]); // [kh, kw, Cout, Cin]
    return tf.conv2d(input, rotated as tf.Tensor4D, 1, 'valid', 'NHWC', [dh, dw]) as tf.Tensor4D;
  });
}

let registered = false;

/**
 * A Tensor view of a kernel input. The engine's makeTensorFromTensorInfo does not take a backend
 * reference, so disposing the view would free the caller's data: take one explicitly.
 */
function view<T extends tf.Tensor>(info: tf.TensorInfo, backendArg: unknown): T {
  const backend = backendArg as tf.KernelBackend;
  const t = tf.engine().makeTensorFromTensorInfo(info, backend);
  (backend as tf.KernelBackend & { incRef(id: tf.DataId): void }).incRef(info.dataId);
  return t as T;
}

/**
 * Register the two kernels for the wasm backend, replacing its slow Conv2DBackpropInput
 * (idempotent).
 */
export function registerWasmConvGradients(): void {
  if (registered) return;
  registered = true;
  if (tf.getKernel(tf.Conv2DBackpropInput, 'wasm')) tf.unregisterKernel(tf.Conv2DBackpropInput, 'wasm');
  if (tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')) tf.unregisterKernel(tf.Conv2DBackpropFilter, 'wasm');
  registerComposed(tf.Conv2DBackpropFilter, ['x', 'dy'], (x, dy, a) => conv2dFilterGradient(x, dy, a.filterShape as [number, number, number, number], a));
  registerComposed(tf.Conv2DBackpropInput, ['dy', 'filter'], (dy, filter, a) => conv2dInputGradient(dy, filter, a.inputShape as [number, number, number, number], a));
}

/** Register a wasm kernel computed by composing ops on its two 4-D inputs. */
function registerComposed(
  kernelName: string,
  [first, second]: [string, string],
  compute: (a: tf.Tensor4D, b: tf.Tensor4D, attrs: ConvAttrs & Record<string, unknown>) => tf.Tensor4D,
): void {
  tf.registerKernel({
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) => {
      const a = attrs as unknown as ConvAttrs & Record<string, unknown>;
      if (a.dataFormat !== 'NHWC') throw new Error(`wasm ${kernelName}: only NHWC is supported`);
      const ta = view<tf.Tensor4D>(inputs[first] as tf.TensorInfo, backend);
      const tb = view<tf.Tensor4D>(inputs[second] as tf.TensorInfo, backend);
      try {
        return compute(ta, tb, a);
      } finally {
        ta.dispose();
        tb.dispose();
      }
    },
  });
}
