/**
 * `npm run evaluate -- --test-on REC@FROM-TO,...`: the models scored through the serving path on
 * any recording's spans (imported ones too), beside the constant baseline, and the alerting
 * forecaster against the recurrence clock and the AE-level baseline on the same spans. Printed as
 * a table (and JSON with --json); docs/results.md is never touched.
 */
import { basename, dirname } from 'node:path';
import { loadModel } from '../model/io.ts';
import type { RuntimeChoice } from '../model/runtime/inference.ts';
import { evaluateAlerting } from './alert-evaluation.ts';
import { conditionRecording } from './dataset.ts';
import { Evaluation, type ScoreRow } from './results.ts';
import { rangeSeconds, type SpanSpec, spanRange } from './spans.ts';

export interface SpanEvaluation {
  scores: ScoreRow[];
  skipped: string[];
  alerts: Awaited<ReturnType<typeof evaluateAlerting>>['results'];
}

export async function evaluateSpans(modelDirs: string[], spans: SpanSpec[], o: { runtime: 'auto' | RuntimeChoice; alerting: string | null; log: (l: string) => void }): Promise<SpanEvaluation> {
  const ev = new Evaluation('', o.runtime, o.log, spans);
  const scores: ScoreRow[] = [];
  const skipped: string[] = [];
  for (const dir of modelDirs) {
    const { model, manifest } = await loadModel(dir);
    try {
      scores.push(...(await ev.scoreModel(model, manifest)), ...(await ev.constantBaseline(manifest)));
    } catch (e) {
      skipped.push(`${basename(dir)}: ${(e as Error).message.split('\n')[0]}`);
      o.log(`${basename(dir)} skipped: ${skipped.at(-1)}`);
    } finally {
      model.dispose();
    }
  }
  const alerts: SpanEvaluation['alerts'] = [];
  if (o.alerting)
    for (const s of spans) {
      const r = await conditionRecording(s.dir, 100);
      const [a, b] = rangeSeconds(r, spanRange(r, s));
      alerts.push(...(await evaluateAlerting(o.alerting, dirname(s.dir), `${basename(s.dir)}@${a.toFixed(2)}-${b.toFixed(2)}`)).results);
    }
  return { scores, skipped, alerts };
}

/** The report: one line per model and span, one per alerting span. */
export function renderSpanEvaluation(e: SpanEvaluation): string[] {
  const f = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'n/a');
  const lines = ['model                          target   span                         R^2 served  MAE served  R^2 own-stats'];
  for (const r of e.scores) lines.push(`${r.model.padEnd(30)} ${r.target.padEnd(8)} ${r.testedOn.padEnd(28)} ${f(r.served.r2).padStart(10)}  ${f(r.served.mae, 4).padStart(10)}  ${f(r.paper?.r2 ?? Number.NaN).padStart(12)}`);
  for (const s of e.skipped) lines.push(`skipped ${s}`);
  for (const a of e.alerts) {
    const c = (x: { warnedSlips: number; slips: number; falseAlarmsPer10Cycles: number }) => `${x.warnedSlips}/${x.slips} warned, ${f(x.falseAlarmsPer10Cycles, 1)} false alarms per 10 cycles`;
    lines.push(`alerts on ${a.testedOn}: forecaster ${c(a.alerts)}; clock ${c(a.alerts.baselines.clock)}; AE level ${c(a.alerts.baselines.aeLevel)}`);
    lines.push(`TTF on ${a.testedOn} (forecaster): R^2 ${f(a.ttf.r2)}, clock R^2 ${f(a.ttf.baselines.clock.r2)}`);
  }
  return lines;
}
