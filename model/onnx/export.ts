/**
 * A tfjs layers model as an ONNX model (bytes), so onnxruntime can serve what tfjs trained. The
 * tfjs model stays the one definition of the network (model/ced.ts) and the one thing saved;
 * this translation is derived from it at load time and tested to give the same outputs.
 *
 * Covers the layers slipwatch's models use (layers.ts, one converter each): Conv2D and
 * Conv2DTranspose (TensorFlow's 'same' and 'valid' padding, relu or linear), Concatenate,
 * GlobalAveragePooling2D, Flatten, Dense and Activation (relu, sigmoid, linear: seed 003's
 * classification output). tfjs is channels-last (NHWC) and ONNX's Conv channels-first (NCHW):
 * the graph transposes the input once, runs NCHW throughout, and
 * transposes 4-D outputs back, so callers see tfjs's shapes.
 */
import type * as tf from '@tensorflow/tfjs';
import { GraphBuilder, serialise } from './graph.ts';
import { LAYER_CONVERTERS } from './layers.ts';

/** Translate a tfjs layers model to ONNX bytes. Throws on a layer it does not cover. */
export function toOnnx(model: tf.LayersModel): Uint8Array {
  if (model.inputs.length !== 1) throw new Error('ONNX export: models with one input only');
  const g = new GraphBuilder();
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const convert = LAYER_CONVERTERS[cls];
    if (!convert) throw new Error(`ONNX export: layer ${layer.name} (${cls}) is not supported`);
    const inbound = layer.inboundNodes;
    if (inbound.length !== 1) throw new Error(`ONNX export: layer ${layer.name} is called ${inbound.length} times; shared layers are not supported`);
    convert({ g, layer, config: layer.getConfig() as Record<string, unknown>, ins: inbound[0].inboundLayers.map((l) => l.name), out: layer.name });
  }
  const outputs = model.outputs.map((t, i) => {
    const name = `output_${i}`;
    const src = (t.sourceLayer as tf.layers.Layer).name;
    g.node(g.rank.get(src) === 4 ? 'Transpose' : 'Identity', [src], name, g.rank.get(src) === 4 ? { perm: [0, 2, 3, 1] } : undefined);
    return { name, shape: t.shape as (number | null)[] };
  });
  return serialise(g, model.name, { name: 'input', shape: model.inputs[0].shape as (number | null)[] }, outputs);
}
