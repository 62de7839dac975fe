/**
 * Fitting the alerting model (shared/alerts/hazard.ts) from alert streams: causal feature rows
 * with labels that stay within a load level, logistic regression per horizon on the fit streams,
 * Platt recalibration and every rule's threshold chosen on the validation streams (the same
 * false-alarm and on-time budget for the forecaster, the clock and the AE-level rule).
 */
import { type AlertingModel, HazardAlerts } from '../shared/alerts/hazard.ts';
import { AeLevelAlerts, ClockAlerts } from '../shared/alerts/baselines.ts';
import { DEFAULT_FEATURES, FEATURE_NAMES, FeatureState } from '../shared/alerts/features.ts';
import { poolScores, scoreWarnings, type WarningScores } from '../shared/alerts.ts';
import { type AlertStream, SLIP_REPORT_DELAY_S, type Span, ttfWithin } from './alerting-data.ts';
import { type AlertRule, replayRules } from './alerting-replay.ts';
import { calibration, fitLinear, fitLogistic, predictLinear } from './logistic.ts';

export const HORIZONS_S = [1, 2, 5];
/** Thresholds are chosen for at most this many false alarms per 10 cycles on validation, and at most this on-time. */
export const BUDGET = { falseAlarmsPer10Cycles: 1, onFraction: 0.4 };

export interface Rows {
  xs: number[][][];
  ys: number[][];
  /** TTF / running recurrence at issue time (NaN where unknown) */
  u: number[];
}

/** Feature rows every `every` samples of a stream's spans; labels from issue time, within each span. */
export function featureRows(s: AlertStream, spans: readonly Span[], every = 10): Rows {
  const rows: Rows = { xs: HORIZONS_S.map(() => []), ys: HORIZONS_S.map(() => []), u: [] };
  const st = new FeatureState(DEFAULT_FEATURES);
  const labels = spans.map((sp) => ({ sp, ...ttfWithin(s, sp) }));
  let next = 0;
  for (let k = 0; k < s.level.length; k++) {
    const t = s.startS + k / s.rateHz;
    const issued = t + s.delayS;
    while (next < s.onsetsS.length && s.onsetsS[next] + SLIP_REPORT_DELAY_S <= issued) st.slip(s.onsetsS[next++]);
    st.push(t, s.level[k]);
    if (k % every) continue;
    const l = labels.find((x) => k >= x.fromIndex && k < x.fromIndex + x.ttf.length);
    if (!l) continue;
    const ttf = l.ttf[k - l.fromIndex] - s.delayS;
    if (ttf < 0) continue;
    const xs = HORIZONS_S.map((h) => st.vector(t, h));
    if (xs.some((x) => !x)) continue;
    const ys = HORIZONS_S.map((h) => (Number.isFinite(ttf) ? (ttf <= h ? 1 : 0) : issued + h < l.sp.toS ? 0 : Number.NaN));
    if (ys.some((y) => Number.isNaN(y))) continue;
    HORIZONS_S.forEach((_, i) => (rows.xs[i].push(xs[i]!), rows.ys[i].push(ys[i])));
    rows.u.push(Math.min(3, ttf / st.clock(t).meanS));
  }
  return rows;
}

export function mergeRows(parts: Rows[]): Rows {
  return { xs: HORIZONS_S.map((_, i) => parts.flatMap((p) => p.xs[i])), ys: HORIZONS_S.map((_, i) => parts.flatMap((p) => p.ys[i])), u: parts.flatMap((p) => p.u) };
}

/** Logistic per horizon and the TTF ratio on the fit rows; Platt on the validation rows. */
export function fitModel(fit: Rows, val: Rows): AlertingModel {
  const logistic = HORIZONS_S.map((_, i) => fitLogistic(fit.xs[i], fit.ys[i], 1));
  const platt = HORIZONS_S.map((_, i): [number, number] => {
    const z = val.xs[i].map((x) => [predictLinear(logistic[i], x)]);
    const [b, a] = fitLogistic(z, val.ys[i], 1e-6);
    return [a, b];
  });
  const known = fit.u.map((u, r) => [u, r] as const).filter(([u]) => Number.isFinite(u));
  const weights = fitLinear(known.map(([, r]) => fit.xs[0][r]), known.map(([u]) => u));
  const res = known.map(([u, r]) => u - Math.max(0, predictLinear(weights, fit.xs[0][r])));
  const residualStd = Math.sqrt(res.reduce((a, v) => a + v * v, 0) / Math.max(1, res.length));
  return { kind: 'slipwatch-alerting', version: 1, features: { ...DEFAULT_FEATURES }, featureNames: [...FEATURE_NAMES], horizonsS: HORIZONS_S, logistic, platt, ttf: { weights, residualStd }, alert: { horizonS: 2, onAbove: 0.5, offBelow: 0.3, minDurationS: 0.1 } };
}

/** Calibration (Brier, reliability bins) of the model's probabilities on rows, per horizon. */
export function calibrationOn(m: AlertingModel, rows: Rows) {
  return HORIZONS_S.map((h, i) => {
    const p = rows.xs[i].map((x) => 1 / (1 + Math.exp(-(m.platt[i][0] * predictLinear(m.logistic[i], x) + m.platt[i][1]))));
    return { horizonS: h, ...calibration(p, rows.ys[i]) };
  });
}

/** The rules whose thresholds are chosen: the forecaster (per horizon and probability), the clock, the AE-level rule. */
export type RuleKind = 'forecaster' | 'clock' | 'aeLevel';

/** The forecaster's alert rule at a threshold: on above it, cleared after 1 s below 40 % of it (a slip resets the clock features, so it clears after the slip). */
export const forecasterAlert = (horizonS: number, onAbove: number) => ({ horizonS, onAbove, offBelow: 0.4 * onAbove, minDurationS: 0.1, clearAfterS: 1 });

export function makeRule(kind: RuleKind, m: AlertingModel, threshold: number, horizonS = m.alert.horizonS): AlertRule {
  if (kind === 'clock') return new ClockAlerts(threshold);
  if (kind === 'aeLevel') return new AeLevelAlerts(threshold, DEFAULT_FEATURES.rateHz);
  return new HazardAlerts({ ...m, alert: forecasterAlert(horizonS, threshold) });
}

/** Scores of a rule over streams' spans (pooled). */
export function scoreRule(make: () => AlertRule, streams: readonly { s: AlertStream; spans: Span[] }[]): WarningScores {
  return poolScores(streams.flatMap(({ s, spans }) => {
    const [alerts] = replayRules(s, [make()]);
    const end = s.startS + s.level.length / s.rateHz + s.delayS;
    return spans.map((sp) => scoreWarnings(alerts, s.onsetsS, { fromS: sp.fromS, toS: sp.toS, sessionEndS: end }));
  }));
}

export const GRIDS: Record<RuleKind, { horizons: number[]; thresholds: number[] }> = {
  forecaster: { horizons: HORIZONS_S, thresholds: [0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7] },
  clock: { horizons: [0], thresholds: [1.5, 2, 2.5, 3, 4, 5, 6] },
  aeLevel: { horizons: [0], thresholds: [0.05, 0.08, 0.1, 0.15, 0.2, 0.3] },
};

/** The threshold (and horizon) warning most validation slips within the budget. */
export function chooseThreshold(kind: RuleKind, m: AlertingModel, val: readonly { s: AlertStream; spans: Span[] }[]) {
  let best: { horizonS: number; threshold: number; scores: WarningScores } | null = null;
  for (const horizonS of GRIDS[kind].horizons)
    for (const threshold of GRIDS[kind].thresholds) {
      const scores = scoreRule(() => makeRule(kind, m, threshold, horizonS || m.alert.horizonS), val);
      const ok = !(scores.falseAlarmsPer10Cycles > BUDGET.falseAlarmsPer10Cycles) && scores.onFraction <= BUDGET.onFraction;
      if (ok && (!best || scores.warnedSlips > best.scores.warnedSlips)) best = { horizonS, threshold, scores };
    }
  return best;
}
