/** cli/evaluate-live.ts's per-recording result and its Markdown tables. */
import { readRecordingMeta } from '../recording/recording.ts';
import { conditionRecording } from './dataset.ts';
import type { LiveRun } from './live-evaluation-replay.ts';
import { scoredFrom, scoreSpan, type SpanScores, spansAfter, type Truth } from './live-evaluation.ts';
import { levelRanges } from './splits.ts';

export interface LiveResult {
  recording: string;
  name: string;
  /** what adaptation did, per model: swapped from which sample, newest-cycle R^2 before -> after */
  adaptation: { target: string; swapped: boolean; fromS: number | null; cycles: number; before: number; after: number; trainS?: number; reason?: string }[];
  scoredFromS: number;
  /** the alerts are the forecaster's in both runs: were they identical? */
  alertsIdentical: boolean;
  wallS: { adapted: number; unadapted: number };
  spans: SpanScores[];
}

/** Score one recording's two runs (with and without live adaptation). */
export async function liveResult(name: string, dir: string, adapted: LiveRun, unadapted: LiveRun, cycles: number, windowSamples: number): Promise<LiveResult> {
  const rateHz = adapted.served.friction.rateHz;
  const rec = await conditionRecording(dir, rateHz);
  const truth: Truth = { rateHz, startIndex: rec.startIndex, mu: rec.mu, ttf: rec.ttf, failuresS: rec.failuresS };
  const from = scoredFrom(adapted, cycles, windowSamples);
  const end = Math.min(...[adapted, unadapted].flatMap((r) => Object.values(r.served).map((s) => s.startIndex + s.mean.length)));
  const schedule = readRecordingMeta(dir).normalStressSchedule ?? [];
  const levels = levelRanges(rec, schedule).map((l) => ({ label: `${l.normalStressMPa} MPa`, from: l.range[0] + rec.startIndex, to: l.range[1] + rec.startIndex }));
  // the constant baseline: the mean of what the monitor had measured when adaptation started
  const constantUntil = Math.ceil((adapted.slipsS[cycles] ?? 0) * rateHz);
  return {
    recording: dir,
    name,
    adaptation: adapted.adapted.map((a) => ({ target: a.target, swapped: a.swapped, fromS: a.fromStartIndex === null ? null : a.fromStartIndex / a.rateHz, cycles: a.cycles, before: a.before.r2, after: a.after.r2, trainS: a.trainS, reason: a.reason })),
    scoredFromS: from / rateHz,
    alertsIdentical: JSON.stringify(adapted.alerts) === JSON.stringify(unadapted.alerts),
    wallS: { adapted: adapted.wallS, unadapted: unadapted.wallS },
    spans: spansAfter(from, end, levels).map((s) => scoreSpan(s, truth, adapted, unadapted, constantUntil)),
  };
}

const f = (x: number) => (Number.isFinite(x) ? x.toFixed(3) : 'n/a');

/** Markdown: what adaptation did, then the scores per span. */
export function renderLive(results: readonly LiveResult[]): string {
  const out: string[] = [];
  for (const r of results) {
    out.push(`### ${r.name} (${r.recording})`, '');
    for (const a of r.adaptation)
      out.push(`- ${a.target}: ${a.swapped ? `swapped in from ${a.fromS?.toFixed(1)} s` : `not swapped (${a.reason ?? ''})`}; ${a.cycles} cycles; newest-cycle R^2 ${f(a.before)} -> ${f(a.after)}${a.trainS ? `; trained in ${a.trainS.toFixed(1)} s` : ''}`);
    if (r.adaptation.length === 0) out.push('- no adaptation report (too few cycles with measured friction?)');
    out.push(`- scored from ${r.scoredFromS.toFixed(1)} s; alerts ${r.alertsIdentical ? 'identical in both runs' : 'differ between the runs'}`, '');
    out.push('| span | samples | friction R^2 adapted | un-adapted | constant | TTF R^2 adapted | un-adapted | constant | clock | slips | warned adapted / un-adapted | false alarms adapted / un-adapted |');
    out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const s of r.spans)
      out.push(`| ${s.label} | ${s.samples} | ${f(s.friction.adapted)} | ${f(s.friction.unadapted)} | ${f(s.friction.constant)} | ${f(s.ttf.adapted)} | ${f(s.ttf.unadapted)} | ${f(s.ttf.constant)} | ${f(s.ttf.clock)} | ${s.slips} | ${s.warned.adapted} / ${s.warned.unadapted} | ${s.falseAlarms.adapted} / ${s.falseAlarms.unadapted} |`);
    out.push('', '| span | mean friction measured | served adapted | served un-adapted |', '|---|---:|---:|---:|');
    for (const s of r.spans) out.push(`| ${s.label} | ${f(s.frictionMean.measured)} | ${f(s.frictionMean.adapted)} | ${f(s.frictionMean.unadapted)} |`);
    out.push('');
  }
  return out.join('\n');
}
