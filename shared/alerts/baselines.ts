/**
 * Alert baselines, fed like the forecaster (AE level per sample, slips as detected) and scored by
 * the same module: the recurrence clock and an AE-level (STA/LTA) rule. Pure, browser-safe.
 */
import { AlertDetector, type AlertEvent, HysteresisDetector } from './detector.ts';
import { recurrenceOf } from './features.ts';

/**
 * The recurrence clock: the next slip one running-mean recurrence after the last detected one.
 * Its predicted TTF is that minus the time since the last slip; it alerts below onBelowS and
 * clears when a new slip resets it (causal: slips count from when they are detected).
 */
export class ClockAlerts {
  readonly onsetsS: number[] = [];
  readonly detector: AlertDetector;
  constructor(
    onBelowS: number,
    private readonly memory = 6,
  ) {
    this.detector = new AlertDetector({ onBelowS, offAboveS: onBelowS + 0.5, minDurationS: 0 });
  }

  slip(onsetS: number): void {
    if (!this.onsetsS.length || onsetS - this.onsetsS.at(-1)! > 0.2) this.onsetsS.push(onsetS);
  }

  /** Predicted TTF at tS (NaN before two slips). */
  ttfAt(tS: number): number {
    const { meanS } = recurrenceOf(this.onsetsS, this.memory);
    return this.onsetsS.length ? this.onsetsS.at(-1)! + meanS - tS : Number.NaN;
  }

  push(sampleS: number, issuedS: number): AlertEvent[] {
    return this.detector.push(issuedS, this.ttfAt(sampleS));
  }
}

/** STA/LTA on the AE level (log10 envelope): alert when the short average exceeds the long one by onAbove decades. */
export class AeLevelAlerts {
  private sta = Number.NaN;
  private lta = Number.NaN;
  readonly detector: HysteresisDetector;
  constructor(
    onAbove: number,
    private readonly rateHz = 100,
    private readonly staS = 0.5,
    private readonly ltaS = 10,
  ) {
    this.detector = new HysteresisDetector({ onAbove, offBelow: onAbove - 0.05, minDurationS: 0.2 });
  }

  push(_sampleS: number, issuedS: number, level: number): AlertEvent[] {
    if (!Number.isFinite(level)) return [];
    const a = (tau: number) => 1 - Math.exp(-1 / (tau * this.rateHz));
    this.sta = Number.isNaN(this.sta) ? level : this.sta + a(this.staS) * (level - this.sta);
    this.lta = Number.isNaN(this.lta) ? level : this.lta + a(this.ltaS) * (level - this.lta);
    const r = this.sta - this.lta;
    return this.detector.push(issuedS, r, () => ({ predictedTtfS: Number.NaN }));
  }
}
