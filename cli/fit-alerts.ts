/**
 * npm run fit-alerts [-- options]
 * Fits the alerting model (trained-models/alerting/): causal features, logistic regression per
 * horizon on the fit streams (p4677's training part and generated variants), Platt recalibration
 * and thresholds on the validation streams (p4677's validation part and other variants). It never
 * reads a test part. Seconds, not minutes: refit whenever the generators change.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { type CliSpec, parseCli, runCli } from './args.ts';
import { type AlertStream, alertStream, levelSpans, type Span, splitSpan } from '../training/alerting-data.ts';
import { BUDGET, calibrationOn, chooseThreshold, featureRows, fitModel, forecasterAlert, mergeRows } from '../training/fit-alerting.ts';

const ROOT = join(import.meta.dirname, '..');
const SPEC = {
  command: 'npm run fit-alerts',
  summary: 'Fit the failure-probability model and choose alert thresholds (training and validation data only).',
  options: {
    recordings: { type: 'string', value: 'DIR', default: join(ROOT, 'data', 'recordings'), doc: 'holds p4677 (its training and validation parts are used)' },
    variants: { type: 'string', value: 'DIR', default: join(ROOT, 'data', 'alerting-fit'), doc: 'generated variants, one folder each (made by bash scripts/alerting-variants.sh DIR); alternately fit and validation' },
    out: { type: 'string', value: 'DIR', default: join(ROOT, 'trained-models', 'alerting'), doc: 'where alerting-model.json and alerting-manifest.json go (not manifest.json: the server loads every manifest.json folder as a CED)' },
  },
} satisfies CliSpec;

type Part = { s: AlertStream; spans: Span[]; dir: string };

/** Each variant folder's recordings (a folder holds one recording, or is one). */
function variantDirs(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root).sort().flatMap((d) => {
    const dir = join(root, d);
    if (existsSync(join(dir, 'recording.json'))) return [dir];
    return readdirSync(dir).filter((x) => existsSync(join(dir, x, 'recording.json'))).map((x) => join(dir, x));
  });
}

async function main(): Promise<void> {
  const { values: v } = parseCli(SPEC);
  const p4677 = join(resolve(v.recordings), 'p4677');
  if (!existsSync(join(p4677, 'recording.json'))) throw new Error(`${p4677} is missing: npm run fixtures -- p4677`);
  const lab = await alertStream(p4677);
  const fit: Part[] = [{ s: lab, spans: [splitSpan(lab, 'train')], dir: p4677 }];
  const val: Part[] = [{ s: lab, spans: [splitSpan(lab, 'validation')], dir: p4677 }];
  const variants = variantDirs(resolve(v.variants));
  if (variants.length < 2) throw new Error(`${v.variants} holds ${variants.length} variant recordings; make them with bash scripts/alerting-variants.sh ${v.variants}`);
  for (const [k, dir] of variants.entries()) {
    const s = await alertStream(dir);
    (k % 2 === 0 ? fit : val).push({ s, spans: levelSpans(s, dir), dir });
  }
  const fitRows = mergeRows(fit.map((p) => featureRows(p.s, p.spans)));
  const valRows = mergeRows(val.map((p) => featureRows(p.s, p.spans)));
  console.error(`fit rows ${fitRows.u.length} from ${fit.length} streams; validation rows ${valRows.u.length} from ${val.length}`);
  const model = fitModel(fitRows, valRows);
  const forecaster = chooseThreshold('forecaster', model, val);
  if (forecaster) model.alert = forecasterAlert(forecaster.horizonS, forecaster.threshold);
  const clock = chooseThreshold('clock', model, val);
  const aeLevel = chooseThreshold('aeLevel', model, val);
  const summary = (c: typeof clock) => c && { threshold: c.threshold, horizonS: c.horizonS || undefined, slips: c.scores.slips, warnedSlips: c.scores.warnedSlips, falseAlarmsPer10Cycles: c.scores.falseAlarmsPer10Cycles, onFraction: c.scores.onFraction, medianLeadS: c.scores.medianLeadS };
  const rel = (d: string) => relative(ROOT, d) || d;
  const manifest = {
    fittedOn: fit.map((p) => `${rel(p.dir)} ${p.spans.map((s) => s.label).join(', ')}`),
    validatedOn: val.map((p) => `${rel(p.dir)} ${p.spans.map((s) => s.label).join(', ')}`),
    budget: BUDGET,
    baselines: { clock: { onBelowS: clock?.threshold ?? 2 }, aeLevel: { onAbove: aeLevel?.threshold ?? 0.1 } },
    validation: { forecaster: summary(forecaster), clock: summary(clock), aeLevel: summary(aeLevel), calibration: calibrationOn(model, valRows) },
  };
  const out = resolve(v.out);
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'alerting-model.json'), `${JSON.stringify(model, null, 1)}\n`);
  writeFileSync(join(out, 'alerting-manifest.json'), `${JSON.stringify(manifest, null, 1)}\n`);
  console.error(JSON.stringify(manifest.validation, (k, x) => (k === 'bins' ? undefined : x), 1));
}

if (process.argv[1] === import.meta.filename) runCli(SPEC.command, main);
