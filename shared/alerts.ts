/**
 * Alerts on predicted failure, and their scoring against measured slips. Pure and incremental:
 * fed sample by sample (model rate), so the server runs them live and tests and the dashboard can
 * replay them. Browser-safe.
 *
 * An alert turns on when predicted time to failure stays below `onBelowS` for `minDurationS`, and
 * off when it rises above `offAboveS` (hysteresis: onBelowS < offAboveS), so a noisy prediction
 * near the threshold does not flicker.
 */
export interface AlertConfig {
  /** alert when the predicted TTF is below this, s */
  onBelowS: number;
  /** clear when the predicted TTF is above this, s */
  offAboveS: number;
  /** the condition must hold this long before the alert fires, s */
  minDurationS: number;
}

export const DEFAULT_ALERTS: Readonly<AlertConfig> = { onBelowS: 2, offAboveS: 3, minDurationS: 0.3 };

export interface Alert {
  id: number;
  /** time the alert fired, s */
  onS: number;
  /** time it cleared, s (undefined while active) */
  offS?: number;
  /** predicted TTF when it fired, s */
  predictedTtfS: number;
}

export type AlertEvent = { kind: 'on'; alert: Alert } | { kind: 'off'; alert: Alert };

export class AlertDetector {
  private active: Alert | null = null;
  private belowSince = Number.NaN;
  private nextId = 1;
  readonly history: Alert[] = [];

  constructor(private readonly c: AlertConfig = DEFAULT_ALERTS) {
    if (!(c.onBelowS < c.offAboveS)) throw new RangeError(`onBelowS (${c.onBelowS}) must be below offAboveS (${c.offAboveS})`);
    if (!(c.minDurationS >= 0)) throw new RangeError(`minDurationS must be >= 0, got ${c.minDurationS}`);
  }

  /** Feed one predicted TTF sample at time tS; returns the events it causes. */
  push(tS: number, predictedTtfS: number): AlertEvent[] {
    if (!Number.isFinite(predictedTtfS)) return [];
    if (this.active) {
      if (predictedTtfS > this.c.offAboveS) {
        this.active.offS = tS;
        const alert = this.active;
        this.active = null;
        this.belowSince = Number.NaN;
        return [{ kind: 'off', alert }];
      }
      return [];
    }
    if (predictedTtfS < this.c.onBelowS) {
      if (Number.isNaN(this.belowSince)) this.belowSince = tS;
      if (tS - this.belowSince >= this.c.minDurationS - 1e-9) {
        this.active = { id: this.nextId++, onS: tS, predictedTtfS };
        this.history.push(this.active);
        return [{ kind: 'on', alert: this.active }];
      }
    } else {
      this.belowSince = Number.NaN;
    }
    return [];
  }

  get isActive(): boolean {
    return this.active !== null;
  }
}

/** Outcome of each alert and each real slip. */
export interface AlertScores {
  hits: number;
  misses: number;
  falseAlarms: number;
  /** lead time of each hit: slip time minus alert time, s */
  leadTimesS: number[];
}

/** For each alert, the index of the slip it claims (scoreAlerts' rule), or null. */
export function claimSlips(alerts: readonly Alert[], slipsS: readonly number[], nowS: number, graceS = 0.5): (number | null)[] {
  const claimed = new Set<number>();
  return alerts.map((a) => {
    const end = (a.offS ?? nowS) + graceS;
    const k = slipsS.findIndex((t, i) => !claimed.has(i) && t >= a.onS && t <= end);
    if (k < 0) return null;
    claimed.add(k);
    return k;
  });
}

/**
 * Score alerts against measured slips (failure onsets, s). An alert is a hit if a slip happens
 * while it is active or within `graceS` after it fired... precisely: in [onS, (offS ?? now) +
 * graceS]; the first such slip is its slip. A slip no alert claims is a miss; an alert that
 * claims no slip is a false alarm. Alerts still active with no slip yet are not scored.
 */
export function scoreAlerts(alerts: readonly Alert[], slipsS: readonly number[], nowS: number, graceS = 0.5): AlertScores {
  const slipOf = claimSlips(alerts, slipsS, nowS, graceS);
  const claimed = new Set(slipOf.filter((k) => k !== null));
  const s: AlertScores = { hits: 0, misses: 0, falseAlarms: 0, leadTimesS: [] };
  alerts.forEach((a, i) => {
    const k = slipOf[i];
    if (k !== null) {
      s.hits++;
      s.leadTimesS.push(slipsS[k] - a.onS);
    } else if (a.offS !== undefined || nowS - a.onS > graceS + 60) {
      s.falseAlarms++;
    }
  });
  slipsS.forEach((t, i) => {
    if (!claimed.has(i) && t <= nowS) s.misses++;
  });
  return s;
}
