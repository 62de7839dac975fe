/**
 * Causal features for failure forecasting, updated sample by sample from what a live monitor has
 * at that instant: the conditioned AE level (log10, model rate) and slips as they are detected
 * (in the measured friction, or in the AE). Every feature is scale-free (relative to the running
 * recurrence or to the running cycle statistics of the AE), so one fit transfers across cycle
 * lengths and load levels. Pure, browser-safe.
 */

export interface FeatureConfig {
  /** sample rate of the AE level, Hz */
  rateHz: number;
  /** recurrences the running estimate averages */
  memory: number;
  /** short and long AE averages (exponential), s */
  shortS: number;
  longS: number;
  /** the cycle's AE baseline: mean level over [onset + from, onset + to], s */
  baselineFromS: number;
  baselineToS: number;
}

export const DEFAULT_FEATURES: Readonly<FeatureConfig> = { rateHz: 100, memory: 6, shortS: 0.3, longS: 1.5, baselineFromS: 0.5, baselineToS: 2.5 };

/** Feature names, in the order `FeatureState.vector` returns them. */
export const FEATURE_NAMES = ['clockLogit', 'phase', 'aeShort', 'aeLong', 'aeShortXPhase'] as const;

/** Running mean and std of the last `memory` recurrences. */
export function recurrenceOf(onsetsS: readonly number[], memory: number): { meanS: number; sdS: number } {
  const iv: number[] = [];
  for (let k = Math.max(1, onsetsS.length - memory); k < onsetsS.length; k++) iv.push(onsetsS[k] - onsetsS[k - 1]);
  if (iv.length === 0) return { meanS: Number.NaN, sdS: Number.NaN };
  const m = iv.reduce((a, b) => a + b, 0) / iv.length;
  const sd = Math.sqrt(iv.reduce((a, b) => a + (b - m) ** 2, 0) / iv.length);
  return { meanS: m, sdS: sd };
}

/** Standard normal CDF (Abramowitz-Stegun 7.1.26, |error| < 1.5e-7). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.3275911 * (Math.abs(z) / Math.SQRT2));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-(z * z) / 2);
  return z >= 0 ? 0.5 * (1 + y) : 0.5 * (1 - y);
}

/**
 * The clock's hazard: P(slip within h | none for tslS), recurrences ~ N(mean, sd). Logit, clamped:
 * a clock with an overdue slip says "soon" rather than 0/0.
 */
export function clockLogit(tslS: number, meanS: number, sdS: number, h: number): number {
  const sd = Math.max(sdS, 0.05 * meanS);
  const survive = 1 - normalCdf((tslS - meanS) / sd);
  const within = normalCdf((tslS + h - meanS) / sd) - normalCdf((tslS - meanS) / sd);
  const p = survive > 1e-9 ? within / survive : 1;
  const q = Math.min(1 - 1e-4, Math.max(1e-4, p));
  return Math.log(q / (1 - q));
}

export class FeatureState {
  readonly onsetsS: number[] = [];
  private short = Number.NaN;
  private long = Number.NaN;
  /** recent levels (for the cycle's baseline and its pre-slip level) */
  private readonly recent: { tS: number; level: number }[] = [];
  private baseline = Number.NaN;
  private baselineOf = -1;
  private readonly rises: number[] = [];
  private readonly c: FeatureConfig;

  constructor(c: Partial<FeatureConfig> = {}) {
    this.c = { ...DEFAULT_FEATURES, ...c };
  }

  /** A slip was detected (its onset, s); call as soon as the detector reports it. */
  slip(onsetS: number): void {
    if (this.onsetsS.length && onsetsCloserThan(this.onsetsS.at(-1)!, onsetS, 0.2)) return;
    const pre = this.meanLevel(onsetS - 1, onsetS);
    if (Number.isFinite(pre) && Number.isFinite(this.baseline)) this.rises.push(pre - this.baseline);
    if (this.rises.length > this.c.memory) this.rises.shift();
    this.onsetsS.push(onsetS);
  }

  /** The AE level (log10 of the conditioned AE) of the sample at tS. */
  push(tS: number, level: number): void {
    if (!Number.isFinite(level)) return;
    const a = (tau: number) => 1 - Math.exp(-1 / (tau * this.c.rateHz));
    this.short = Number.isNaN(this.short) ? level : this.short + a(this.c.shortS) * (level - this.short);
    this.long = Number.isNaN(this.long) ? level : this.long + a(this.c.longS) * (level - this.long);
    this.recent.push({ tS, level });
    while (this.recent.length && this.recent[0].tS < tS - Math.max(4, this.c.baselineToS + 1)) this.recent.shift();
    const last = this.onsetsS.length - 1;
    if (last >= 0 && this.baselineOf !== last && tS >= this.onsetsS[last] + this.c.baselineToS) {
      this.baseline = this.meanLevel(this.onsetsS[last] + this.c.baselineFromS, this.onsetsS[last] + this.c.baselineToS);
      this.baselineOf = last;
    }
    if (Number.isNaN(this.baseline)) this.baseline = this.long;
  }

  /** Running recurrence, and time since the last slip at tS. */
  clock(tS: number): { meanS: number; sdS: number; tslS: number } {
    const r = recurrenceOf(this.onsetsS, this.c.memory);
    return { ...r, tslS: this.onsetsS.length ? tS - this.onsetsS.at(-1)! : Number.NaN };
  }

  /** The feature vector at tS for horizon h (FEATURE_NAMES order); null before two slips. */
  vector(tS: number, h: number): number[] | null {
    const { meanS, sdS, tslS } = this.clock(tS);
    if (!(meanS > 0) || Number.isNaN(this.short)) return null;
    const rise = Math.max(0.05, this.rises.length ? this.rises.reduce((a, b) => a + b, 0) / this.rises.length : 0.3);
    const phase = Math.min(3, Math.max(0, tslS / meanS));
    const aS = clamp((this.short - this.baseline) / rise, -3, 5);
    const aL = clamp((this.long - this.baseline) / rise, -3, 5);
    return [clockLogit(tslS, meanS, sdS, h), phase, aS, aL, aS * phase];
  }

  private meanLevel(fromS: number, toS: number): number {
    let s = 0;
    let n = 0;
    for (const r of this.recent) if (r.tS >= fromS && r.tS <= toS) (s += r.level), n++;
    return n ? s / n : Number.NaN;
  }
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const onsetsCloserThan = (a: number, b: number, s: number) => Math.abs(a - b) < s;
