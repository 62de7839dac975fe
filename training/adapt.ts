/**
 * Live adaptation's training step (issue 13 item 5): seed 000's cross-training (the latent space
 * alone, the 'cross-train' strategy's learning rate) on the cycles a live session has seen, scored
 * on its newest cycle before and after. The data are the session's own series at the model rate,
 * held in memory (no recording on disk); windows, targets and the training loop are training/'s.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { ModelManifest } from '../model/manifest.ts';
import { createInference } from '../model/runtime/inference.ts';
import { servingPredictor } from '../model/runtime/serving-predictor.ts';
import { modelSpec } from '../model/spec.ts';
import { timeToFailure } from '../shared/labels.ts';
import { scoreSeries } from '../shared/metrics.ts';
import { computeStats } from '../shared/signal/normalise.ts';
import { type ConditionedRecording, makeWindows, targetSeries, type WindowSet } from './dataset.ts';
import { averageWindows } from './evaluate.ts';
import { STRATEGIES } from './strategies.ts';
import { trainModel } from './train.ts';

/** A live session's series at the model rate: conditioned AE and measured friction, sample for sample. */
export interface SessionSeries {
  rateHz: number;
  /** model-rate index of ae[0] and mu[0] from the session start */
  startIndex: number;
  ae: Float32Array;
  mu: Float32Array;
  /** slip onsets from the measured friction, s from the session start (ascending) */
  slipsS: number[];
}

export interface AdaptOptions {
  epochs?: number;
  batchSize?: number;
  seed?: number;
}

export interface AdaptResult {
  /** R^2 on the newest cycle of the served model and of the adapted one */
  before: { r2: number };
  after: { r2: number };
  trainWindows: number;
  valWindows: number;
  epochsRun: number;
  seconds: number;
  manifest: ModelManifest;
}

/** The session's series as a conditioned recording, labelled with time to failure from its slips. */
export function sessionRecording(s: SessionSeries, conditioning: ModelManifest['input']['conditioning']): ConditionedRecording {
  return { id: 'live session', rateHz: s.rateHz, startIndex: s.startIndex, conditioning, ae: s.ae, mu: s.mu, ttf: timeToFailure(s.slipsS, s.startIndex, s.rateHz, s.ae.length), failuresS: s.slipsS };
}

/**
 * Sample ranges (into the series) to train and validate on: everything before the newest complete
 * cycle, and that cycle (between the last two slips).
 */
export function adaptationRanges(s: SessionSeries): { train: [number, number]; validation: [number, number] } {
  if (s.slipsS.length < 3) throw new Error(`live adaptation needs at least two complete cycles (three slips), got ${s.slipsS.length} slips`);
  const at = (tS: number) => Math.max(0, Math.min(s.ae.length, Math.round(tS * s.rateHz) - s.startIndex));
  const [a, b] = [at(s.slipsS.at(-2)!), at(s.slipsS.at(-1)!)];
  return { train: [0, a], validation: [a, b] };
}

/** R^2 of a model's overlap-averaged prediction of a window set against the truth it covers. */
export async function r2OnWindows(model: tfTypes.LayersModel, manifest: ModelManifest, set: WindowSet, r: ConditionedRecording): Promise<number> {
  const inference = await createInference(model, { runtime: 'auto' });
  try {
    const predict = servingPredictor(inference, manifest);
    const size = set.scales * set.samples;
    const windows = [];
    for (let k = 0; k < set.count; k += 32) {
      const n = Math.min(32, set.count - k);
      const { series } = await predict(set.x.slice(k * size, (k + n) * size), n);
      for (let i = 0; i < n; i++) windows.push({ startIndex: set.starts[k + i], series: series.slice(i * set.samples, (i + 1) * set.samples) });
    }
    const p = await averageWindows(windows, set.samples);
    const truth = (manifest.target === 'friction' ? r.mu : r.ttf).subarray(p.startIndex - r.startIndex, p.startIndex - r.startIndex + p.mean.length);
    return scoreSeries(truth, p.mean).r2;
  } finally {
    await inference.dispose();
  }
}

/**
 * Cross-train the latent space of a served model on a session's cycles (in place), validating on
 * the newest one. The manifest is the one the session serves with: the adapted model keeps its
 * input statistics (the session's pipeline z-scores its input with them), and takes its output
 * statistics from the session's own training cycles (measured friction, or the TTF labels of its
 * slips), as seed 000 normalised each experiment by its own; it comes back with the training noted.
 */
export async function adaptModel(model: tfTypes.LayersModel, manifest: ModelManifest, s: SessionSeries, o: AdaptOptions = {}): Promise<AdaptResult> {
  const strategy = STRATEGIES['cross-train'];
  const r = sessionRecording(s, manifest.input.conditioning);
  const ranges = adaptationRanges(s);
  const own: ModelManifest = { ...manifest, output: { stats: computeStats(targetSeries(r, manifest.target).subarray(ranges.train[0], ranges.train[1])) } };
  const spec = modelSpec(own);
  const train = makeWindows(r, ranges.train, spec, manifest.target);
  const val = makeWindows(r, ranges.validation, spec, manifest.target);
  if (train.count === 0 || val.count === 0) throw new Error(`live adaptation: ${train.count} training and ${val.count} validation windows (cycles shorter than a window?)`);
  const before = await r2OnWindows(model, manifest, val, r);
  const seed = o.seed ?? 1;
  const result = await trainModel(model, train, val, { epochs: o.epochs ?? strategy.epochs, batchSize: o.batchSize ?? 16, learningRate: strategy.lr, patience: strategy.patience, seed, trainable: strategy.blocks });
  const after = await r2OnWindows(model, own, val, r);
  const adapted: ModelManifest = {
    ...own,
    name: `${manifest.name.replace(/-adapted$/, '')}-adapted`,
    training: {
      ...manifest.training,
      strategy: 'live cross-train',
      trainedOn: [...manifest.training.trainedOn, `live session ${(s.startIndex / s.rateHz).toFixed(1)}-${(s.slipsS.at(-1) ?? 0).toFixed(1)} s (${s.slipsS.length - 1} cycles)`],
      trainableBlocks: [...strategy.blocks],
      epochs: result.epochsRun,
      seed,
      bestValidationLoss: result.bestValLoss,
      learningRate: strategy.lr,
      seconds: Math.round(result.seconds),
    },
  };
  return { before: { r2: before }, after: { r2: after }, trainWindows: train.count, valWindows: val.count, epochsRun: result.epochsRun, seconds: result.seconds, manifest: adapted };
}
