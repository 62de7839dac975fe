/** `npm run evaluate`'s alert part: the alerting model and its baselines on named recordings' spans. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AlertingModel } from '../shared/alerts/hazard.ts';
import { alertStream, levelSpans, type Span, splitSpan } from './alerting-data.ts';
import { evaluateStream, type SpanResult } from './alert-results.ts';

/** NAME or NAME@FROM-TO (seconds). */
export function parseOn(spec: string): { name: string; range?: [number, number] }[] {
  return spec.split(',').filter(Boolean).map((item) => {
    const [name, range] = item.split('@');
    if (!range) return { name };
    const m = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(range);
    if (!m || !(Number(m[1]) < Number(m[2]))) throw new Error(`--on ${item}: the range must be FROM-TO in seconds, FROM < TO`);
    return { name, range: [Number(m[1]), Number(m[2])] };
  });
}

export async function evaluateAlerting(modelDir: string, recordings: string, on: string) {
  const model = JSON.parse(readFileSync(join(modelDir, 'alerting-model.json'), 'utf8')) as AlertingModel;
  const manifest = JSON.parse(readFileSync(join(modelDir, 'alerting-manifest.json'), 'utf8')) as { fittedOn: string[]; baselines: { clock: { onBelowS: number }; aeLevel: { onAbove: number } }; constantTtfS?: number };
  const results: SpanResult[] = [];
  for (const { name, range } of parseOn(on)) {
    const dir = join(recordings, name);
    if (!existsSync(join(dir, 'recording.json'))) throw new Error(`${dir} is missing (npm run fixtures -- ${name})`);
    const s = await alertStream(dir);
    const spans: Span[] = range ? [{ label: `${s.id} ${range[0]}-${range[1]} s`, fromS: range[0], toS: range[1] }] : name === 'p4677' ? [splitSpan(s, 'test')] : levelSpans(s, dir);
    results.push(...evaluateStream(s, spans, model, { ...manifest.baselines, constantTtfS: manifest.constantTtfS ?? 4.5 }));
  }
  return { model: model.alert, fittedOn: manifest.fittedOn, baselines: manifest.baselines, results };
}
