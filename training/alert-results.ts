/**
 * Alert and TTF scores of the forecaster and its baselines on evaluation spans, each replayed as
 * the monitor lives it (training/alerting-replay.ts) and scored by the one scoring module:
 * alerts from issue times, TTF as served (the forecast for each sample, made when the sample
 * arrived) on complete cycles only (labels within the span), and the probabilities' calibration.
 */
import type { AlertingModel, Forecast } from '../shared/alerts/hazard.ts';
import { HazardAlerts } from '../shared/alerts/hazard.ts';
import { AeLevelAlerts, ClockAlerts } from '../shared/alerts/baselines.ts';
import { scoreWarnings, type WarningScores } from '../shared/alerts.ts';
import { scoreSeries } from '../shared/metrics.ts';
import { type AlertStream, type Span, ttfWithin } from './alerting-data.ts';
import { replayRules } from './alerting-replay.ts';
import { calibration } from './logistic.ts';

export interface AlertBaselines {
  clock: { onBelowS: number };
  aeLevel: { onAbove: number };
  /** the constant TTF (training mean), s: below no alert threshold, so it never alerts */
  constantTtfS: number;
}

export type AlertCounts = Pick<WarningScores, 'slips' | 'warnedSlips' | 'lateSlips' | 'falseAlarms' | 'cycles' | 'hours' | 'medianLeadS' | 'falseAlarmsPer10Cycles' | 'onFraction'>;

export interface SpanResult {
  testedOn: string;
  alerts: AlertCounts & { baselines: { clock: AlertCounts; aeLevel: AlertCounts; constant: AlertCounts } };
  ttf: { r2: number; maeS: number; baselines: { clock: { r2: number; maeS: number }; constant: { r2: number; maeS: number } } };
  calibration: { horizonS: number; brier: number; n: number; bins: ReturnType<typeof calibration>['bins'] }[];
}

const counts = (s: WarningScores): AlertCounts => ({ slips: s.slips, warnedSlips: s.warnedSlips, lateSlips: s.lateSlips, falseAlarms: s.falseAlarms, cycles: s.cycles, hours: s.hours, medianLeadS: s.medianLeadS, falseAlarmsPer10Cycles: s.falseAlarmsPer10Cycles, onFraction: s.onFraction });

/** Every rule over one stream, then scores per span. */
export function evaluateStream(s: AlertStream, spans: readonly Span[], model: AlertingModel, b: AlertBaselines): SpanResult[] {
  const hazard = new HazardAlerts(model);
  const clock = new ClockAlerts(b.clock.onBelowS);
  const n = s.level.length;
  const forecastTtf = new Float32Array(n).fill(Number.NaN);
  const clockTtf = new Float32Array(n).fill(Number.NaN);
  const probs = model.horizonsS.map(() => new Float32Array(n).fill(Number.NaN));
  const [hz, ck, ae] = replayRules(s, [hazard, clock, new AeLevelAlerts(b.aeLevel.onAbove, s.rateHz)], (k, sampleS) => {
    const f: Forecast | null = hazard.last;
    if (f) {
      forecastTtf[k] = f.ttfS;
      f.probabilities.forEach((p, i) => (probs[i][k] = p));
    }
    clockTtf[k] = Math.max(0, clock.ttfAt(sampleS));
  });
  const end = s.startS + n / s.rateHz + s.delayS;
  return spans.map((sp) => {
    const score = (alerts: readonly { onS: number; offS?: number }[]) => counts(scoreWarnings(alerts, s.onsetsS, { fromS: sp.fromS, toS: sp.toS, sessionEndS: end }));
    const { fromIndex, ttf } = ttfWithin(s, sp);
    // complete cycles: from the span's first slip on (before it, the cycle began outside the span)
    const first = s.onsetsS.find((t) => t >= sp.fromS && t < sp.toS);
    const from = first === undefined ? ttf.length : Math.max(0, Math.ceil((first - s.startS) * s.rateHz) - fromIndex);
    const truth = ttf.subarray(from);
    const at = (x: Float32Array) => x.subarray(fromIndex + from, fromIndex + ttf.length);
    const ok = (x: Float32Array) => {
      const keep = truth.map((t, i) => (Number.isFinite(t) && Number.isFinite(x[i]) ? 1 : 0));
      return { t: truth.filter((_, i) => keep[i]), p: x.filter((_, i) => keep[i]) };
    };
    const sc = (x: Float32Array) => {
      const { t, p } = ok(at(x));
      const r = scoreSeries(t, p);
      return { r2: r.r2, maeS: r.mae };
    };
    const cal = model.horizonsS.map((h, i) => {
      const p = at(probs[i]);
      const ys: number[] = [];
      const ps: number[] = [];
      truth.forEach((t, j) => {
        const left = t - s.delayS;
        if (Number.isFinite(t) && left >= 0 && Number.isFinite(p[j]) && j % 10 === 0) (ys.push(left <= h ? 1 : 0), ps.push(p[j]));
      });
      return { horizonS: h, ...calibration(ps, ys) };
    });
    return {
      testedOn: sp.label,
      alerts: { ...score(hz), baselines: { clock: score(ck), aeLevel: score(ae), constant: score([]) } },
      ttf: { ...sc(forecastTtf), baselines: { clock: sc(clockTtf), constant: sc(new Float32Array(n).fill(b.constantTtfS)) } },
      calibration: cal,
    };
  });
}
