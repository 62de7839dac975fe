/**
 * A trained model's manifest: everything serving needs besides the weights, and the only source of
 * those numbers at serving time (window preset, sample rate, scales, conditioning, normalisation).
 */
import type { ConditionMode } from '../shared/signal/condition.ts';
import type { NormStats } from '../shared/signal/normalise.ts';
import type { WindowPreset } from '../shared/signal/window-preset.ts';
import type { CedConfig } from './ced.ts';

export const MODEL_FORMAT = 'slipwatch-model';
export const MODEL_FORMAT_VERSION = 1;

export type Target = 'friction' | 'ttf';

export interface ModelManifest {
  format: typeof MODEL_FORMAT;
  formatVersion: number;
  name: string;
  target: Target;
  /** the window preset, copied in full: a later change to the preset table cannot change a model */
  preset: WindowPreset;
  ced: CedConfig;
  input: {
    /** how raw AE becomes the model-rate series (envelope for AE waveforms, lowpass for a proxy) */
    conditioning: ConditionMode;
    /** the conditioned series is log10-transformed before normalising (AE spans decades) */
    log10: boolean;
    /** statistics of the training data; serving may re-estimate them per experiment (seed 000) */
    stats: NormStats;
  };
  output: {
    /** statistics of the training target, to de-normalise predictions */
    stats: NormStats;
  };
  training: {
    strategy: string;
    trainedOn: string[];
    trainableBlocks: string[];
    epochs: number;
    seed: number;
    backend: string;
    bestValidationLoss: number;
    /** optimiser step size (Adam) */
    learningRate?: number;
    /** wall-clock training time */
    seconds?: number;
  };
}

/** Throws a descriptive error when m is not a valid manifest. */
export function validateManifest(m: unknown): asserts m is ModelManifest {
  const x = m as Partial<ModelManifest>;
  if (typeof m !== 'object' || m === null) throw new Error('model manifest: not an object');
  if (x.format !== MODEL_FORMAT) throw new Error(`model manifest: format is ${JSON.stringify(x.format)}, expected "${MODEL_FORMAT}"`);
  if (x.formatVersion !== MODEL_FORMAT_VERSION) throw new Error(`model manifest: version ${x.formatVersion} not supported (this reader knows ${MODEL_FORMAT_VERSION})`);
  if (x.target !== 'friction' && x.target !== 'ttf') throw new Error(`model manifest: target must be friction or ttf, got ${JSON.stringify(x.target)}`);
  if (!x.preset || !(x.preset.sampleRateHz > 0)) throw new Error('model manifest: preset with a sample rate is required');
  if (!x.input?.stats || !(x.input.stats.std > 0) || !x.output?.stats || !(x.output.stats.std > 0)) throw new Error('model manifest: input and output statistics are required');
}
