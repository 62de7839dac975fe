/**
 * Honest alert scoring: the one module evaluation, the server and the dashboard score alerts with.
 * Pure and browser-safe.
 *
 * - An alert's time is when it was *issued* (`onS`: when the monitor could first have shown it,
 *   not the time of the sample it was computed for).
 * - A slip is *warned* when one alert was issued at least `leadS` before the onset and stayed on
 *   until it (cleared at or after the onset). Its lead is onset minus issue time.
 * - A slip inside an alert issued less than `leadS` before it is *late*; any other slip is *missed*.
 * - An alert that holds no slip onset is a *false alarm*. An alert still on when the session ends
 *   is closed with the session; if it holds no slip it is *open*, not a false alarm (its slip may
 *   come after the record ends), and counted apart.
 */

/** What scoring needs of an alert. */
export interface AlertSpan {
  /** issue time, s */
  onS: number;
  /** clear time, s; undefined while still on */
  offS?: number;
}

export interface ScoringOptions {
  /** a warning must be on this long before the onset, s */
  leadS: number;
  /** the scored span [fromS, toS): slips in it are scored, alerts overlapping it are */
  fromS: number;
  toS: number;
  /** the session's end (alerts still on are closed here); default toS */
  sessionEndS?: number;
}

export type SlipOutcome = 'warned' | 'late' | 'missed';

export interface WarningScores {
  slips: number;
  warnedSlips: number;
  lateSlips: number;
  missedSlips: number;
  falseAlarms: number;
  /** alerts still on at the session's end that hold no slip */
  openAlerts: number;
  alerts: number;
  /** complete cycles in the span: slips minus one (the first slip opens the first cycle) */
  cycles: number;
  hours: number;
  falseAlarmsPerHour: number;
  falseAlarmsPer10Cycles: number;
  /** lead of each warned slip, s (onset minus issue time) */
  leadTimesS: number[];
  medianLeadS: number;
  /** fraction of the span an alert was on: an always-on alert warns everything */
  onFraction: number;
  /** per slip onset: its outcome and the index of the alert holding it (or -1) */
  perSlip: { tS: number; outcome: SlipOutcome; alert: number; leadS: number }[];
}

export const DEFAULT_LEAD_S = 1;

/** The index of the alert whose span [onS, off] holds t, or -1 (alerts do not overlap). */
function holding(alerts: readonly AlertSpan[], t: number, endS: number): number {
  return alerts.findIndex((a) => a.onS <= t && t <= (a.offS ?? endS));
}

/** Score alerts against slip onsets (s) over a span. */
export function scoreWarnings(alerts: readonly AlertSpan[], slipsS: readonly number[], o: Partial<ScoringOptions> & Pick<ScoringOptions, 'fromS' | 'toS'>): WarningScores {
  const leadS = o.leadS ?? DEFAULT_LEAD_S;
  const endS = o.sessionEndS ?? o.toS;
  const inSpan = slipsS.filter((t) => t >= o.fromS && t < o.toS);
  const perSlip = inSpan.map((tS) => {
    const k = holding(alerts, tS, endS);
    const leadOf = k >= 0 ? tS - alerts[k].onS : 0;
    const outcome: SlipOutcome = k < 0 ? 'missed' : leadOf >= leadS - 1e-9 ? 'warned' : 'late';
    return { tS, outcome, alert: k, leadS: leadOf };
  });
  let falseAlarms = 0;
  let openAlerts = 0;
  let onS = 0;
  let scored = 0;
  alerts.forEach((a) => {
    const off = Math.min(a.offS ?? endS, endS);
    if (off < o.fromS || a.onS >= o.toS) return;
    scored++;
    onS += Math.max(0, Math.min(off, o.toS) - Math.max(a.onS, o.fromS));
    if (slipsS.some((t) => a.onS <= t && t <= off)) return;
    if (a.offS === undefined || a.offS >= endS - 1e-9) openAlerts++;
    else falseAlarms++;
  });
  const warned = perSlip.filter((s) => s.outcome === 'warned');
  const hours = Math.max(0, o.toS - o.fromS) / 3600;
  const cycles = Math.max(0, inSpan.length - 1);
  const leads = warned.map((s) => s.leadS);
  return {
    slips: inSpan.length,
    warnedSlips: warned.length,
    lateSlips: perSlip.filter((s) => s.outcome === 'late').length,
    missedSlips: perSlip.filter((s) => s.outcome === 'missed').length,
    falseAlarms,
    openAlerts,
    alerts: scored,
    cycles,
    hours,
    ...rates(falseAlarms, hours, cycles, leads),
    onFraction: o.toS > o.fromS ? onS / (o.toS - o.fromS) : Number.NaN,
    perSlip,
  };
}

/** False-alarm rates and lead statistics, the same for one span and for pooled spans. */
function rates(falseAlarms: number, hours: number, cycles: number, leads: number[]) {
  return {
    falseAlarmsPerHour: hours > 0 ? falseAlarms / hours : Number.NaN,
    falseAlarmsPer10Cycles: cycles > 0 ? (10 * falseAlarms) / cycles : Number.NaN,
    leadTimesS: leads,
    medianLeadS: median(leads),
  };
}

/** Sum of scores over several spans (recordings, levels): counts add, leads pool. */
export function poolScores(parts: readonly WarningScores[]): WarningScores {
  const sum = (f: (s: WarningScores) => number) => parts.reduce((a, s) => a + f(s), 0);
  const hours = sum((s) => s.hours);
  const cycles = sum((s) => s.cycles);
  const falseAlarms = sum((s) => s.falseAlarms);
  const leads = parts.flatMap((s) => s.leadTimesS);
  return {
    slips: sum((s) => s.slips),
    warnedSlips: sum((s) => s.warnedSlips),
    lateSlips: sum((s) => s.lateSlips),
    missedSlips: sum((s) => s.missedSlips),
    falseAlarms,
    openAlerts: sum((s) => s.openAlerts),
    alerts: sum((s) => s.alerts),
    cycles,
    hours,
    ...rates(falseAlarms, hours, cycles, leads),
    onFraction: hours > 0 ? sum((s) => s.onFraction * s.hours) / hours : Number.NaN,
    perSlip: parts.flatMap((s) => s.perSlip),
  };
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}
