/**
 * Seed 003's convolutional autoencoders on AE scalograms (the serving path's model input, scales x
 * samples x 1), and its application models on a trained encoder. Pure builders, shared by training,
 * tests, benches and serving; blocks by layer-name prefix as in the CED (model/ced.ts: blockOf,
 * parameterSplit and setTrainableBlocks work on these models unchanged):
 *   encoder  enc1..enc{depth-1}: strided 3x3 convs, each halving both axes; enc_bottleneck: the last
 *            strided conv, whose output is the bottleneck (the learnt features)
 *   decoder  dec{depth}_up..dec1_up: strided transposed 3x3 convs doubling both axes; dec_out: a 1x1
 *            linear conv back to one channel (the reconstructed scalogram)
 *   head     application layers: optional head_conv (3x3), head_dense (100, ReLU), head_out (1:
 *            linear or ReLU regression, or a sigmoid probability as head_prob)
 *
 * Seed 003 convolves 540 x 3 waveforms with (3,1) kernels; a scalogram is an image, so 3x3 kernels
 * halve both axes here. Undercomplete: the bottleneck holds about a third of the input's values.
 * Overcomplete: 128 feature maps (seed 003's count) hold more values than the input (2x at depth
 * 3), and an L1 activity penalty (1e-4, Keras semantics: sum |z| per window) keeps them sparse.
 * tfjs has no activity regularisers, so the autoencoder exposes the bottleneck as a second output
 * whose loss is the penalty (bottleneckL1Loss).
 */
import * as tf from '@tensorflow/tfjs';
import { DEFAULT_PRESET_ID, presetById } from '../training/presets.ts';
import { cedShape } from './spec.ts';

export type AutoencoderKind = 'undercomplete' | 'overcomplete';

export interface AutoencoderConfig {
  scales: number;
  samples: number;
  kind: AutoencoderKind;
  /** strided stages from the input to the bottleneck (each halves both axes): 2 or 3 */
  depth: number;
  /** channels of the stages before the bottleneck (the first depth - 1 are used) */
  widths: number[];
  /** overcomplete bottleneck channels (seed 003: 128); undercomplete ones follow from the 1/3 rule */
  overcompleteChannels: number;
  /** L1 activity penalty on the bottleneck (overcomplete only; seed 003: 1e-4) */
  l1: number;
  name: string;
  /** seed of the weight initialisers */
  seed: number;
}

export const DEFAULT_AUTOENCODER: Readonly<AutoencoderConfig> = {
  ...cedShape(presetById(DEFAULT_PRESET_ID)),
  kind: 'overcomplete',
  depth: 3,
  widths: [8, 16],
  overcompleteChannels: 128,
  l1: 1e-4,
  name: 'autoencoder',
  seed: 1,
};

/** The default configuration of a kind, with overrides. */
export function autoencoderConfig(over: Partial<AutoencoderConfig> = {}): AutoencoderConfig {
  const c = { ...DEFAULT_AUTOENCODER, ...over };
  if (!(c.depth >= 1 && c.depth <= 4 && Number.isInteger(c.depth))) throw new RangeError(`depth must be 1..4, got ${c.depth}`);
  if (c.widths.length < c.depth - 1) throw new RangeError(`depth ${c.depth} needs ${c.depth - 1} widths, got ${c.widths.length}`);
  return c;
}

/** Height and width of the bottleneck ('same' strided convs round up). */
export function bottleneckGrid(c: AutoencoderConfig): [number, number] {
  let [h, w] = [c.scales, c.samples];
  for (let k = 0; k < c.depth; k++) [h, w] = [Math.ceil(h / 2), Math.ceil(w / 2)];
  return [h, w];
}

/** Bottleneck channels: the overcomplete count, or the fewest holding about a third of the input. */
export function bottleneckChannels(c: AutoencoderConfig): number {
  if (c.kind === 'overcomplete') return c.overcompleteChannels;
  const [h, w] = bottleneckGrid(c);
  return Math.max(1, Math.round((c.scales * c.samples) / 3 / (h * w)));
}

/** Values in the bottleneck per window (compare with scales x samples, the input's). */
export function bottleneckSize(c: AutoencoderConfig): number {
  const [h, w] = bottleneckGrid(c);
  return h * w * bottleneckChannels(c);
}

function layersFor(seed: number) {
  let k = 0;
  const init = () => tf.initializers.heNormal({ seed: seed * 1000 + k++ });
  return {
    conv: (name: string, filters: number, strides: number, kernel = 3, activation: 'relu' | 'linear' | 'sigmoid' = 'relu') =>
      tf.layers.conv2d({ name, filters, kernelSize: kernel, strides, padding: 'same', activation, kernelInitializer: init() }),
    up: (name: string, filters: number) => tf.layers.conv2dTranspose({ name, filters, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init() }),
    dense: (name: string, units: number, activation: 'relu' | 'linear' | 'sigmoid', bias = 0) =>
      tf.layers.dense({ name, units, activation, kernelInitializer: init(), biasInitializer: tf.initializers.constant({ value: bias }) }),
  };
}

/** The encoder's layers applied to input: the bottleneck tensor. */
function encode(input: tf.SymbolicTensor, c: AutoencoderConfig): tf.SymbolicTensor {
  const { conv } = layersFor(c.seed);
  let x = input;
  for (let k = 1; k < c.depth; k++) x = conv(`enc${k}`, c.widths[k - 1], 2).apply(x) as tf.SymbolicTensor;
  return conv('enc_bottleneck', bottleneckChannels(c), 2).apply(x) as tf.SymbolicTensor;
}

/** The bottleneck's layer name: where application models cut the autoencoder. */
export const BOTTLENECK = 'enc_bottleneck';

/**
 * The autoencoder: outputs [reconstruction (scales x samples x 1), bottleneck]. scales and samples
 * must be multiples of 2^depth so the transposed convolutions land on the input's size.
 */
export function buildAutoencoder(over: Partial<AutoencoderConfig> = {}): tf.LayersModel {
  const c = autoencoderConfig(over);
  const m = 2 ** c.depth;
  if (c.scales % m !== 0 || c.samples % m !== 0) throw new RangeError(`scales (${c.scales}) and samples (${c.samples}) must be multiples of ${m} for depth ${c.depth}`);
  const input = tf.input({ name: 'input_scalogram', shape: [c.scales, c.samples, 1] });
  const z = encode(input, c);
  const { up, conv } = layersFor(c.seed + 100);
  let d = z;
  for (let k = c.depth; k >= 1; k--) d = up(`dec${k}_up`, k >= 2 ? c.widths[k - 2] : c.widths[0]).apply(d) as tf.SymbolicTensor;
  const recon = conv('dec_out', 1, 1, 1, 'linear').apply(d) as tf.SymbolicTensor;
  return tf.model({ name: c.name, inputs: input, outputs: [recon, z] });
}

/** Reconstruction MSE per window (mean over pixels). */
export const reconstructionLoss = (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor => tf.mean(tf.squaredDifference(yTrue, yPred), [1, 2, 3]);

/** The L1 activity penalty per window on the bottleneck output (yTrue ignored): l1 * sum |z|. */
export const bottleneckL1Loss =
  (l1: number) =>
  (_yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor =>
    tf.mul(l1, tf.sum(tf.abs(yPred), [1, 2, 3]));

/** The losses of an autoencoder of config c: reconstruction, and the penalty (0 for undercomplete). */
export function autoencoderLosses(c: AutoencoderConfig): ((a: tf.Tensor, b: tf.Tensor) => tf.Tensor)[] {
  return [reconstructionLoss, bottleneckL1Loss(c.kind === 'overcomplete' ? c.l1 : 0)];
}

export type AppTask = 'friction' | 'ttf' | 'slip';

export interface ApplicationConfig {
  /** one extra 3x3 conv before the dense layer (seed 003: 32 kernels) */
  extraConv: boolean;
  convFilters: number;
  dense: number;
  /** regression (friction, TTF) or sigmoid classification (slip within H) */
  task: AppTask;
  /**
   * the regression output: seed 003's ReLU, or linear. On the lab curves a ReLU output died (stuck
   * at 0, gradient 0, the same score at every amount of data) in some runs, so linear is the default.
   */
  regressionActivation: 'relu' | 'linear';
  /**
   * the output's initial bias: the training targets' mean for a ReLU regression, so the output
   * starts in ReLU's live range (a negative start would never move: ReLU's gradient is 0 there)
   */
  outputBias: number;
  seed: number;
}

export const DEFAULT_APPLICATION: Readonly<ApplicationConfig> = { extraConv: true, convFilters: 16, dense: 100, task: 'friction', regressionActivation: 'linear', outputBias: 0, seed: 1 };

/**
 * An application model: the autoencoder's encoder (its layers, shared: they carry the trained
 * weights) with new application layers. With autoencoder null, a fresh encoder of config c is
 * built: the same structure from scratch (seed 003's baseline).
 */
export function buildApplicationModel(autoencoder: tf.LayersModel | null, c: Partial<AutoencoderConfig> = {}, app: Partial<ApplicationConfig> = {}): tf.LayersModel {
  const a = { ...DEFAULT_APPLICATION, ...app };
  let input: tf.SymbolicTensor;
  let z: tf.SymbolicTensor;
  if (autoencoder) {
    input = autoencoder.inputs[0];
    z = autoencoder.getLayer(BOTTLENECK).output as tf.SymbolicTensor;
  } else {
    input = tf.input({ name: 'input_scalogram', shape: [autoencoderConfig(c).scales, autoencoderConfig(c).samples, 1] });
    z = encode(input, autoencoderConfig(c));
  }
  const { conv, dense } = layersFor(a.seed + 500);
  const h = a.extraConv ? (conv('head_conv', a.convFilters, 1).apply(z) as tf.SymbolicTensor) : z;
  const flat = tf.layers.flatten({ name: 'head_flatten' }).apply(h) as tf.SymbolicTensor;
  const hidden = dense('head_dense', a.dense, 'relu').apply(flat) as tf.SymbolicTensor;
  let out = dense('head_out', 1, a.task === 'slip' ? 'linear' : a.regressionActivation, a.outputBias).apply(hidden) as tf.SymbolicTensor;
  // the sigmoid as its own layer: the ONNX translation takes activations of layers it knows as whole ops
  if (a.task === 'slip') out = tf.layers.activation({ name: 'head_prob', activation: 'sigmoid' }).apply(out) as tf.SymbolicTensor;
  return tf.model({ name: `ae-${a.task}${a.extraConv ? '-conv' : ''}`, inputs: input, outputs: out });
}

/** The encoder alone (input -> bottleneck), sharing the autoencoder's layers. */
export function encoderOf(autoencoder: tf.LayersModel): tf.LayersModel {
  return tf.model({ name: `${autoencoder.name}-encoder`, inputs: autoencoder.inputs[0], outputs: autoencoder.getLayer(BOTTLENECK).output as tf.SymbolicTensor });
}
