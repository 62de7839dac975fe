/** The alert, TTF-as-served and calibration sections of docs/results.md, from results.json's `alerting` part. */
import type { AlertCounts, SpanResult } from './alert-results.ts';

const f = (x: number | null | undefined, d = 2) => (x == null || Number.isNaN(x) ? '-' : x.toFixed(d));
const pct = (a: AlertCounts) => (a.slips ? `${a.warnedSlips}/${a.slips} (${((100 * a.warnedSlips) / a.slips).toFixed(0)} %)` : '-');

function alertRow(rule: string, a: AlertCounts, clock: AlertCounts): string {
  const note = rule === 'forecaster' && !(a.warnedSlips > clock.warnedSlips && !(a.falseAlarmsPer10Cycles > clock.falseAlarmsPer10Cycles)) ? ' **does not beat the clock at its false-alarm rate**' : '';
  return `| | ${rule}${note} | ${pct(a)} | ${a.lateSlips} | ${a.falseAlarms} | ${f(a.falseAlarmsPer10Cycles)} | ${f(a.medianLeadS)} | ${f(a.onFraction)} |`;
}

export function renderAlertSections(results: SpanResult[], fittedOn: string[]): string[] {
  const lines = [
    '## Warnings before the slip (alerts from their issue time)',
    '',
    'Scored by `shared/alerts/scoring.ts`, the module the server and the dashboard use: a slip is *warned* when',
    'an alert was issued at least 1 s before its onset and stayed on until it; *late* when the alert',
    'holding it was issued less than 1 s before. Issue time = the sample time plus the conditioning',
    "filter's delay; slips reach the rules when the streaming friction detector reports them (0.5 s",
    'after the onset). `on` is the fraction of the time an alert was on (an alert always on warns',
    'everything). The forecaster (trained-models/alerting) was fitted on ' + fittedOn.join('; ') + '; none of the spans below.',
    '',
    '| tested on | rule | warned >= 1 s | late | false alarms | per 10 cycles | median lead (s) | on |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    const a = r.alerts;
    lines.push(`| **${r.testedOn}** | | | | | | | |`);
    lines.push(alertRow('forecaster', a, a.baselines.clock));
    for (const [k, v] of Object.entries(a.baselines)) lines.push(alertRow(`baseline: ${k}`, v, a.baselines.clock));
  }
  lines.push('', '## Time to failure as served (causal forecast), complete cycles within each span', '');
  lines.push('| tested on | forecaster R^2 | MAE (s) | clock R^2 | clock MAE (s) | constant R^2 | constant MAE (s) |', '|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results) lines.push(`| ${r.testedOn} | ${f(r.ttf.r2, 3)} | ${f(r.ttf.maeS)} | ${f(r.ttf.baselines.clock.r2, 3)} | ${f(r.ttf.baselines.clock.maeS)} | ${f(r.ttf.baselines.constant.r2, 3)} | ${f(r.ttf.baselines.constant.maeS)} |`);
  lines.push('', '## Calibration of P(slip within h)', '', 'Brier score per horizon (base rate in brackets); reliability bins in results.json.', '');
  lines.push(`| tested on | ${results[0]?.calibration.map((c) => `h = ${c.horizonS} s`).join(' | ')} |`, `|---|${results[0]?.calibration.map(() => '---:').join('|')}|`);
  for (const r of results) lines.push(`| ${r.testedOn} | ${r.calibration.map((c) => `${f(c.brier, 3)} (${f(c.bins.reduce((s, b) => s + b.observed * b.n, 0) / Math.max(1, c.n), 2)})`).join(' | ')} |`);
  return lines;
}

/** Reliability table of one span and horizon: predicted vs observed per bin. */
export function reliabilityTable(r: SpanResult, horizonS: number): string[] {
  const c = r.calibration.find((x) => x.horizonS === horizonS);
  if (!c) return [];
  return [`Reliability on ${r.testedOn}, h = ${horizonS} s:`, '', '| predicted | n | mean predicted | observed |', '|---|---:|---:|---:|', ...c.bins.map((b) => `| ${f(b.from, 1)}-${f(b.to, 1)} | ${b.n} | ${f(b.meanPredicted, 3)} | ${f(b.observed, 3)} |`)];
}
