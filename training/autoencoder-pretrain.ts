/**
 * Self-supervised pretraining (seed 003): an autoencoder learns to reconstruct AE scalograms of
 * unlabelled recordings (no friction, no labels read), with early stopping on their validation
 * parts, and reports the reconstruction MSE on each held-out part.
 */
import * as tf from '@tensorflow/tfjs';
import { autoencoderConfig, type AutoencoderConfig, autoencoderLosses, buildAutoencoder } from '../model/autoencoder.ts';
import type { AutoencoderRecord } from '../model/autoencoder-io.ts';
import type { WindowPreset } from '../shared/signal/window-preset.ts';
import { concatSets, type ScalogramSet, scalogramsOf, unlabelledRanges, unlabelledSpec } from './ae-data.ts';
import { fit, reconstructionMse } from './ae-fit.ts';
import type { ConditionedRecording } from './dataset.ts';

export interface UnlabelledData {
  train: ScalogramSet;
  validation: ScalogramSet;
  heldOut: Record<string, ScalogramSet>;
  ids: string[];
}

/** Every recording's training, validation and held-out scalograms, one window every stepS seconds. */
export function unlabelledData(recs: ConditionedRecording[], labelledId: string, preset: WindowPreset, stepS: number): UnlabelledData {
  const train: ScalogramSet[] = [];
  const validation: ScalogramSet[] = [];
  const heldOut: Record<string, ScalogramSet> = {};
  for (const r of recs) {
    const ranges = unlabelledRanges(r, labelledId);
    const spec = unlabelledSpec(r, preset, ranges.train);
    const step = Math.max(1, Math.round(stepS * r.rateHz));
    train.push(scalogramsOf(r, ranges.train, spec, step));
    validation.push(scalogramsOf(r, ranges.validation, spec, step));
    heldOut[r.id] = scalogramsOf(r, ranges.heldOut, spec, step);
  }
  return { train: concatSets(train), validation: concatSets(validation), heldOut, ids: recs.map((r) => r.id) };
}

export interface PretrainOptions {
  epochs: number;
  patience: number;
  batchSize: number;
  learningRate: number;
  seed: number;
  log?: (line: string) => void;
}

/** Train an autoencoder of config c on the data; the record says what it saw and how well it reconstructs. */
export async function pretrainAutoencoder(c: Partial<AutoencoderConfig>, data: UnlabelledData, o: PretrainOptions): Promise<{ model: tf.LayersModel; record: AutoencoderRecord }> {
  const config = autoencoderConfig({ ...c, seed: o.seed });
  const model = buildAutoencoder(config);
  const zShape = (model.outputs[1].shape as number[]).slice(1);
  const r = await fit(model, data.train, {
    ...o,
    losses: autoencoderLosses(config),
    targets: (x, idx) => [x.clone(), tf.zeros([idx.length, ...zShape])],
    validate: () => reconstructionMse(model, data.validation),
    onEpoch: (e, loss, val, best) => o.log?.(`${config.kind} epoch ${e}/${o.epochs}: training loss ${loss.toFixed(4)}, validation MSE ${val.toFixed(4)}${best ? ' (best)' : ''}`),
  });
  const heldOutMse = Object.fromEntries(Object.entries(data.heldOut).map(([id, s]) => [id, reconstructionMse(model, s)]));
  return {
    model,
    record: { config, trainedOn: data.ids, heldOutMse, validationMse: r.bestValScore, epochs: r.epochsRun, bestEpoch: r.bestEpoch, secondsPerEpoch: r.seconds / Math.max(1, r.epochsRun), windows: data.train.count },
  };
}
