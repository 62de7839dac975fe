/**
 * Seed 003's data on slipwatch's recordings. Unlabelled: AE scalograms of any recording (no friction
 * or labels read), each normalised with its own training part's statistics, for the autoencoders.
 * Labelled: the lab recording's windows (training/dataset.ts: the serving path's transforms) with
 * one scalar per window and task, taken at the window's last sample (what a monitor knows now):
 * friction, time to failure, and whether a failure starts within the next H seconds.
 */
import { computeStats } from '../shared/signal/normalise.ts';
import { windowsOf } from '../shared/signal/sliding-windows.ts';
import type { AppTask } from '../model/autoencoder.ts';
import { inputSeries, type ModelSpec, modelSpec } from '../model/spec.ts';
import type { WindowPreset } from '../shared/signal/window-preset.ts';
import { type ConditionedRecording, makeWindows, normalisationOver, type WindowSet } from './dataset.ts';
import { type Range, splitRange } from './splits.ts';

/** Scalograms only: windows x scales x samples. */
export interface ScalogramSet {
  x: Float32Array;
  scales: number;
  samples: number;
  count: number;
}

/**
 * Where an unlabelled recording's windows go: the labelled lab recording keeps seed 000's lab split
 * (its test part is never trained on, only reported), the simulation its 60/20/20 split, any other
 * recording 70/15/15.
 */
export function unlabelledRanges(r: ConditionedRecording, labelledId: string): { train: Range; validation: Range; heldOut: Range } {
  if (r.id === labelledId) return { train: splitRange(r, 'lab', 'train'), validation: splitRange(r, 'lab', 'validation'), heldOut: splitRange(r, 'lab', 'test') };
  if (r.conditioning === 'energy') return { train: splitRange(r, 'simulation', 'train'), validation: splitRange(r, 'simulation', 'validation'), heldOut: splitRange(r, 'simulation', 'test') };
  const n = r.ae.length;
  return { train: [0, Math.floor(0.7 * n)], validation: [Math.floor(0.7 * n), Math.floor(0.85 * n)], heldOut: [Math.floor(0.85 * n), n] };
}

/** The spec that turns one recording's AE into scalograms: its own training-part statistics. */
export function unlabelledSpec(r: ConditionedRecording, preset: WindowPreset, trainRange: Range): ModelSpec {
  const stats = computeStats(inputSeries(r.ae, true).subarray(trainRange[0], trainRange[1]));
  return modelSpec({ preset, input: { conditioning: r.conditioning, log10: true, stats }, output: { stats: { mean: 0, std: 1 } } });
}

/** Scalograms of a sample range, one window every stepSamples (AE only: no target is read). */
export function scalogramsOf(r: ConditionedRecording, range: Range, spec: ModelSpec, stepSamples: number): ScalogramSet {
  const ws = windowsOf(spec.input(r.ae).subarray(range[0], range[1]), spec.windowSamples, stepSamples, r.startIndex + range[0]);
  const size = spec.scales * spec.windowSamples;
  const x = new Float32Array(ws.length * size);
  ws.forEach((w, k) => spec.scalogram(w.values, x.subarray(k * size, (k + 1) * size)));
  return { x, scales: spec.scales, samples: spec.windowSamples, count: ws.length };
}

/** Sets one after the other. */
export function concatSets(sets: ScalogramSet[]): ScalogramSet {
  const count = sets.reduce((s, a) => s + a.count, 0);
  const x = new Float32Array(sets.reduce((s, a) => s + a.x.length, 0));
  let off = 0;
  for (const s of sets) {
    x.set(s.x, off);
    off += s.x.length;
  }
  return { x, scales: sets[0].scales, samples: sets[0].samples, count };
}

/** Labelled windows of the lab recording: scalograms and each task's target (NaN where undefined). */
export interface TaskWindows extends ScalogramSet {
  /** absolute model-rate index of each window's first sample */
  starts: number[];
  /** physical targets at each window's last sample: friction, TTF (s), slip within H (0/1) */
  targets: Record<AppTask, Float32Array>;
}

/** Does a failure start in (t, t + horizonS]? */
function slipWithin(failuresS: readonly number[], t: number, horizonS: number): boolean {
  return failuresS.some((f) => f > t && f <= t + horizonS);
}

/**
 * The lab recording's windows of a range, transformed with the statistics of its training part
 * (every strategy and point use the same ones), every stepSamples-th preset window kept.
 */
export function taskWindows(r: ConditionedRecording, range: Range, preset: WindowPreset, horizonS: number, keepEvery = 1): TaskWindows {
  const spec = modelSpec({ preset, ...normalisationOver(r, splitRange(r, 'lab', 'train'), 'friction') });
  const all: WindowSet = makeWindows(r, range, spec, 'friction');
  const size = all.scales * all.samples;
  const keep = all.starts.map((_, k) => k).filter((k) => k % keepEvery === 0);
  const x = new Float32Array(keep.length * size);
  keep.forEach((k, i) => x.set(all.x.subarray(k * size, (k + 1) * size), i * size));
  const starts = keep.map((k) => all.starts[k]);
  const last = starts.map((s) => s - r.startIndex + all.samples - 1);
  return {
    x,
    scales: all.scales,
    samples: all.samples,
    count: keep.length,
    starts,
    targets: {
      friction: Float32Array.from(last, (i) => r.mu[i]),
      ttf: Float32Array.from(last, (i) => r.ttf[i]),
      slip: Float32Array.from(last, (i) => (slipWithin(r.failuresS, (r.startIndex + i) / r.rateHz, horizonS) ? 1 : 0)),
    },
  };
}

/** Windows k of a set (copies). */
export function pickWindows(set: TaskWindows, idx: readonly number[]): TaskWindows {
  const size = set.scales * set.samples;
  const x = new Float32Array(idx.length * size);
  idx.forEach((k, i) => x.set(set.x.subarray(k * size, (k + 1) * size), i * size));
  const pick = (a: Float32Array) => Float32Array.from(idx, (k) => a[k]);
  return { x, scales: set.scales, samples: set.samples, count: idx.length, starts: idx.map((k) => set.starts[k]), targets: { friction: pick(set.targets.friction), ttf: pick(set.targets.ttf), slip: pick(set.targets.slip) } };
}
