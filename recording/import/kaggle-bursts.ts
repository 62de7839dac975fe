/**
 * The clock of a Kaggle LANL raw file, rebuilt from its labels (pure, row by row): the AE comes in
 * bursts of 4,096 samples at 4 MHz with pauses between them, and time_to_failure counts down to the
 * next failure, so within a cycle a burst starts at (failure time - its first TTF). A TTF that
 * jumps up is a failure; the rows are then split into label segments (each burst, cut again at a
 * failure), each stored with its first row, start time and first and last TTF (the labels are
 * linear within a segment; the largest deviation from linear is measured and reported).
 */
import { ImportRefusal } from './refusal.ts';

export interface Segment {
  firstRow: number;
  rows: number;
  timeS: number;
  ttfFirstS: number;
  ttfLastS: number;
}

export class BurstClock {
  readonly failuresS: number[] = [];
  /** largest |TTF - linear interpolation within its segment|, s */
  maxInterpolationErrorS = 0;
  /** largest |burst start time - first row / AE rate|, s: how far the nominal AE clock drifts */
  maxDriftS = 0;
  private row = 0;
  private prevTtf = Number.NaN;
  private cycleFailureS = Number.NaN;
  private burstStartS = 0;
  private seg: Segment | null = null;
  private readonly segTtf: Float64Array;

  constructor(
    private readonly file: string,
    private readonly burstSamples: number,
    private readonly sampleRateHz: number,
    private readonly burstPeriodS: number,
    private readonly aeRateHz: number,
    private readonly onSegment: (s: Segment) => void,
  ) {
    this.segTtf = new Float64Array(burstSamples);
  }

  /** One row's label; `line` is its line number, for refusals. */
  push(ttf: number, line: number): void {
    const newBurst = this.row % this.burstSamples === 0;
    const reset = ttf > this.prevTtf;
    if (reset && ttf < 2 * this.prevTtf) throw new ImportRefusal(this.file, line, `time_to_failure rises from ${this.prevTtf} to ${ttf} s without resetting at a failure`);
    if (newBurst || reset || !this.seg) this.startSegment(ttf, newBurst, reset);
    const s = this.seg!;
    this.segTtf[s.rows++] = ttf;
    s.ttfLastS = ttf;
    this.prevTtf = ttf;
    this.row++;
  }

  finish(): number[] {
    this.closeSegment();
    if (Number.isFinite(this.cycleFailureS)) this.failuresS.push(this.cycleFailureS);
    return this.failuresS;
  }

  private startSegment(ttf: number, newBurst: boolean, reset: boolean): void {
    const prev = this.seg;
    this.closeSegment();
    let t: number;
    if (!prev) t = 0;
    else if (reset) {
      this.failuresS.push(this.cycleFailureS);
      t = newBurst ? this.burstStartS + this.burstPeriodS : prev.timeS + prev.rows / this.sampleRateHz;
    } else t = this.cycleFailureS - ttf;
    if (!prev || reset) this.cycleFailureS = t + ttf;
    if (newBurst) {
      this.burstStartS = t;
      this.maxDriftS = Math.max(this.maxDriftS, Math.abs(t - this.row / this.aeRateHz));
    }
    this.seg = { firstRow: this.row, rows: 0, timeS: t, ttfFirstS: ttf, ttfLastS: ttf };
  }

  private closeSegment(): void {
    const s = this.seg;
    if (!s) return;
    for (let j = 1; j < s.rows - 1; j++) {
      const linear = s.ttfFirstS + ((s.ttfLastS - s.ttfFirstS) * j) / (s.rows - 1);
      const e = Math.abs(this.segTtf[j] - linear);
      if (e > this.maxInterpolationErrorS) this.maxInterpolationErrorS = e;
    }
    this.onSegment(s);
    this.seg = null;
  }
}

/** The median time between burst starts within a cycle, from the first bursts' labels (null if none). */
export function medianBurstPeriod(ttf: Float64Array, n: number, burstSamples: number): number | null {
  const steps: number[] = [];
  for (let k = burstSamples; k < n; k += burstSamples) {
    const d = ttf[k - burstSamples] - ttf[k];
    if (d > 0) steps.push(d);
  }
  if (steps.length === 0) return null;
  steps.sort((a, b) => a - b);
  return steps[steps.length >> 1];
}

/** A label segment's TTF at each of its rows (the inverse of the storage: linear between first and last). */
export function segmentTtf(s: Segment): Float64Array {
  return Float64Array.from({ length: s.rows }, (_, j) => (s.rows === 1 ? s.ttfFirstS : s.ttfFirstS + ((s.ttfLastS - s.ttfFirstS) * j) / (s.rows - 1)));
}
