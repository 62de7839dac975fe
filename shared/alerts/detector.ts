/**
 * Alert detectors: hysteresis on a scalar fed sample by sample, stamped with the time each sample
 * was *issued* (the moment the monitor had it), never the time it describes. Pure, browser-safe.
 */

export interface Alert {
  id: number;
  /** issue time: when the monitor could first show it, s */
  onS: number;
  /** clear time, s (undefined while active) */
  offS?: number;
  /** predicted TTF when it fired, s */
  predictedTtfS: number;
  /** its uncertainty (one standard deviation), s, when the predictor gives one */
  ttfStdS?: number;
  /** probability of failure within horizonS when it fired, when the predictor gives one */
  probability?: number;
  horizonS?: number;
}

export type AlertEvent = { kind: 'on'; alert: Alert } | { kind: 'off'; alert: Alert };

/** Hysteresis on a score where higher means nearer failure: on above onAbove (held minDurationS), off below offBelow. */
export interface HysteresisConfig {
  onAbove: number;
  offBelow: number;
  minDurationS: number;
  /** an active alert clears once the score has stayed below offBelow this long, s (default 0): a dip does not split one warning into a false alarm and a late one */
  clearAfterS?: number;
}

/** What an alert carries besides its times. */
export type AlertInfo = Omit<Alert, 'id' | 'onS' | 'offS'>;

export class HysteresisDetector {
  private active: Alert | null = null;
  private aboveSince = Number.NaN;
  private belowSince = Number.NaN;
  private nextId = 1;
  readonly history: Alert[] = [];

  constructor(private readonly c: HysteresisConfig) {
    if (!(c.offBelow < c.onAbove)) throw new RangeError(`offBelow (${c.offBelow}) must be below onAbove (${c.onAbove})`);
    if (!(c.minDurationS >= 0)) throw new RangeError(`minDurationS must be >= 0, got ${c.minDurationS}`);
  }

  /** Feed the score known at issue time tS; returns the events it causes. */
  push(tS: number, score: number, info: () => AlertInfo): AlertEvent[] {
    if (!Number.isFinite(score)) return [];
    if (this.active) {
      if (score >= this.c.offBelow) {
        this.belowSince = Number.NaN;
        return [];
      }
      if (Number.isNaN(this.belowSince)) this.belowSince = tS;
      return tS - this.belowSince >= (this.c.clearAfterS ?? 0) - 1e-9 ? [this.clear(tS)] : [];
    }
    if (score <= this.c.onAbove) {
      this.aboveSince = Number.NaN;
      return [];
    }
    if (Number.isNaN(this.aboveSince)) this.aboveSince = tS;
    if (tS - this.aboveSince < this.c.minDurationS - 1e-9) return [];
    this.active = { id: this.nextId++, onS: tS, ...info() };
    this.history.push(this.active);
    return [{ kind: 'on', alert: this.active }];
  }

  /** Clear the active alert at tS (a slip was detected, or the session ends). */
  clear(tS: number): AlertEvent {
    const alert = this.active!;
    alert.offS = tS;
    this.active = null;
    this.aboveSince = Number.NaN;
    this.belowSince = Number.NaN;
    return { kind: 'off', alert };
  }

  /** Close an alert still on when the session ends (scoring then sees where it stopped). */
  close(tS: number): AlertEvent[] {
    return this.active ? [this.clear(tS)] : [];
  }

  get isActive(): boolean {
    return this.active !== null;
  }
}

/** The TTF threshold rule: alert when predicted TTF is below onBelowS, clear above offAboveS. */
export interface AlertConfig {
  onBelowS: number;
  offAboveS: number;
  minDurationS: number;
}

export const DEFAULT_ALERTS: Readonly<AlertConfig> = { onBelowS: 2, offAboveS: 3, minDurationS: 0.3 };

/** Alerts on a predicted TTF (the CED's nowcast, the clock): hysteresis on -TTF. */
export class AlertDetector {
  private readonly d: HysteresisDetector;
  constructor(c: AlertConfig = DEFAULT_ALERTS) {
    if (!(c.onBelowS < c.offAboveS)) throw new RangeError(`onBelowS (${c.onBelowS}) must be below offAboveS (${c.offAboveS})`);
    this.d = new HysteresisDetector({ onAbove: -c.onBelowS, offBelow: -c.offAboveS, minDurationS: c.minDurationS });
  }

  /** Feed the predicted TTF known at issue time tS. */
  push(tS: number, predictedTtfS: number): AlertEvent[] {
    return this.d.push(tS, -predictedTtfS, () => ({ predictedTtfS }));
  }

  close(tS: number): AlertEvent[] {
    return this.d.close(tS);
  }

  get history(): Alert[] {
    return this.d.history;
  }

  get isActive(): boolean {
    return this.d.isActive;
  }
}
