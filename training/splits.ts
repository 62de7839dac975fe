/**
 * The evaluation protocol of seeds 000 and 003 in one place: splits, the steady part of each load
 * level, lab training data by whole cycles, and the post-/pre-failure portions of one cycle.
 */
import { cyclePortions, type FailureEvent } from '../shared/labels.ts';
import type { NormalStressLevel } from '../shared/recording-meta.ts';
import type { ConditionedRecording } from './dataset.ts';

/** Time fractions [from, to) of each split. Simulation 60/20/20, lab 20/20/60 (seed 000). */
export const SPLITS = {
  simulation: { train: [0, 0.6], validation: [0.6, 0.8], test: [0.8, 1] },
  lab: { train: [0, 0.2], validation: [0.2, 0.4], test: [0.4, 1] },
} as const;

export type Range = [number, number];

/** A split of a recording as a sample range. */
export function splitRange(r: ConditionedRecording, domain: keyof typeof SPLITS, split: 'train' | 'validation' | 'test'): Range {
  const [a, b] = SPLITS[domain][split];
  return [Math.floor(a * r.ae.length), Math.floor(b * r.ae.length)];
}

/** Seconds after a load step that belong to the transient, not to the level's steady state. */
export const SETTLE_S = 80;

/** The steady part of each normal-stress level, as sample ranges of the conditioned recording. */
export function levelRanges(r: ConditionedRecording, schedule: readonly NormalStressLevel[]): { normalStressMPa: number; range: Range }[] {
  return schedule.map((l, k) => {
    const settle = k === 0 ? 0 : SETTLE_S;
    const from = Math.max(0, Math.round((l.startS + settle) * r.rateHz) - r.startIndex);
    const to = Math.min(r.ae.length, Math.round(l.endS * r.rateHz) - r.startIndex);
    return { normalStressMPa: l.normalStressMPa, range: [Math.min(from, to), to] as Range };
  });
}

/** Failure onsets as sample indices of the conditioned recording. */
function failureIndices(r: ConditionedRecording): number[] {
  return r.failuresS.map((t) => Math.round(t * r.rateHz) - r.startIndex).filter((k) => k >= 0 && k < r.ae.length);
}

/**
 * Training data of `cycles` lab cycles (fractions allowed): from the first failure, through that
 * many failure-to-failure cycles. Throws if the recording has too few.
 */
export function cyclesRange(r: ConditionedRecording, cycles: number): Range {
  const f = failureIndices(r);
  const whole = Math.floor(cycles);
  if (f.length < whole + 2) throw new Error(`${r.id} has ${f.length} failures; ${cycles} cycles need ${whole + 2}`);
  const end = f[whole] + (cycles - whole) * (f[whole + 1] - f[whole]);
  return [f[0], Math.round(end)];
}

/**
 * The post-failure (fast reloading after a slip) or pre-failure (late, near-critical) portion of
 * one cycle (seed 000, Fig. 6), as a sample range, from the friction at the recording's rate.
 */
export function portionRange(r: ConditionedRecording, which: 'pre' | 'post', cycle: number): Range {
  const f = failureIndices(r);
  // events on the conditioned friction: onset at each failure, the slip over by the trough after it
  const events: FailureEvent[] = f.map((k) => {
    let trough = k;
    for (let j = k; j < Math.min(r.mu.length, k + Math.round(0.2 * r.rateHz)); j++) if (r.mu[j] < r.mu[trough]) trough = j;
    return { onsetIndex: k, endIndex: trough, onsetTimeS: (r.startIndex + k) / r.rateHz, peakMu: r.mu[k], troughMu: r.mu[trough], dropMu: r.mu[k] - r.mu[trough] };
  });
  const portions = cyclePortions(r.mu, events);
  const p = portions[cycle];
  if (!p) throw new Error(`${r.id}: no complete cycle ${cycle} (it has ${portions.length})`);
  return which === 'post' ? p.postFailure : p.preFailure;
}
