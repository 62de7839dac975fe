/** A fixed-size window of recent measurements and their percentiles (status and benchmarks). */
export class RecentSamples {
  private readonly values: Float64Array;
  private n = 0;
  private next = 0;

  constructor(capacity = 1000) {
    this.values = new Float64Array(capacity);
  }

  add(v: number): void {
    this.values[this.next] = v;
    this.next = (this.next + 1) % this.values.length;
    this.n = Math.min(this.n + 1, this.values.length);
  }

  get count(): number {
    return this.n;
  }

  /** The p-th percentile (0-100, nearest rank) of the samples held; NaN when empty. */
  percentile(p: number): number {
    if (this.n === 0) return Number.NaN;
    const sorted = Array.from(this.values.subarray(0, this.n)).sort((a, b) => a - b);
    return sorted[Math.min(this.n - 1, Math.max(0, Math.ceil((p / 100) * this.n) - 1))];
  }

  summary(): { count: number; p50: number; p95: number; p99: number; max: number } {
    return { count: this.n, p50: this.percentile(50), p95: this.percentile(95), p99: this.percentile(99), max: this.percentile(100) };
  }
}
