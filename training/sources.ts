/**
 * Which columns of a recording are its model input, its friction target and its labels, whatever
 * its origin (generated, live, imported): AE waveforms (envelope), AE variance series (feature) or
 * an energy proxy (energy: a non-negative smoothing, so the proxy never rings below zero); friction, else shear stress (MPa) as the friction-like target; and
 * failures from friction, else from shear-stress drops, else from the recording's label column.
 */
import { detectFailures, type FailureDetectionOptions } from '../shared/labels.ts';
import { type ColumnSpec, columnsOf, type RecordingMeta, type StreamSpec } from '../shared/recording-meta.ts';
import type { ConditionMode } from '../shared/signal/condition.ts';

export interface AeColumns {
  columns: ColumnSpec[];
  mode: ConditionMode;
}

/** The AE input of an ae stream and how it is conditioned. */
export function aeColumnsOf(spec: StreamSpec | undefined, where: string): AeColumns {
  if (!spec) throw new Error(`${where}: no ae stream (a mechanical-only recording cannot feed a model; import its AE too)`);
  for (const [quantity, mode] of [['acoustic-emission', 'envelope'], ['acoustic-emission-variance', 'feature'], ['kinetic-energy', 'energy']] as const) {
    const columns = columnsOf(spec, quantity);
    if (columns.length) return { columns, mode };
  }
  throw new Error(`${where}: the ae stream has no AE, AE-variance or kinetic-energy column`);
}

/** Modes that read the same kind of data (a model of one serves recordings of the other). */
export const sameAeKind = (a: ConditionMode, b: ConditionMode) => a === b || (a !== 'envelope' && a !== 'feature' && b !== 'envelope' && b !== 'feature');

export type FrictionSource = 'friction' | 'shear-stress' | 'none';

/** The friction-like target column of a mech stream: friction, else shear stress. */
export function frictionColumnOf(spec: StreamSpec | undefined): { column: ColumnSpec | null; source: FrictionSource } {
  const mu = spec && columnsOf(spec, 'friction')[0];
  if (mu) return { column: mu, source: 'friction' };
  const shear = spec && columnsOf(spec, 'shear-stress')[0];
  return shear ? { column: shear, source: 'shear-stress' } : { column: null, source: 'none' };
}

/**
 * Slip detection on shear stress: as friction against the normal stress (the schedule's level, else
 * the shear level over a typical 0.6). Below 200 Hz a slip lasts one sample, so the rate
 * threshold is a drop of 0.003 (as friction) from one sample to the next.
 */
export function shearDetection(shear: Float32Array, rateHz: number, meta: RecordingMeta): { mu: Float32Array; options: Partial<FailureDetectionOptions> } {
  const sorted = Float32Array.from(shear).sort();
  const sigma = meta.normalStressSchedule[0]?.normalStressMPa ?? sorted[sorted.length >> 1] / 0.6;
  const mu = shear.map((v) => v / sigma);
  if (rateHz >= 200) return { mu, options: {} };
  return { mu, options: { slopeWindowS: 1 / rateHz, thresholdPerS: -0.003 * rateHz, mergeGapS: 2 / rateHz, dropWindowS: 2 / rateHz } };
}

export type LabelSource = 'friction' | 'shear-stress' | 'labels' | 'none';

/** Failure onsets, s, by the first source the recording has. */
export function failuresOf(raw: Float32Array | null, source: FrictionSource, rateHz: number, startS: number, meta: RecordingMeta): { failuresS: number[]; labelSource: LabelSource } {
  if (raw && source === 'friction') return { failuresS: detectFailures(raw, rateHz, startS).map((e) => e.onsetTimeS), labelSource: 'friction' };
  if (raw && source === 'shear-stress') {
    const { mu, options } = shearDetection(raw, rateHz, meta);
    return { failuresS: detectFailures(mu, rateHz, startS, options).map((e) => e.onsetTimeS), labelSource: 'shear-stress' };
  }
  if (meta.failuresS?.length) return { failuresS: meta.failuresS, labelSource: 'labels' };
  return { failuresS: [], labelSource: 'none' };
}
