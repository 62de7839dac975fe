/**
 * Bounded time-series history on a fixed grid (DISPLAY_HZ slots per second, HISTORY_S seconds):
 * a ring of slots, each holding the mean of the samples that fell in it, per series. Memory is
 * fixed whatever the session length; late samples older than the history are ignored.
 */
export class TimeGrid<Name extends string> {
  readonly capacity: number;
  private readonly stamp: Float64Array;
  private readonly sums = new Map<Name, Float32Array>();
  private readonly counts = new Map<Name, Uint16Array>();
  newestSlot = -1;

  constructor(
    names: readonly Name[],
    readonly hz: number,
    historyS: number,
  ) {
    this.capacity = Math.round(hz * historyS);
    this.stamp = new Float64Array(this.capacity).fill(-1);
    for (const n of names) {
      this.sums.set(n, new Float32Array(this.capacity));
      this.counts.set(n, new Uint16Array(this.capacity));
    }
  }

  /** The ring cell of a slot, cleared for it if it held an older slot; -1 if the slot is too old. */
  private cell(slot: number): number {
    if (slot <= this.newestSlot - this.capacity) return -1;
    const c = slot % this.capacity;
    if (this.stamp[c] !== slot) {
      if (this.stamp[c] > slot) return -1;
      this.stamp[c] = slot;
      for (const s of this.sums.values()) s[c] = 0;
      for (const k of this.counts.values()) k[c] = 0;
    }
    if (slot > this.newestSlot) this.newestSlot = slot;
    return c;
  }

  /** Samples values[i] at times (startIndex + i) / rateHz. */
  add(name: Name, startIndex: number, rateHz: number, values: ArrayLike<number>): void {
    const sum = this.sums.get(name)!;
    const count = this.counts.get(name)!;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) continue;
      const c = this.cell(Math.floor(((startIndex + i) / rateHz) * this.hz));
      if (c < 0) continue;
      sum[c] += v;
      count[c]++;
    }
  }

  /** Set one value per slot over [fromS, toS) from a function of time (replacing what was there). */
  fill(name: Name, fromS: number, toS: number, value: (tS: number) => number): void {
    const sum = this.sums.get(name)!;
    const count = this.counts.get(name)!;
    for (let slot = Math.ceil(fromS * this.hz); slot < toS * this.hz; slot++) {
      const c = this.cell(slot);
      if (c < 0) continue;
      sum[c] = value(slot / this.hz);
      count[c] = 1;
    }
  }

  /**
   * The last `slots` slots up to the newest, from time 0 on: times and each series' means (NaN
   * where empty), in at most `maxPoints` points: when the span holds more slots than that (a
   * chart has only so many pixels), consecutive slots are merged into one point, their mean.
   */
  view(slots: number, maxPoints = Number.POSITIVE_INFINITY): { x: Float64Array; series: Record<Name, Float32Array> } {
    const first = Math.max(0, this.newestSlot - Math.min(slots, this.capacity) + 1);
    const span = this.newestSlot - first + 1;
    const per = Math.max(1, Math.ceil(span / maxPoints)); // slots per point
    const n = Math.ceil(span / per);
    const x = new Float64Array(n);
    const series = {} as Record<Name, Float32Array>;
    for (const [name, sum] of this.sums) {
      const count = this.counts.get(name)!;
      const y = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        let s = 0;
        let k = 0;
        for (let slot = first + i * per; slot < Math.min(first + (i + 1) * per, this.newestSlot + 1); slot++) {
          const c = slot % this.capacity;
          if (this.stamp[c] === slot && count[c] > 0) {
            s += sum[c] / count[c];
            k++;
          }
        }
        y[i] = k > 0 ? s / k : Number.NaN;
      }
      series[name] = y;
    }
    for (let i = 0; i < n; i++) x[i] = (first + i * per + (per - 1) / 2) / this.hz;
    return { x, series };
  }
}
