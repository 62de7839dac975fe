/**
 * Overlap averaging of window predictions (seed 000): each window's series is added, sample by
 * sample, into a running mean and variance (Welford) with a count of contributing windows. A
 * sample is final once no later window can cover it (windows arrive in increasing start order),
 * and is then emitted exactly once. The std is the population std over the windows covering the
 * sample: the spread of the overlapping predictions, 0 where one window covers it.
 */
export interface AveragedSamples {
  /** absolute index of the first sample */
  startIndex: number;
  mean: Float32Array;
  std: Float32Array;
  count: Uint16Array;
}

export class OverlapAverager {
  private readonly n: Float64Array;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;
  /** first sample not yet emitted */
  private emitted = Number.NaN;
  /** end (exclusive) of the samples any window has touched */
  private covered = Number.NaN;
  private lastStart = Number.NEGATIVE_INFINITY;

  constructor(readonly windowSamples: number) {
    if (!Number.isInteger(windowSamples) || windowSamples < 1) throw new RangeError(`window must be a whole number of samples >= 1, got ${windowSamples}`);
    this.n = new Float64Array(windowSamples);
    this.mean = new Float64Array(windowSamples);
    this.m2 = new Float64Array(windowSamples);
  }

  /**
   * Add one window's prediction and return the samples it makes final (before its start), or
   * null. Window starts must increase; a window starting at or after the end of everything
   * covered so far first flushes all pending samples (a gap between windows).
   */
  add(startIndex: number, values: ArrayLike<number>): AveragedSamples | null {
    const L = this.windowSamples;
    if (values.length !== L) throw new RangeError(`window has ${values.length} samples, expected ${L}`);
    if (!(startIndex > this.lastStart)) throw new RangeError(`window starts must increase: ${startIndex} after ${this.lastStart}`);
    this.lastStart = startIndex;
    let out: AveragedSamples | null;
    if (Number.isNaN(this.emitted) || startIndex >= this.covered) {
      out = this.flush();
      this.emitted = startIndex;
      this.covered = startIndex;
    } else {
      out = this.emitUpTo(startIndex);
    }
    for (let i = 0; i < L; i++) {
      const idx = startIndex + i;
      const r = idx % L;
      if (idx >= this.covered) {
        this.n[r] = 0;
        this.mean[r] = 0;
        this.m2[r] = 0;
      }
      const n = ++this.n[r];
      const d = values[i] - this.mean[r];
      this.mean[r] += d / n;
      this.m2[r] += d * (values[i] - this.mean[r]);
    }
    this.covered = Math.max(this.covered, startIndex + L);
    return out;
  }

  /** Emit every pending sample (end of stream, or before a gap). */
  flush(): AveragedSamples | null {
    if (Number.isNaN(this.emitted)) return null;
    return this.emitUpTo(this.covered);
  }

  private emitUpTo(end: number): AveragedSamples | null {
    const count = end - this.emitted;
    if (count <= 0) return null;
    const L = this.windowSamples;
    const out: AveragedSamples = {
      startIndex: this.emitted,
      mean: new Float32Array(count),
      std: new Float32Array(count),
      count: new Uint16Array(count),
    };
    for (let i = 0; i < count; i++) {
      const r = (this.emitted + i) % L;
      out.mean[i] = this.mean[r];
      out.std[i] = this.n[r] > 0 ? Math.sqrt(this.m2[r] / this.n[r]) : Number.NaN;
      out.count[i] = this.n[r];
    }
    this.emitted = end;
    return out;
  }
}
