/**
 * Labels derived from a friction record (seed 000): failures (lab earthquakes), time to failure
 * for every sample, and the post-/pre-failure portions of each cycle. Pure functions on arrays.
 */
import { medianFilter } from './signal/median.ts';

export interface FailureDetectionOptions {
  /** a failure begins where d(mu)/dt drops below this, 1/s (seed 000: -10 /s) */
  thresholdPerS: number;
  /**
   * time over which d(mu)/dt is measured, s; 0 means one sample (seed 000's instantaneous rate).
   * Noisy or slowly slipping records want longer, e.g. 0.05 s (then threshold x window is the
   * drop required within the window).
   */
  slopeWindowS: number;
  /** smallest friction drop that counts as a failure (rejects noise spikes) */
  minDropMu: number;
  /** runs of steep descent closer than this are one failure, s */
  mergeGapS: number;
  /** window before the onset searched for the peak and after the run for the trough, s */
  dropWindowS: number;
  /** odd median-filter length applied first, samples (1: none); real records need ~21 */
  medianWindow: number;
}

export const DEFAULT_FAILURE_DETECTION: Readonly<FailureDetectionOptions> = {
  thresholdPerS: -10,
  slopeWindowS: 0,
  minDropMu: 0.002,
  mergeGapS: 0.05,
  dropWindowS: 0.05,
  medianWindow: 1,
};

/** One detected failure. Indices are sample indices into the friction record. */
export interface FailureEvent {
  /** last sample before the steep descent: the failure time that TTF counts down to */
  onsetIndex: number;
  /** the trough: lowest sample within dropWindowS after the steep descent */
  endIndex: number;
  onsetTimeS: number;
  peakMu: number;
  troughMu: number;
  dropMu: number;
}

/**
 * Detect failures on a friction record: each steep descent (d mu/dt below the threshold, runs
 * merged within mergeGapS) whose drop from the peak before to the trough after is at least
 * minDropMu is one failure, counted once.
 *
 * @param mu friction coefficient samples
 * @param sampleRateHz sampling rate of mu, Hz
 * @param startTimeS time of sample 0, s
 */
export function detectFailures(
  mu: ArrayLike<number>,
  sampleRateHz: number,
  startTimeS = 0,
  options: Partial<FailureDetectionOptions> = {},
): FailureEvent[] {
  if (!(sampleRateHz > 0)) throw new RangeError(`sampleRateHz must be > 0, got ${sampleRateHz}`);
  const o = { ...DEFAULT_FAILURE_DETECTION, ...options };
  if (!(o.medianWindow >= 1) || o.medianWindow % 2 !== 1)
    throw new RangeError(`medianWindow must be an odd number >= 1, got ${o.medianWindow}`);
  const x = o.medianWindow > 1 ? medianFilter(mu, o.medianWindow) : mu;
  const n = x.length;
  const mergeGap = Math.max(1, Math.round(o.mergeGapS * sampleRateHz));
  const window = Math.max(1, Math.round(o.dropWindowS * sampleRateHz));
  const lag = Math.max(1, Math.round(o.slopeWindowS * sampleRateHz));
  const threshold = (o.thresholdPerS * lag) / sampleRateHz; // change over `lag` samples

  // runs of steep descent: sample i is steep when x[i] - x[i - lag] < threshold
  const runs: [number, number][] = [];
  for (let i = lag; i < n; i++) {
    if (!(x[i] - x[i - lag] < threshold)) continue;
    const last = runs[runs.length - 1];
    if (last && i - last[1] <= mergeGap) last[1] = i;
    else runs.push([i, i]);
  }
  const events: FailureEvent[] = [];
  for (const [first, last] of runs) {
    // onset: the highest sample of the first steep span; peak and trough around the run
    const onsetIndex = argExtreme(x, first - lag, first, 1);
    const peakIndex = argExtreme(x, Math.max(0, onsetIndex - window), onsetIndex, 1);
    const endIndex = argExtreme(x, first, Math.min(n - 1, last + window), -1);
    const drop = x[peakIndex] - x[endIndex];
    if (!(drop >= o.minDropMu)) continue;
    events.push({
      onsetIndex,
      endIndex,
      onsetTimeS: startTimeS + onsetIndex / sampleRateHz,
      peakMu: x[peakIndex],
      troughMu: x[endIndex],
      dropMu: drop,
    });
  }
  return events;
}

/** Index of the first maximum (sign 1) or minimum (sign -1) of x over [from, to]. */
function argExtreme(x: ArrayLike<number>, from: number, to: number, sign: 1 | -1): number {
  let best = from;
  for (let j = from + 1; j <= to; j++) if (sign * x[j] > sign * x[best]) best = j;
  return best;
}

/**
 * Time to the next failure onset at each sample of a series whose sample k sits at
 * (startIndex + k) / rateHz s, in seconds; 0 at an onset. Samples after the last onset have no
 * next failure in the record and get NaN: unknown, not zero. The one definition of the label,
 * used by training, evaluation and the dashboard's measured TTF.
 */
export function timeToFailure(onsetsS: readonly number[], startIndex: number, rateHz: number, length: number): Float32Array {
  const ttf = new Float32Array(length);
  let next = 0;
  for (let k = 0; k < length; k++) {
    const t = (startIndex + k) / rateHz;
    while (next < onsetsS.length && onsetsS[next] < t) next++;
    ttf[k] = next < onsetsS.length ? onsetsS[next] - t : Number.NaN;
  }
  return ttf;
}

/** Sample ranges [start, end) of one cycle's portions (seed 000, Fig. 6). */
export interface CyclePortions {
  /** index of the failure that opens the cycle */
  cycle: number;
  /** from the end of the slip to where mu has recovered recoveredFraction of its drop */
  postFailure: [number, number];
  /** from there to the next failure's onset: the near-critical, nucleating stage */
  preFailure: [number, number];
}

/**
 * Split each complete cycle (between two consecutive failures) into its post-failure portion,
 * where stress rises fast after the slip, and its pre-failure portion, late in the cycle.
 *
 * @param recoveredFraction fraction of the rise from the trough to the next peak that ends the
 *   post-failure portion (default 0.8)
 */
export function cyclePortions(
  mu: ArrayLike<number>,
  events: readonly FailureEvent[],
  recoveredFraction = 0.8,
): CyclePortions[] {
  if (!(recoveredFraction > 0 && recoveredFraction < 1))
    throw new RangeError(`recoveredFraction must be in (0, 1), got ${recoveredFraction}`);
  const out: CyclePortions[] = [];
  for (let k = 0; k + 1 < events.length; k++) {
    const start = events[k].endIndex + 1;
    const next = events[k + 1].onsetIndex;
    if (next <= start) continue;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = start; i <= next; i++) {
      lo = Math.min(lo, mu[i]);
      hi = Math.max(hi, mu[i]);
    }
    const level = lo + recoveredFraction * (hi - lo);
    let split = start;
    while (split < next && mu[split] < level) split++;
    out.push({ cycle: k, postFailure: [start, split], preFailure: [split, next] });
  }
  return out;
}

/** Interevent statistics of failures: mean recurrence, its coefficient of variation, mean drop. */
export function recurrenceStats(events: readonly FailureEvent[]): {
  count: number;
  meanRecurrenceS: number;
  cvRecurrence: number;
  meanDropMu: number;
} {
  const intervals: number[] = [];
  for (let k = 1; k < events.length; k++) intervals.push(events[k].onsetTimeS - events[k - 1].onsetTimeS);
  const mean = intervals.reduce((s, v) => s + v, 0) / intervals.length;
  const sd = Math.sqrt(intervals.reduce((s, v) => s + (v - mean) ** 2, 0) / intervals.length);
  return {
    count: events.length,
    meanRecurrenceS: intervals.length ? mean : Number.NaN,
    cvRecurrence: intervals.length ? sd / mean : Number.NaN,
    meanDropMu: events.length ? events.reduce((s, e) => s + e.dropMu, 0) / events.length : Number.NaN,
  };
}

/**
 * detectFailures over a stream of friction chunks, with bounded memory: each call returns the
 * failures whose onsets became final (at least `marginS` of friction after them), with absolute
 * sample indices. It keeps the last 2 x marginS of friction as context, so with a margin longer
 * than the detector's windows (merge gap, drop window, slope and median windows) it finds exactly
 * what detectFailures finds on the whole record. A chunk that does not continue the previous one
 * starts afresh.
 */
export class StreamingFailureDetector {
  private tail = new Float32Array(0);
  /** absolute index of tail[0] */
  private tailStart = 0;
  /** onsets before this absolute index have been reported (or ruled out) */
  private decidedTo = 0;
  private readonly margin: number;

  constructor(
    private readonly rateHz: number,
    private readonly options: Partial<FailureDetectionOptions> = {},
    marginS = 0.5,
  ) {
    this.margin = Math.max(1, Math.round(marginS * rateHz));
  }

  push(startIndex: number, mu: Float32Array): FailureEvent[] {
    if (startIndex !== this.tailStart + this.tail.length) {
      this.tail = new Float32Array(0);
      this.tailStart = startIndex;
      this.decidedTo = startIndex;
    }
    const grown = new Float32Array(this.tail.length + mu.length);
    grown.set(this.tail);
    grown.set(mu, this.tail.length);
    this.tail = grown;
    const decideTo = this.tailStart + this.tail.length - this.margin;
    if (decideTo <= this.decidedTo) return [];
    const found = detectFailures(this.tail, this.rateHz, 0, this.options)
      .map((e) => ({ ...e, onsetIndex: e.onsetIndex + this.tailStart, endIndex: e.endIndex + this.tailStart, onsetTimeS: (e.onsetIndex + this.tailStart) / this.rateHz }))
      .filter((e) => e.onsetIndex >= this.decidedTo && e.onsetIndex < decideTo);
    this.decidedTo = decideTo;
    // keep one margin of context before the first undecided sample
    const keepFrom = Math.max(this.tailStart, decideTo - this.margin);
    this.tail = this.tail.slice(keepFrom - this.tailStart);
    this.tailStart = keepFrom;
    return found;
  }
}
