/**
 * A tfjs layers model as an ONNX model (bytes), so onnxruntime can serve what tfjs trained. The
 * tfjs model stays the one definition of the network (shared/model/ced.ts) and the one thing saved;
 * this translation is derived from it at load time and tested to give the same outputs.
 *
 * Covers the layers slipwatch's models use: Conv2D and Conv2DTranspose (TensorFlow's 'same' and
 * 'valid' padding, relu or linear), Concatenate, GlobalAveragePooling2D, Flatten and Dense.
 * tfjs is channels-last (NHWC) and ONNX's Conv channels-first (NCHW): the graph transposes the
 * input once, runs NCHW throughout, and transposes 4-D outputs back, so callers see tfjs's shapes.
 */
import type * as tf from '@tensorflow/tfjs';
import { ProtoWriter } from './protobuf.ts';

const ONNX_IR_VERSION = 8;
const ONNX_OPSET = 17;
const FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTR_INT = 2;
const ATTR_INTS = 7;

interface OnnxNode {
  op: string;
  inputs: string[];
  output: string;
  attrs?: Record<string, number | number[]>;
}
interface Initializer {
  name: string;
  dims: number[];
  values: Float32Array;
}

/** [kh, kw, a, b] -> [b, a, kh, kw]: tfjs's kernels to ONNX's (Conv: in,out -> out,in; ConvTranspose: out,in -> in,out) */
function kernelToOnnx(kernel: Float32Array, [kh, kw, a, b]: number[]): Float32Array {
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
function convPads(padding: string, kernel: number[], strides: number[], inputHW: number[]): number[] {
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
function transposedPads(padding: string, kernel: number[], strides: number[], inputHW: number[]): { pads: number[]; outputPadding: number[] } {
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

const pair = (v: number | number[]): number[] => (Array.isArray(v) ? v : [v, v]);

/** Translate a tfjs layers model to ONNX bytes. Throws on a layer it does not cover. */
export function toOnnx(model: tf.LayersModel): Uint8Array {
  if (model.inputs.length !== 1) throw new Error('ONNX export: models with one input only');
  const nodes: OnnxNode[] = [];
  const inits: Initializer[] = [];
  const rank = new Map<string, number>(); // tensor name -> rank, to know what needs NHWC<->NCHW care
  const inputShape = model.inputs[0].shape as (number | null)[];
  const inputName = 'input';
  const outputOf = (layer: tf.layers.Layer): string => layer.name;
  const weight = (name: string, dims: number[], values: Float32Array): string => {
    inits.push({ name, dims, values });
    return name;
  };

  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const config = layer.getConfig() as Record<string, unknown>;
    const inbound = layer.inboundNodes;
    if (inbound.length !== 1) throw new Error(`ONNX export: layer ${layer.name} is called ${inbound.length} times; shared layers are not supported`);
    const ins = inbound[0].inboundLayers.map(outputOf);
    const out = outputOf(layer);
    const activate = (pre: string): void => {
      const act = (config.activation as string | undefined) ?? 'linear';
      if (act === 'relu') nodes.push({ op: 'Relu', inputs: [pre], output: out });
      else if (act === 'linear') nodes.push({ op: 'Identity', inputs: [pre], output: out });
      else throw new Error(`ONNX export: activation "${act}" of ${layer.name} is not supported`);
    };
    const params = (): { kernel: Float32Array; kshape: number[]; bias: Float32Array | null } => {
      const w = layer.getWeights();
      return { kernel: w[0].dataSync() as Float32Array, kshape: w[0].shape, bias: w[1] ? (w[1].dataSync() as Float32Array) : null };
    };
    switch (cls) {
      case 'InputLayer':
        nodes.push({ op: 'Transpose', inputs: [inputName], output: out, attrs: { perm: [0, 3, 1, 2] } });
        rank.set(out, 4);
        break;
      case 'Conv2D':
      case 'Conv2DTranspose': {
        const transposed = cls === 'Conv2DTranspose';
        if (pair((config.dilationRate as number | number[] | undefined) ?? 1).some((d) => d !== 1)) throw new Error(`ONNX export: dilated ${layer.name} is not supported`);
        const { kernel, kshape, bias } = params();
        const strides = pair(config.strides as number | number[]);
        const ks = [kshape[0], kshape[1]];
        const inShape = (layer.input as tf.SymbolicTensor).shape as number[];
        const hw = [inShape[1], inShape[2]];
        const inputs = [ins[0], weight(`${layer.name}/kernel`, [kshape[3], kshape[2], ks[0], ks[1]], kernelToOnnx(kernel, kshape))];
        if (bias) inputs.push(weight(`${layer.name}/bias`, [bias.length], bias));
        const padding = config.padding as string;
        const attrs: Record<string, number[]> = transposed
          ? (({ pads, outputPadding }) => ({ kernel_shape: ks, strides, pads, output_padding: outputPadding }))(transposedPads(padding, ks, strides, hw))
          : { kernel_shape: ks, strides, pads: convPads(padding, ks, strides, hw) };
        nodes.push({ op: transposed ? 'ConvTranspose' : 'Conv', inputs, output: `${out}/pre`, attrs });
        activate(`${out}/pre`);
        rank.set(out, 4);
        break;
      }
      case 'Concatenate': {
        const axis = config.axis as number;
        if (axis !== -1 && axis !== 3) throw new Error(`ONNX export: ${layer.name} concatenates on axis ${axis}; only channels are supported`);
        nodes.push({ op: 'Concat', inputs: ins, output: out, attrs: { axis: 1 } });
        rank.set(out, 4);
        break;
      }
      case 'GlobalAveragePooling2D':
        nodes.push({ op: 'GlobalAveragePool', inputs: ins, output: `${out}/pooled` });
        nodes.push({ op: 'Flatten', inputs: [`${out}/pooled`], output: out, attrs: { axis: 1 } });
        rank.set(out, 2);
        break;
      case 'Flatten': {
        // tfjs flattens in NHWC order: go back to it first
        let src = ins[0];
        if (rank.get(src) === 4) {
          nodes.push({ op: 'Transpose', inputs: [src], output: `${out}/nhwc`, attrs: { perm: [0, 2, 3, 1] } });
          src = `${out}/nhwc`;
        }
        nodes.push({ op: 'Flatten', inputs: [src], output: out, attrs: { axis: 1 } });
        rank.set(out, 2);
        break;
      }
      case 'Dense': {
        if (rank.get(ins[0]) !== 2) throw new Error(`ONNX export: ${layer.name} must follow a 2-D tensor`);
        const { kernel, kshape, bias } = params();
        const inputs = [ins[0], weight(`${layer.name}/kernel`, kshape, kernel)];
        if (bias) inputs.push(weight(`${layer.name}/bias`, [bias.length], bias));
        nodes.push({ op: 'Gemm', inputs, output: `${out}/pre` });
        activate(`${out}/pre`);
        rank.set(out, 2);
        break;
      }
      default:
        throw new Error(`ONNX export: layer ${layer.name} (${cls}) is not supported`);
    }
  }

  const outputs = model.outputs.map((t, i) => {
    const name = `output_${i}`;
    const src = outputOf(t.sourceLayer as tf.layers.Layer);
    if (rank.get(src) === 4) nodes.push({ op: 'Transpose', inputs: [src], output: name, attrs: { perm: [0, 2, 3, 1] } });
    else nodes.push({ op: 'Identity', inputs: [src], output: name });
    return { name, shape: t.shape as (number | null)[] };
  });

  const valueInfo = (w: ProtoWriter, name: string, shape: (number | null)[]): void => {
    w.string(1, name).message(2, (type) =>
      type.message(1, (tensor) =>
        tensor.int(1, FLOAT).message(2, (s) => {
          for (const d of shape) s.message(1, (dim) => (d === null ? dim.string(2, 'batch') : dim.int(1, d)));
        }),
      ),
    );
  };
  return new ProtoWriter()
    .int(1, ONNX_IR_VERSION)
    .string(2, 'slipwatch')
    .message(8, (op) => op.string(1, '').int(2, ONNX_OPSET))
    .message(7, (g) => {
      for (const n of nodes) {
        g.message(1, (w) => {
          for (const i of n.inputs) w.string(1, i);
          w.string(2, n.output).string(3, n.output).string(4, n.op);
          for (const [name, v] of Object.entries(n.attrs ?? {})) {
            w.message(5, (a) => {
              a.string(1, name);
              if (Array.isArray(v)) a.ints(8, v).int(20, ATTR_INTS);
              else a.int(3, v).int(20, ATTR_INT);
            });
          }
        });
      }
      g.string(2, model.name);
      for (const t of inits) {
        g.message(5, (w) => {
          w.ints(1, t.dims).int(2, FLOAT).string(8, t.name);
          // raw_data is little-endian, as Float32Array is on every platform Node runs on
          w.bytes(9, new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength));
        });
      }
      g.message(11, (w) => valueInfo(w, inputName, inputShape));
      for (const o of outputs) g.message(12, (w) => valueInfo(w, o.name, o.shape));
    })
    .finish();
}
