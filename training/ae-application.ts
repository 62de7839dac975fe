/**
 * One run of an application model (seed 003): a strategy's encoder with new application layers,
 * trained on some labelled lab windows for one task, validated for early stopping, and scored on
 * the test windows through onnxruntime (the serving runtime; tfjs where it is absent).
 */
import * as tf from '@tensorflow/tfjs';
import { type AppTask, buildApplicationModel } from '../model/autoencoder.ts';
import { loadAutoencoder } from '../model/autoencoder-io.ts';
import { setTrainableBlocks } from '../model/ced.ts';
import { createInference } from '../model/runtime/inference.ts';
import { type ScalogramSet, type TaskWindows, pickWindows } from './ae-data.ts';
import { fit, predictFirst } from './ae-fit.ts';
import { scaleTarget, type TargetScale, taskScore, unscaleTarget } from './ae-scores.ts';
import { AE_STRATEGIES, type AeStrategyName } from './ae-strategies.ts';

export interface RunBudget {
  /** window visits per run: epochs = visits / windows, within [minEpochs, maxEpochs] */
  visits: number;
  minEpochs: number;
  maxEpochs: number;
  patience: number;
}

export const epochsFor = (windows: number, b: RunBudget): number => Math.max(b.minEpochs, Math.min(b.maxEpochs, Math.ceil(b.visits / Math.max(1, windows))));

export interface RunResult {
  score: number;
  epochs: number;
  seconds: number;
  trainWindows: number;
}

/** Windows of a set whose task target is defined (TTF is not after the last failure). */
export function definedFor(set: TaskWindows, task: AppTask): TaskWindows {
  const idx = Array.from({ length: set.count }, (_, k) => k).filter((k) => Number.isFinite(set.targets[task][k]));
  return idx.length === set.count ? set : pickWindows(set, idx);
}

const bce = (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor => tf.metrics.binaryCrossentropy(yTrue, yPred);
const mse = (yTrue: tf.Tensor, yPred: tf.Tensor): tf.Tensor => tf.mean(tf.squaredDifference(yTrue, yPred), -1);

/** The mean loss of predictions against scaled targets (what early stopping watches). */
function meanLoss(task: AppTask, y: Float32Array, p: Float32Array): number {
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const q = Math.min(1 - 1e-7, Math.max(1e-7, p[i]));
    s += task === 'slip' ? -(y[i] * Math.log(q) + (1 - y[i]) * Math.log(1 - q)) : (p[i] - y[i]) ** 2;
  }
  return s / y.length;
}

/** The model's test predictions, in physical units (probabilities for slip). */
export async function predictTest(model: tf.LayersModel, test: ScalogramSet, scale: TargetScale): Promise<Float32Array> {
  const inference = await createInference(model, { threads: 1 });
  try {
    const size = test.scales * test.samples;
    const out = new Float32Array(test.count);
    for (let start = 0; start < test.count; start += 64) {
      const n = Math.min(64, test.count - start);
      const [y] = await inference.run(test.x.subarray(start * size, (start + n) * size), n);
      for (let i = 0; i < n; i++) out[start + i] = unscaleTarget(y[i], scale);
    }
    return out;
  } finally {
    await inference.dispose();
  }
}

export interface AeRunSetup {
  /** the saved autoencoder of a kind */
  autoencoderDir: (kind: 'undercomplete' | 'overcomplete') => string;
  scales: Record<AppTask, TargetScale>;
  budget: RunBudget;
}

/** Train one strategy's application model for a task on train and score it on test. */
export async function runAeStrategy(name: AeStrategyName, task: AppTask, trainAll: TaskWindows, valAll: TaskWindows, testAll: TaskWindows, seed: number, s: AeRunSetup): Promise<RunResult> {
  const def = AE_STRATEGIES[name];
  const [train, val, test] = [trainAll, valAll, testAll].map((w) => definedFor(w, task));
  const scale = s.scales[task];
  const y = Float32Array.from(train.targets[task], (x) => scaleTarget(x, scale));
  const yVal = Float32Array.from(val.targets[task], (x) => scaleTarget(x, scale));
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  const p = Math.min(0.99, Math.max(0.01, mean));
  const ae = def.pretrained ? (await loadAutoencoder(s.autoencoderDir(def.kind))).model : null;
  const model = buildApplicationModel(ae, { kind: def.kind, seed }, { extraConv: def.extraConv, task, seed, outputBias: task === 'slip' ? Math.log(p / (1 - p)) : mean });
  setTrainableBlocks(model, def.blocks);
  try {
    const r = await fit(model, train, {
      epochs: epochsFor(train.count, s.budget),
      patience: s.budget.patience,
      batchSize: 16,
      learningRate: def.lr,
      seed,
      losses: [task === 'slip' ? bce : mse],
      targets: (_x, idx) => [tf.tensor2d(Float32Array.from(idx, (k) => y[k]), [idx.length, 1])],
      validate: () => meanLoss(task, yVal, predictFirst(model, val)),
    });
    const predicted = await predictTest(model, test, scale);
    return { score: taskScore(task, test.targets[task], predicted), epochs: r.epochsRun, seconds: r.seconds, trainWindows: train.count };
  } finally {
    model.dispose(); // with the encoder's layers, which it shares with the autoencoder
    for (const l of ae?.layers ?? []) if (!model.layers.includes(l)) l.dispose();
  }
}
