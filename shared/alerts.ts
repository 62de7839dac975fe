/**
 * Alerts: detection (shared/alerts/detector.ts) and honest scoring (shared/alerts/scoring.ts), the
 * one module evaluation, the server and the dashboard use. Browser-safe.
 *
 * `scoreAlerts` is the live form of `scoreWarnings`: everything seen so far in a session, from its
 * start to `nowS`. Alerts still on at `nowS` are closed there for scoring (not false alarms).
 */
import { DEFAULT_LEAD_S, scoreWarnings, type AlertSpan, type WarningScores } from './alerts/scoring.ts';

export { type Alert, type AlertConfig, AlertDetector, type AlertEvent, DEFAULT_ALERTS, HysteresisDetector, type HysteresisConfig } from './alerts/detector.ts';
export { DEFAULT_LEAD_S, median, poolScores, scoreWarnings, type AlertSpan, type ScoringOptions, type SlipOutcome, type WarningScores } from './alerts/scoring.ts';

/** A session's running scores (what /status reports and the dashboard shows). */
export type AlertScores = Omit<WarningScores, 'perSlip'> & {
  /** warned slips (kept for older dashboards: the same number as warnedSlips) */
  hits: number;
  /** late and missed slips */
  misses: number;
  perSlip: WarningScores['perSlip'];
};

/** Scores of a session so far: slips and alerts from its start (fromS) to now. */
export function scoreAlerts(alerts: readonly AlertSpan[], slipsS: readonly number[], nowS: number, leadS = DEFAULT_LEAD_S, fromS = 0): AlertScores {
  const s = scoreWarnings(alerts, slipsS, { fromS, toS: nowS + 1e-9, sessionEndS: nowS, leadS });
  return { ...s, hits: s.warnedSlips, misses: s.lateSlips + s.missedSlips };
}
