/**
 * Sliding windows over a stream of samples, kept in a ring buffer of one window. Windows start on
 * a fixed grid (multiples of the step, in absolute sample indices), so a live stream and an
 * offline array cut the same windows. One implementation for both.
 */
export interface Window {
  /** absolute index of the window's first sample */
  startIndex: number;
  values: Float32Array;
}

export class SlidingWindows {
  private readonly ring: Float32Array;
  /** absolute index of the next sample expected */
  private next = Number.NaN;
  /** absolute index of the first sample held since the last reset */
  private segmentStart = Number.NaN;
  private nextWindowStart = Number.NaN;

  constructor(
    readonly windowSamples: number,
    readonly stepSamples: number,
  ) {
    if (!Number.isInteger(windowSamples) || windowSamples < 1) throw new RangeError(`window must be a whole number of samples >= 1, got ${windowSamples}`);
    if (!Number.isInteger(stepSamples) || stepSamples < 1) throw new RangeError(`step must be a whole number of samples >= 1, got ${stepSamples}`);
    this.ring = new Float32Array(windowSamples);
  }

  /**
   * Add samples starting at absolute index startIndex and return the windows they complete. A
   * startIndex other than the next expected one is a gap: windows never span it (the buffer
   * restarts, and the first window after it starts at the next grid point).
   */
  push(startIndex: number, samples: ArrayLike<number>): Window[] {
    if (!Number.isInteger(startIndex)) throw new RangeError(`startIndex must be an integer, got ${startIndex}`);
    if (startIndex !== this.next) this.restart(startIndex);
    const out: Window[] = [];
    const L = this.windowSamples;
    for (let i = 0; i < samples.length; i++) {
      const idx = startIndex + i;
      this.ring[idx % L] = samples[i];
      // a window [w, w + L) is complete when its last sample arrives
      if (idx === this.nextWindowStart + L - 1) {
        const w = this.nextWindowStart;
        const values = new Float32Array(L);
        for (let j = 0; j < L; j++) values[j] = this.ring[(w + j) % L];
        out.push({ startIndex: w, values });
        this.nextWindowStart += this.stepSamples;
      }
    }
    this.next = startIndex + samples.length;
    return out;
  }

  private restart(startIndex: number): void {
    if (startIndex < this.next) throw new RangeError(`samples went back in time: index ${startIndex} after ${this.next}`);
    this.segmentStart = startIndex;
    this.nextWindowStart = Math.ceil(startIndex / this.stepSamples) * this.stepSamples;
  }

  /** Index of the first sample of the current contiguous segment. */
  get currentSegmentStart(): number {
    return this.segmentStart;
  }
}

/** All windows of a whole array (offline datasets): the same code path as live streams. */
export function windowsOf(x: ArrayLike<number>, windowSamples: number, stepSamples: number, startIndex = 0): Window[] {
  return new SlidingWindows(windowSamples, stepSamples).push(startIndex, x);
}
