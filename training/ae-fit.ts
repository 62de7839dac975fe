/**
 * Seed 003's training loop for autoencoders and application models: seeded shuffling, mini-batches
 * of scalograms, a validation score after every epoch, early stopping that restores the best
 * weights. Targets come from a function of the batch, so an autoencoder's target is its own input
 * and its bottleneck penalty needs no stored zeros. Tensors are made per batch and disposed at once.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../shared/random.ts';
import type { ScalogramSet } from './ae-data.ts';
import { BestWeights } from './best-weights.ts';

type Loss = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;

export interface FitOptions {
  epochs: number;
  /** stop after this many epochs without a better validation score (seed 003: 20) */
  patience: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  /** one loss per model output */
  losses: Loss[];
  /** the batch's targets, one per output (x: the batch's input scalograms) */
  targets: (x: tf.Tensor4D, idx: readonly number[]) => tf.Tensor[];
  /** the validation score after an epoch (lower is better) */
  validate: () => number | Promise<number>;
  onEpoch?: (epoch: number, trainLoss: number, valScore: number, best: boolean) => void;
}

export interface FitResult {
  epochsRun: number;
  bestEpoch: number;
  bestValScore: number;
  history: { trainLoss: number; valScore: number }[];
  seconds: number;
}

/** The input scalograms of windows idx as one tensor (batch x scales x samples x 1). */
export function batchOf(set: ScalogramSet, idx: readonly number[]): tf.Tensor4D {
  const size = set.scales * set.samples;
  const x = new Float32Array(idx.length * size);
  idx.forEach((k, i) => x.set(set.x.subarray(k * size, (k + 1) * size), i * size));
  return tf.tensor4d(x, [idx.length, set.scales, set.samples, 1]);
}

function shuffled(n: number, rng: Rng): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/** Train the model's trainable layers (set them before calling) on a set. */
export async function fit(model: tf.LayersModel, train: ScalogramSet, o: FitOptions): Promise<FitResult> {
  if (train.count === 0) throw new Error('no training windows');
  const optimizer = tf.train.adam(o.learningRate);
  model.compile({ optimizer, loss: o.losses.length === 1 ? o.losses[0] : o.losses });
  const rng = new Rng(o.seed);
  const t0 = performance.now();
  const history: FitResult['history'] = [];
  const best = new BestWeights(model, await o.validate());
  for (let epoch = 1; epoch <= o.epochs; epoch++) {
    const order = shuffled(train.count, rng);
    let lossSum = 0;
    let batches = 0;
    for (let start = 0; start < order.length; start += o.batchSize) {
      const idx = order.slice(start, start + o.batchSize);
      const x = batchOf(train, idx);
      const ys = o.targets(x, idx);
      const loss = await model.trainOnBatch(x, ys.length === 1 ? ys[0] : ys);
      lossSum += Array.isArray(loss) ? loss[0] : loss; // the total
      batches++;
      x.dispose();
      for (const y of ys) y.dispose();
    }
    const valScore = await o.validate();
    history.push({ trainLoss: lossSum / batches, valScore });
    const improved = best.offer(valScore, epoch);
    o.onEpoch?.(epoch, lossSum / batches, valScore, improved);
    if (epoch - best.epoch >= o.patience) break;
  }
  best.restore();
  optimizer.dispose();
  return { epochsRun: history.length, bestEpoch: best.epoch, bestValScore: best.score, history, seconds: (performance.now() - t0) / 1000 };
}

/** The model's first output for every window of a set, in batches (flat, windows x output size). */
export function predictFirst(model: tf.LayersModel, set: ScalogramSet, batchSize = 32): Float32Array {
  const parts: Float32Array[] = [];
  for (let start = 0; start < set.count; start += batchSize) {
    const idx = Array.from({ length: Math.min(batchSize, set.count - start) }, (_, i) => start + i);
    parts.push(
      tf.tidy(() => {
        const y = model.predict(batchOf(set, idx));
        return (Array.isArray(y) ? y[0] : y).dataSync() as Float32Array;
      }),
    );
  }
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Reconstruction MSE of an autoencoder on a set (its first output against its input). */
export function reconstructionMse(model: tf.LayersModel, set: ScalogramSet): number {
  if (set.count === 0) return Number.NaN;
  const y = predictFirst(model, set);
  let se = 0;
  for (let i = 0; i < y.length; i++) se += (y[i] - set.x[i]) ** 2;
  return se / y.length;
}
