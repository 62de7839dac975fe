/**
 * The training strategies of seeds 000 and 003 as data: which recording, which split, which
 * preset, which blocks train, at what learning rate, from what. `npm run train` and
 * `npm run learning-curve` both read this table; nothing re-encodes it.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { type Block, buildCed, buildHeadModel, type CedConfig } from '../model/ced.ts';
import type { Target } from '../model/manifest.ts';
import type { ModelSpec } from '../model/spec.ts';
import { type ConditionedRecording, makeWindows, subsetWindows, type WindowSet } from './dataset.ts';
import { portionRange, type Range, splitRange } from './splits.ts';

/** Where the training and validation windows come from: two ranges, or one range split by windows. */
export type Split = (r: ConditionedRecording) => { train: Range; validation: Range } | { portion: Range; trainFraction: number };

const simSplit: Split = (r) => ({ train: splitRange(r, 'simulation', 'train'), validation: splitRange(r, 'simulation', 'validation') });
const labSplit: Split = (r) => ({ train: splitRange(r, 'lab', 'train'), validation: splitRange(r, 'lab', 'validation') });
/**
 * One cycle's portion (seed 000 used the second cycle of p4677): its windows, 90 % to train and
 * the last 10 % to validate (a portion is only a few seconds: splitting its time would leave the
 * validation part shorter than one window).
 */
const portionSplit =
  (which: 'pre' | 'post'): Split =>
  (r) => ({ portion: portionRange(r, which, 1), trainFraction: 0.9 });

export interface Strategy {
  /** the recording trained on (data/recordings/<data>) */
  data: string;
  split: Split;
  /** window preset id (training/presets.ts) */
  preset: string;
  blocks: readonly Block[];
  lr: number;
  /** starts from a pre-trained CED */
  from: boolean;
  /** new application layers on the pre-trained encoder (seed 003) instead of the CED's decoder */
  head?: boolean;
  /** trains on one cycle's pre- or post-failure portion (seed 000's limited-data runs) */
  portion?: 'pre' | 'post';
  /** most epochs unless told otherwise (default 40) */
  epochs?: number;
  /** early-stopping patience unless told otherwise */
  patience: number;
  doc: string;
}

const ALL: readonly Block[] = ['encoder', 'latent', 'decoder'];

export const STRATEGIES = {
  pretrain: { data: 'sim', split: simSplit, preset: '2s', blocks: ALL, lr: 1e-3, from: false, patience: 8, doc: 'train every block on the simulation (60/20/20)' },
  'lab-only': { data: 'p4677', split: labSplit, preset: '2s', blocks: ALL, lr: 1e-3, from: false, patience: 8, doc: 'train every block from scratch on the first 20 % of p4677 (20/20/60)' },
  // 3e-3: the latent space alone converges in ~30 epochs (1e-3 needed 60 for a worse validation loss; docs/model.md)
  // 15 epochs: six cycles cross-train in under a minute here; on an imported p4677 (10 Hz features) the validation loss at 15 is within 4 % of the best in 40
  'cross-train': { data: 'p4677', split: labSplit, preset: '2s', blocks: ['latent'], lr: 3e-3, from: true, epochs: 15, patience: 8, doc: 'seed 000: encoder and decoder frozen, the latent space trained on the first 20 % of p4677' },
  'fine-tune': { data: 'p4677', split: labSplit, preset: '2s', blocks: ALL, lr: 5e-5, from: true, patience: 8, doc: 'seed 003: every layer trained at 5e-5 on the first 20 % of p4677' },
  'frozen-head': { data: 'p4677', split: labSplit, preset: '2s', blocks: ['head'], lr: 1e-3, from: true, head: true, patience: 8, doc: 'seed 003: the pre-trained encoder frozen, new application layers trained on the first 20 % of p4677' },
  'limited-pre': { data: 'p4677', split: portionSplit('pre'), portion: 'pre', preset: '0.4s', blocks: ['latent'], lr: 1e-3, from: true, patience: 100, doc: 'seed 000: latent space only, on the pre-failure portion of one p4677 cycle, 0.4 s windows, 90/10' },
  'limited-post': { data: 'p4677', split: portionSplit('post'), portion: 'post', preset: '0.4s', blocks: ['latent'], lr: 1e-3, from: true, patience: 100, doc: 'seed 000: latent space only, on the post-failure portion of one p4677 cycle, 0.4 s windows, 90/10' },
} as const satisfies Record<string, Strategy>;
export type StrategyName = keyof typeof STRATEGIES;
export const STRATEGY_NAMES = Object.keys(STRATEGIES) as StrategyName[];

/** The learning curve's strategies (seed 003's names) and the training strategy each one is. */
export const CURVE_STRATEGIES = { scratch: 'lab-only', 'cross-train': 'cross-train', 'frozen-head': 'frozen-head', 'fine-tune': 'fine-tune' } as const satisfies Record<string, StrategyName>;
export type CurveStrategy = keyof typeof CURVE_STRATEGIES;

/** The model a strategy starts from: a fresh CED, the pre-trained one, or its encoder with a new head. */
export function initialModel(s: Strategy, pretrained: tfTypes.LayersModel | null, ced: CedConfig): tfTypes.LayersModel {
  if (s.from && !pretrained) throw new Error('this strategy needs a pre-trained model');
  if (s.head) return buildHeadModel(pretrained, ced);
  return s.from ? pretrained! : buildCed(ced);
}

/**
 * Where a strategy trains and validates: a range of one recording to train on, and a range (of it
 * or another recording) to validate on, or the last windows of the training part.
 */
export interface Placement {
  train: { r: ConditionedRecording; range: Range };
  validation: { r: ConditionedRecording; range: Range } | { trainFraction: number };
}

/** The first complete cycle's portion inside a range (the second when there are two: seed 000 used p4677's second). */
function portionWithin(s: Strategy, r: ConditionedRecording, range: Range): Range {
  const kind = s.portion;
  if (!kind) throw new Error('not a portion strategy');
  const inside: Range[] = [];
  for (let c = 0; ; c++) {
    let p: Range;
    try {
      p = portionRange(r, kind, c);
    } catch {
      break;
    }
    if (p[0] >= range[0] && p[1] <= range[1]) inside.push(p);
  }
  if (inside.length === 0) throw new Error(`${r.id}: no complete cycle inside the training span`);
  return inside[Math.min(1, inside.length - 1)];
}

/**
 * A strategy's placement: the table's (its recording and split) when no span is given; with
 * --train-on, that range (portion strategies: the portion of a cycle inside it), validated on
 * --validate-on, else on the span of the same length after it (seed 000's 20/20 split), else on
 * the last 10 % of the training windows.
 */
export function placementOf(s: Strategy, r: ConditionedRecording, trainRange?: Range, validation?: { r: ConditionedRecording; range: Range }): Placement {
  const where = s.split(r);
  if (!trainRange) {
    if ('portion' in where) return { train: { r, range: where.portion }, validation: { trainFraction: where.trainFraction } };
    return { train: { r, range: where.train }, validation: { r, range: where.validation } };
  }
  const range = 'portion' in where ? portionWithin(s, r, trainRange) : trainRange;
  if (validation) return { train: { r, range }, validation };
  if ('portion' in where) return { train: { r, range }, validation: { trainFraction: where.trainFraction } };
  const next: Range = [range[1], Math.min(r.ae.length, 2 * range[1] - range[0])];
  const minSamples = 3 * r.rateHz * 2; // a few 2 s windows
  return next[1] - next[0] >= minSamples ? { train: { r, range }, validation: { r, range: next } } : { train: { r, range }, validation: { trainFraction: 0.9 } };
}

/**
 * The samples a model's normalisation statistics come from: its training data only, which is what
 * a lab has when it trains (statistics over the test part would leak it into the manifest the
 * monitor serves with).
 */
export function normalisationRange(p: Placement): Range {
  return p.train.range;
}

/** A placement's training and validation windows. */
export function strategyWindows(p: Placement, spec: ModelSpec, target: Target): { train: WindowSet; val: WindowSet } {
  const v = p.validation;
  if ('trainFraction' in v) {
    const all = makeWindows(p.train.r, p.train.range, spec, target);
    const cut = Math.max(1, Math.min(all.count - 1, Math.round(v.trainFraction * all.count)));
    return { train: subsetWindows(all, 0, cut), val: subsetWindows(all, cut, all.count) };
  }
  return { train: makeWindows(p.train.r, p.train.range, spec, target), val: makeWindows(v.r, v.range, spec, target) };
}
