/**
 * The convolutional encoder-decoder (CED) of seed 000: a U-Net-like map from an AE scalogram to
 * a friction (or time-to-failure) scalogram, both scales x samples x 1. Pure builder, shared by
 * training and serving.
 *
 * Blocks are explicit, by layer-name prefix, so transfer learning freezes by block and never by
 * layer index:
 *   encoder  enc1..enc3: a strided 3x3 conv halves the resolution, a 3x3 conv refines (skips kept)
 *   latent   two 3x3 convs at 1/8 resolution, squeezing channels to latentChannels and back
 *   decoder  dec3..dec1: a strided transposed conv doubles the resolution, the skip is
 *            concatenated, 3x3 convs merge; a 1x1 conv gives the output scalogram; and
 *            dec_mean: the window's mean (global average of the latent space, two dense layers)
 * With the default widths the latent space holds ~21 % of the parameters (seed 000: ~20 %).
 *
 * The mean output is slipwatch's addition to seed 000's CED: a scalogram has no mean (the wavelet
 * has none) and 2 s windows hold no period of an 8 s cycle, so inverting even a perfect friction
 * scalogram reproduces p4677 with R^2 = 0.56 only; with each window's mean restored, R^2 = 0.98
 * (docs/model.md). Outputs: [scalogram (batch x scales x samples x 1), mean (batch x 1)].
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_PRESET_ID, presetById } from '../training/presets.ts';
import { cedShape } from './spec.ts';
import type { WindowPreset } from '../shared/signal/window-preset.ts';

export type Block = 'encoder' | 'latent' | 'decoder' | 'head';

export interface CedConfig {
  scales: number;
  samples: number;
  /** channels at 1/2, 1/4 and 1/8 resolution */
  widths: [number, number, number];
  /** channels inside the latent space */
  latentChannels: number;
  /** channels of the full-resolution decoder stage */
  outputWidth: number;
  /** model name, saved with it */
  name: string;
  /** seed of the weight initialisers (each layer gets seed + its index) */
  seed: number;
}

/**
 * Sized for speed as well as accuracy: 10.8k parameters and 12 MFLOP per window. Twice these
 * widths (42k parameters, 48 MFLOP) ran ~3.5x slower on the wasm backend, and the live monitor
 * must replay > 50x real time with two models on two cores (docs/model.md). The input dimensions
 * are the default preset's (cedShape): a model for another preset is built with cedFor(preset).
 */
export const DEFAULT_CED: Readonly<CedConfig> = {
  ...cedShape(presetById(DEFAULT_PRESET_ID)),
  widths: [4, 8, 16],
  latentChannels: 8,
  outputWidth: 2,
  name: 'ced',
  seed: 1,
};

/** The default CED sized for a preset's windows (scales x samples from the preset, nothing else). */
export function cedFor(preset: WindowPreset, config: Partial<Omit<CedConfig, 'scales' | 'samples'>> = {}): CedConfig {
  return { ...DEFAULT_CED, ...config, ...cedShape(preset) };
}

/** The block a layer belongs to, from its name; throws for a layer outside the naming scheme. */
export function blockOf(layerName: string): Block | 'input' {
  if (layerName.startsWith('enc')) return 'encoder';
  if (layerName.startsWith('latent')) return 'latent';
  if (layerName.startsWith('dec')) return 'decoder';
  if (layerName.startsWith('head')) return 'head';
  if (layerName.startsWith('input') || layerName.startsWith('skip')) return 'input';
  throw new Error(`layer "${layerName}" belongs to no block (names must start with enc, latent, dec or head)`);
}

/** Layer factories with seeded He initialisation: the same seed builds the same weights. */
function layersFor(seed: number) {
  let k = 0;
  const init = () => tf.initializers.heNormal({ seed: seed * 1000 + k++ });
  return {
    conv: (name: string, filters: number, strides = 1, kernel = 3, activation: 'relu' | 'linear' = 'relu'): tf.layers.Layer =>
      tf.layers.conv2d({ name, filters, kernelSize: kernel, strides, padding: 'same', activation, kernelInitializer: init() }),
    up: (name: string, filters: number): tf.layers.Layer =>
      tf.layers.conv2dTranspose({ name, filters, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init() }),
    dense: (name: string, units: number, activation: 'relu' | 'linear'): tf.layers.Layer =>
      tf.layers.dense({ name, units, activation, kernelInitializer: init() }),
  };
}

/** Encoder and latent space: the part seed 003 reuses as a feature extractor. */
function encode(input: tf.SymbolicTensor, c: CedConfig, conv: ReturnType<typeof layersFor>['conv']): { skips: tf.SymbolicTensor[]; features: tf.SymbolicTensor; latent: tf.SymbolicTensor } {
  const [w1, w2, w3] = c.widths;
  const e1 = conv('enc1_conv', w1).apply(conv('enc1_down', w1, 2).apply(input)) as tf.SymbolicTensor;
  const e2 = conv('enc2_conv', w2).apply(conv('enc2_down', w2, 2).apply(e1)) as tf.SymbolicTensor;
  const e3 = conv('enc3_conv', w3).apply(conv('enc3_down', w3, 2).apply(e2)) as tf.SymbolicTensor;
  const latent = conv('latent_expand', w3).apply(conv('latent_squeeze', c.latentChannels).apply(e3)) as tf.SymbolicTensor;
  return { skips: [e1, e2], features: e3, latent };
}

/**
 * Build the CED for scales x samples scalograms. samples must be divisible by 8 and scales by 8
 * (three halvings).
 */
export function buildCed(config: Partial<CedConfig> = {}): tf.LayersModel {
  const c = { ...DEFAULT_CED, ...config };
  if (c.scales % 8 !== 0 || c.samples % 8 !== 0) throw new RangeError(`scales (${c.scales}) and samples (${c.samples}) must be multiples of 8`);
  const [w1, w2] = c.widths;
  const { conv, up, dense } = layersFor(c.seed);
  const input = tf.input({ name: 'input_scalogram', shape: [c.scales, c.samples, 1] });
  const { skips, latent } = encode(input, c, conv);
  const [e1, e2] = skips;
  const cat = (name: string, a: tf.SymbolicTensor, b: tf.SymbolicTensor) => tf.layers.concatenate({ name }).apply([a, b]) as tf.SymbolicTensor;
  let d = up('dec3_up', w2).apply(latent) as tf.SymbolicTensor;
  d = conv('dec3_conv2', w2).apply(conv('dec3_conv', w2).apply(cat('dec3_skip', d, e2))) as tf.SymbolicTensor;
  d = up('dec2_up', w1).apply(d) as tf.SymbolicTensor;
  d = conv('dec2_conv', w1).apply(cat('dec2_skip', d, e1)) as tf.SymbolicTensor;
  d = up('dec1_up', c.outputWidth).apply(d) as tf.SymbolicTensor;
  d = conv('dec1_conv', c.outputWidth).apply(cat('dec1_skip', d, input)) as tf.SymbolicTensor;
  const scalogram = conv('dec1_out', 1, 1, 1, 'linear').apply(d) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({ name: 'dec_mean_pool' }).apply(latent) as tf.SymbolicTensor;
  const mean = dense('dec_mean_out', 1, 'linear').apply(dense('dec_mean_hidden', 16, 'relu').apply(pooled)) as tf.SymbolicTensor;
  return tf.model({ name: c.name, inputs: input, outputs: [scalogram, mean] });
}

/** The encoder's output layer: what seed 003 extracts features from. */
export const ENCODER_OUTPUT = 'enc3_conv';

/**
 * Seed 003's transfer model: an encoder with new application layers (one 3x3 conv, a dense layer
 * of 100, and a dense output of the window's normalised series, samples long). With a pre-trained
 * CED its encoder layers (and weights) are reused; with none, a fresh encoder of the same shape is
 * built (the from-scratch baseline).
 */
export function buildHeadModel(pretrained: tf.LayersModel | null, config: Partial<CedConfig> = {}): tf.LayersModel {
  const c = { ...DEFAULT_CED, ...config };
  const { conv, dense } = layersFor(c.seed + 500);
  let input: tf.SymbolicTensor;
  let features: tf.SymbolicTensor;
  if (pretrained) {
    input = pretrained.inputs[0];
    features = pretrained.getLayer(ENCODER_OUTPUT).output as tf.SymbolicTensor;
  } else {
    input = tf.input({ name: 'input_scalogram', shape: [c.scales, c.samples, 1] });
    features = encode(input, c, layersFor(c.seed).conv).features;
  }
  const h = conv('head_conv', 4).apply(features) as tf.SymbolicTensor;
  const flat = tf.layers.flatten({ name: 'head_flatten' }).apply(h) as tf.SymbolicTensor;
  const out = dense('head_out', c.samples, 'linear').apply(dense('head_dense', 100, 'relu').apply(flat)) as tf.SymbolicTensor;
  return tf.model({ name: `${c.name}-head`, inputs: input, outputs: out });
}

/** Parameters per block. */
export function parameterSplit(model: tf.LayersModel): Record<Block, number> & { total: number } {
  const split: Record<Block, number> & { total: number } = { encoder: 0, latent: 0, decoder: 0, head: 0, total: 0 };
  for (const layer of model.layers) {
    const n = layer.countParams();
    if (n === 0) continue;
    const b = blockOf(layer.name);
    if (b === 'input') continue;
    split[b] += n;
    split.total += n;
  }
  return split;
}

/** Make exactly the given blocks trainable (recompile the model afterwards, as tfjs requires). */
export function setTrainableBlocks(model: tf.LayersModel, trainable: readonly Block[]): void {
  for (const layer of model.layers) {
    const b = blockOf(layer.name);
    if (b !== 'input') layer.trainable = trainable.includes(b);
  }
}

/** Multiply-accumulates of one forward pass per window (convolutions only; the rest is negligible). */
export function macsPerWindow(model: tf.LayersModel): number {
  let macs = 0;
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (cls !== 'Conv2D' && cls !== 'Conv2DTranspose') continue;
    const kernel = layer.getWeights()[0].shape as number[]; // [kh, kw, in, out] or [kh, kw, out, in]
    const taps = kernel[0] * kernel[1] * kernel[2] * kernel[3];
    // a conv costs taps per output position; a transposed conv costs taps per input position
    const shape = (cls === 'Conv2D' ? (layer.output as tf.SymbolicTensor) : (layer.input as tf.SymbolicTensor)).shape as number[];
    macs += taps * shape[1] * shape[2];
  }
  return macs;
}
