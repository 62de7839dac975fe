/**
 * Spans of recordings, as `--train-on`, `--validate-on` and `--test-on` give them:
 * REC[@FROM-TO], REC a recording's name (under --recordings) or its directory, FROM and TO in
 * seconds of the experiment's clock (120 or 120s) or in percent of the recording (20%; 20-40% is
 * 20 % to 40 %). Parsing is
 * pure; a span becomes a sample range once its recording is conditioned.
 */
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { ConditionedRecording } from './dataset.ts';
import type { Range } from './splits.ts';

export interface Bound {
  value: number;
  unit: 's' | '%';
}

export interface SpanSpec {
  /** the recording's directory */
  dir: string;
  /** its name, for labels */
  name: string;
  from?: Bound;
  to?: Bound;
  text: string;
}

/** A bound; without its own unit it takes the other bound's (20-40% is 20 % to 40 %), else seconds. */
function bound(text: string, other: string, whole: string): Bound {
  const m = /^(\d+(?:\.\d+)?)(s|%)?$/.exec(text.trim());
  if (!m) throw new Error(`${whole}: "${text}" is not seconds (120, 120s) or a percentage (20%)`);
  const b: Bound = { value: Number(m[1]), unit: (m[2] ?? (other.trim().endsWith('%') ? '%' : 's')) as Bound['unit'] };
  if (b.unit === '%' && b.value > 100) throw new Error(`${whole}: ${text} is over 100 %`);
  return b;
}

/** REC[@FROM-TO] (either bound may be left out: REC@-20%, REC@40%-). */
export function parseSpan(text: string, recordings: string): SpanSpec {
  const at = text.lastIndexOf('@');
  const rec = at < 0 ? text : text.slice(0, at);
  if (!rec) throw new Error(`${text}: no recording before @`);
  const dir = rec.includes('/') || existsSync(join(rec, 'recording.json')) ? resolve(rec) : join(recordings, rec);
  if (!existsSync(join(dir, 'recording.json'))) throw new Error(`${text}: ${dir} is not a recording (import one with npm run import, or make the bundled ones with npm run fixtures)`);
  const span: SpanSpec = { dir, name: basename(dir), text };
  if (at < 0) return span;
  const m = /^([^-]*)-([^-]*)$/.exec(text.slice(at + 1));
  if (!m) throw new Error(`${text}: the span must be FROM-TO`);
  if (m[1]) span.from = bound(m[1], m[2], text);
  if (m[2]) span.to = bound(m[2], m[1], text);
  return span;
}

/** A bound as a sample index of a conditioned recording (clamped to it). */
function indexOf(r: ConditionedRecording, b: Bound): number {
  const k = b.unit === '%' ? Math.floor((b.value / 100) * r.ae.length) : Math.round(b.value * r.rateHz) - r.startIndex;
  return Math.max(0, Math.min(r.ae.length, k));
}

/** The sample range of a span on its conditioned recording; an empty one is refused. */
export function spanRange(r: ConditionedRecording, s: SpanSpec): Range {
  const range: Range = [s.from ? indexOf(r, s.from) : 0, s.to ? indexOf(r, s.to) : r.ae.length];
  if (range[1] <= range[0]) throw new Error(`${s.text}: empty on ${r.id}, which spans ${(r.startIndex / r.rateHz).toFixed(1)}-${((r.startIndex + r.ae.length) / r.rateHz).toFixed(1)} s`);
  return range;
}

/** A range in seconds of the experiment (what alert spans and reports use). */
export const rangeSeconds = (r: ConditionedRecording, range: Range): [number, number] => [(r.startIndex + range[0]) / r.rateHz, (r.startIndex + range[1]) / r.rateHz];
