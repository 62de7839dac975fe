/**
 * The training loop: seeded shuffling, mini-batches from float32 window sets, validation after
 * every epoch, early stopping that restores the best weights, and a progress line with loss and
 * ETA. Tensors are created per batch and disposed at once, so memory stays flat.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../shared/random.ts';
import { type Block, setTrainableBlocks } from '../model/ced.ts';
import type { WindowSet } from './dataset.ts';
import { createInference, type RuntimeChoice } from '../model/runtime/inference.ts';
import { BestWeights } from './best-weights.ts';

export interface TrainOptions {
  epochs: number;
  batchSize: number;
  learningRate: number;
  /** stop after this many epochs without a better validation loss */
  patience: number;
  seed: number;
  trainable: readonly Block[];
  /** called after every epoch (progress, checkpoints) */
  onEpoch?: (e: EpochReport) => void | Promise<void>;
  /** called after every batch: batches done in this epoch, batches per epoch, running mean loss */
  onBatch?: (done: number, total: number, meanLoss: number) => void;
}

export interface EpochReport {
  epoch: number;
  epochs: number;
  trainLoss: number;
  valLoss: number;
  best: boolean;
  elapsedS: number;
  etaS: number;
}

export interface TrainResult {
  epochsRun: number;
  bestEpoch: number;
  bestValLoss: number;
  history: { trainLoss: number; valLoss: number }[];
  seconds: number;
}

/**
 * A batch: the input scalograms, and the targets the model has outputs for: [scalogram, window
 * mean] for a CED, [series] for a head model.
 */
function batchTensors(model: tf.LayersModel, set: WindowSet, idx: number[]): { x: tf.Tensor4D; ys: tf.Tensor[] } {
  const size = set.scales * set.samples;
  const x = new Float32Array(idx.length * size);
  idx.forEach((k, i) => x.set(set.x.subarray(k * size, (k + 1) * size), i * size));
  const xt = tf.tensor4d(x, [idx.length, set.scales, set.samples, 1]);
  if (model.outputs.length === 1) {
    const s = new Float32Array(idx.length * set.samples);
    idx.forEach((k, i) => s.set(set.ySeries.subarray(k * set.samples, (k + 1) * set.samples), i * set.samples));
    return { x: xt, ys: [tf.tensor2d(s, [idx.length, set.samples])] };
  }
  const y = new Float32Array(idx.length * size);
  const yMean = new Float32Array(idx.length);
  idx.forEach((k, i) => {
    y.set(set.y.subarray(k * size, (k + 1) * size), i * size);
    yMean[i] = set.yMean[k];
  });
  return { x: xt, ys: [tf.tensor4d(y, [idx.length, set.scales, set.samples, 1]), tf.tensor2d(yMean, [idx.length, 1])] };
}

/**
 * The loss: mean squared error of the scalogram plus that of the window mean, each reduced to one
 * value per window (tfjs sums the outputs' per-sample losses).
 */
const perWindowMse = (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor =>
  tf.mean(tf.squaredDifference(yTrue, yPred), yTrue.shape.slice(1).map((_, i) => i + 1));
export const LOSSES = [perWindowMse, perWindowMse];

function lossesFor(model: tf.LayersModel) {
  return model.outputs.length === 1 ? perWindowMse : LOSSES;
}

/**
 * The training loss of the model on a window set (per-output MSE per window, summed over outputs,
 * averaged over windows), computed through the fastest inference runtime: validation after every
 * epoch then costs a fraction of the epoch instead of a third of it on tfjs-wasm.
 */
export async function evaluateLoss(model: tf.LayersModel, set: WindowSet, { batchSize = 64, runtime = 'auto' as 'auto' | RuntimeChoice } = {}): Promise<number> {
  const inference = await createInference(model, { runtime });
  const size = set.scales * set.samples;
  let total = 0;
  try {
    for (let start = 0; start < set.count; start += batchSize) {
      const n = Math.min(batchSize, set.count - start);
      const outs = await inference.run(set.x.subarray(start * size, (start + n) * size), n);
      const targets =
        outs.length === 1
          ? [set.ySeries.subarray(start * set.samples, (start + n) * set.samples)]
          : [set.y.subarray(start * size, (start + n) * size), set.yMean.subarray(start, start + n)];
      outs.forEach((out, k) => {
        const per = out.length / n; // values per window of this output
        let se = 0;
        for (let i = 0; i < out.length; i++) se += (out[i] - targets[k][i]) ** 2;
        total += se / per;
      });
    }
  } finally {
    await inference.dispose();
  }
  return total / set.count;
}

/** Train the given blocks of model on a window set, validating on another. */
export async function trainModel(model: tf.LayersModel, train: WindowSet, val: WindowSet, o: TrainOptions): Promise<TrainResult> {
  if (train.count === 0) throw new Error('no training windows');
  if (val.count === 0) throw new Error('no validation windows');
  setTrainableBlocks(model, o.trainable);
  const optimizer = tf.train.adam(o.learningRate);
  model.compile({ optimizer, loss: lossesFor(model) });
  const rng = new Rng(o.seed);
  const t0 = performance.now();
  const history: TrainResult['history'] = [];
  const best = new BestWeights(model, await evaluateLoss(model, val));
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const order = Array.from({ length: train.count }, (_, i) => i);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rng.uniform() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let lossSum = 0;
    let batches = 0;
    const perEpoch = Math.ceil(order.length / o.batchSize);
    for (let start = 0; start < order.length; start += o.batchSize) {
      const { x, ys } = batchTensors(model, train, order.slice(start, start + o.batchSize));
      const losses = await model.trainOnBatch(x, ys.length === 1 ? ys[0] : ys);
      lossSum += Array.isArray(losses) ? losses[0] : losses; // the total
      batches++;
      x.dispose();
      for (const y of ys) y.dispose();
      o.onBatch?.(batches, perEpoch, lossSum / batches);
    }
    const trainLoss = lossSum / batches;
    const valLoss = await evaluateLoss(model, val);
    history.push({ trainLoss, valLoss });
    const improved = best.offer(valLoss, epoch);
    const elapsedS = (performance.now() - t0) / 1000;
    await o.onEpoch?.({ epoch, epochs: o.epochs, trainLoss, valLoss, best: improved, elapsedS, etaS: (elapsedS / epoch) * (o.epochs - epoch) });
    if (epoch - best.epoch >= o.patience) break;
  }
  best.restore();
  optimizer.dispose();
  return { epochsRun: history.length, bestEpoch: best.epoch, bestValLoss: best.score, history, seconds: (performance.now() - t0) / 1000 };
}
