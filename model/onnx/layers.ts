/**
 * One converter per tfjs layer type: each appends the ONNX nodes of one layer to the graph. The
 * graph runs channels-first (NCHW) from the input's transpose on; 2-D tensors stay as they are.
 */
import type * as tf from '@tensorflow/tfjs';
import type { GraphBuilder } from './graph.ts';
import { convPads, kernelToOnnx, pair, transposedPads } from './padding.ts';

/** What a converter knows of the layer it translates. */
export interface LayerContext {
  g: GraphBuilder;
  layer: tf.layers.Layer;
  config: Record<string, unknown>;
  /** names of the input tensors (the inbound layers' outputs) */
  ins: string[];
  /** name of this layer's output tensor */
  out: string;
}

export type LayerConverter = (c: LayerContext) => void;

/** relu or linear, from the layer's pre-activation tensor to its output. */
function activate({ g, layer, config, out }: LayerContext, pre: string): void {
  const act = (config.activation as string | undefined) ?? 'linear';
  if (act === 'relu') g.node('Relu', [pre], out);
  else if (act === 'linear') g.node('Identity', [pre], out);
  else throw new Error(`ONNX export: activation "${act}" of ${layer.name} is not supported`);
}

function weightsOf(layer: tf.layers.Layer): { kernel: Float32Array; kshape: number[]; bias: Float32Array | null } {
  const w = layer.getWeights();
  return { kernel: w[0].dataSync() as Float32Array, kshape: w[0].shape, bias: w[1] ? (w[1].dataSync() as Float32Array) : null };
}

function convolution(transposed: boolean): LayerConverter {
  return (c) => {
    const { g, layer, config, ins, out } = c;
    if (pair((config.dilationRate as number | number[] | undefined) ?? 1).some((d) => d !== 1)) throw new Error(`ONNX export: dilated ${layer.name} is not supported`);
    const { kernel, kshape, bias } = weightsOf(layer);
    const strides = pair(config.strides as number | number[]);
    const ks = [kshape[0], kshape[1]];
    const inShape = (layer.input as tf.SymbolicTensor).shape as number[];
    const hw = [inShape[1], inShape[2]];
    const inputs = [ins[0], g.weight(`${layer.name}/kernel`, [kshape[3], kshape[2], ks[0], ks[1]], kernelToOnnx(kernel, kshape))];
    if (bias) inputs.push(g.weight(`${layer.name}/bias`, [bias.length], bias));
    const padding = config.padding as string;
    if (transposed) {
      const { pads, outputPadding } = transposedPads(padding, ks, strides, hw);
      g.node('ConvTranspose', inputs, `${out}/pre`, { kernel_shape: ks, strides, pads, output_padding: outputPadding });
    } else {
      g.node('Conv', inputs, `${out}/pre`, { kernel_shape: ks, strides, pads: convPads(padding, ks, strides, hw) });
    }
    activate(c, `${out}/pre`);
    g.rank.set(out, 4);
  };
}

export const LAYER_CONVERTERS: Readonly<Record<string, LayerConverter>> = {
  InputLayer: ({ g, out }) => {
    g.node('Transpose', ['input'], out, { perm: [0, 3, 1, 2] });
    g.rank.set(out, 4);
  },
  Conv2D: convolution(false),
  Conv2DTranspose: convolution(true),
  Concatenate: ({ g, layer, config, ins, out }) => {
    const axis = config.axis as number;
    if (axis !== -1 && axis !== 3) throw new Error(`ONNX export: ${layer.name} concatenates on axis ${axis}; only channels are supported`);
    g.node('Concat', ins, out, { axis: 1 });
    g.rank.set(out, 4);
  },
  GlobalAveragePooling2D: ({ g, ins, out }) => {
    g.node('GlobalAveragePool', ins, `${out}/pooled`);
    g.node('Flatten', [`${out}/pooled`], out, { axis: 1 });
    g.rank.set(out, 2);
  },
  Flatten: ({ g, ins, out }) => {
    // tfjs flattens in NHWC order: go back to it first
    let src = ins[0];
    if (g.rank.get(src) === 4) {
      g.node('Transpose', [src], `${out}/nhwc`, { perm: [0, 2, 3, 1] });
      src = `${out}/nhwc`;
    }
    g.node('Flatten', [src], out, { axis: 1 });
    g.rank.set(out, 2);
  },
  // a separate activation layer: seed 003's sigmoid classification output (autoencoder application models)
  Activation: ({ g, layer, config, ins, out }) => {
    const act = config.activation as string;
    const op = ({ sigmoid: 'Sigmoid', relu: 'Relu', linear: 'Identity' } as Record<string, string>)[act];
    if (!op) throw new Error(`ONNX export: activation "${act}" of ${layer.name} is not supported`);
    g.node(op, ins, out);
    g.rank.set(out, g.rank.get(ins[0]) ?? 2);
  },
  Dense: (c) => {
    const { g, layer, ins, out } = c;
    if (g.rank.get(ins[0]) !== 2) throw new Error(`ONNX export: ${layer.name} must follow a 2-D tensor`);
    const { kernel, kshape, bias } = weightsOf(layer);
    const inputs = [ins[0], g.weight(`${layer.name}/kernel`, kshape, kernel)];
    if (bias) inputs.push(g.weight(`${layer.name}/bias`, [bias.length], bias));
    g.node('Gemm', inputs, `${out}/pre`);
    activate(c, `${out}/pre`);
    g.rank.set(out, 2);
  },
};
