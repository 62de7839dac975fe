/**
 * The generic importer of delimited numeric text (CSV, TSV, whitespace): named or numbered columns
 * mapped to a recording's streams. Two streaming passes: the first checks everything (numbers,
 * clock, stresses, labels) and refuses with the row and the reason before anything is written;
 * the second writes. Memory is one batch of rows whatever the file size.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { NormalStressLevel } from '../../shared/recording-meta.ts';
import { RecordingWriter } from '../recording.ts';
import { ClockCheck, LevelTracker, TtfFailures } from './checks.ts';
import { cellNumber, ImportRefusal, summarise } from './refusal.ts';
import { type ImportPlan, type CsvImportOptions, planImport, type Field } from './csv-plan.ts';
import { sniffLayout, tableRows } from './table.ts';

export type { CsvImportOptions } from './csv-plan.ts';

export interface ImportResult {
  experimentId: string;
  rows: number;
  sampleRateHz: number;
  startTimeS: number;
  durationS: number;
  streams: Record<string, string[]>;
  schedule: NormalStressLevel[];
  failuresS: number[];
  /** rows skipped with --skip-bad-rows: count and the first few line numbers */
  skipped: { count: number; rows: number[] };
  notes: string[];
}

/** Parse one row's fields, or say why not (the first bad cell). */
function parseRow(fields: Field[], cells: string[]): { values: Float64Array } | { bad: string } {
  const values = new Float64Array(fields.length);
  for (let f = 0; f < fields.length; f++) {
    const x = cellNumber(cells[fields[f].col]);
    if (!Number.isFinite(x)) return { bad: `${fields[f].what} (column ${fields[f].col}) is ${JSON.stringify(cells[fields[f].col] ?? '<missing>')}, not a number` };
    values[f] = x;
  }
  return { values };
}

/** Pass 1: every check, nothing written. */
async function check(path: string, plan: ImportPlan, o: CsvImportOptions, progress: (b: number) => void) {
  const clock = new ClockCheck(path, o.maxStepRatio ?? 3);
  const levels = new LevelTracker();
  const ttf = new TtfFailures(path);
  const flagged: number[] = [];
  const skipped: number[] = [];
  let rows = 0;
  let flagWas = false;
  for await (const { row, cells } of tableRows(path, plan.layout, progress)) {
    const p = parseRow(plan.fields, cells);
    if ('bad' in p) {
      if (!o.skipBadRows) throw new ImportRefusal(path, row, `${p.bad} (--skip-bad-rows skips such rows and lists them)`);
      skipped.push(row);
      continue;
    }
    const r = plan.read(p.values, rows);
    clock.push(row, r.t);
    for (const [what, v] of [['normal stress', r.normal], ['AE variance', r.minFeature]] as const)
      if (v !== undefined && !(v > 0 || (what === 'AE variance' && v === 0))) throw new ImportRefusal(path, row, `${what} ${v}: must be > 0${what === 'AE variance' ? ' (or 0)' : ' MPa'}`);
    if (r.normal !== undefined) levels.push(r.t, r.normal);
    if (r.ttf !== undefined) ttf.push(row, r.t, r.ttf);
    if (r.failure !== undefined) {
      if (r.failure !== 0 && !flagWas) flagged.push(r.t);
      flagWas = r.failure !== 0;
    }
    rows++;
  }
  const sampleRateHz = plan.timed ? clock.finish(o.rateHz) : o.rateHz!;
  if (!plan.timed && rows < 2) throw new ImportRefusal(path, null, `${rows} data rows: at least 2 are needed`);
  const failuresS = plan.has.ttf ? ttf.finish() : flagged;
  return { rows, sampleRateHz, startTimeS: clock.firstS, lastS: clock.lastS, schedule: levels.finish(), failuresS, skipped };
}

/** Import a delimited text file as a recording in dir (refused, with nothing left behind, if any check fails). */
export async function importCsv(path: string, dir: string, o: CsvImportOptions): Promise<ImportResult> {
  if (!existsSync(path)) throw new ImportRefusal(path, null, 'no such file');
  if (existsSync(join(dir, 'recording.json'))) throw new ImportRefusal(path, null, `${dir} already holds a recording; refusing to overwrite it`);
  const layout = await sniffLayout(path, o.headerLines);
  const plan = planImport(path, layout, o);
  const size = statSync(path).size;
  const progress = (pass: number) => (b: number) => o.onProgress?.(pass, b, size);
  const c = await check(path, plan, o, progress(1));
  const startTimeS = plan.timed ? c.startTimeS : (o.startS ?? 0);
  const schedule = plan.has.normal ? c.schedule : o.normalStressMPa !== undefined ? [{ startS: startTimeS, endS: startTimeS + c.rows / c.sampleRateHz, normalStressMPa: o.normalStressMPa }] : [];
  const streams = plan.streams(c.sampleRateHz, startTimeS);
  const writer = RecordingWriter.create(dir, {
    experimentId: o.experimentId,
    domain: 'lab',
    description: `imported from ${basename(path)} (${o.from})`,
    source: { kind: 'import', from: o.from, description: plan.describe },
    normalStressSchedule: schedule,
    streams,
    ...(c.failuresS.length ? { failuresS: c.failuresS } : {}),
  });
  try {
    await write(path, plan, writer, o, c.sampleRateHz, startTimeS, progress(2));
  } catch (e) {
    writer.abandon();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  writer.close();
  const durationS = plan.timed ? c.lastS - c.startTimeS + 1 / c.sampleRateHz : c.rows / c.sampleRateHz;
  return {
    experimentId: o.experimentId,
    rows: c.rows,
    sampleRateHz: c.sampleRateHz,
    startTimeS,
    durationS,
    streams: Object.fromEntries(Object.entries(streams).map(([k, s]) => [k, s.columns.map((x) => x.name)])),
    schedule,
    failuresS: c.failuresS,
    skipped: { count: c.skipped.length, rows: c.skipped.slice(0, 10) },
    notes: plan.notes,
  };
}

/** Pass 2: the rows again, batch by batch into the streams. */
async function write(path: string, plan: ImportPlan, writer: RecordingWriter, o: CsvImportOptions, rateHz: number, startTimeS: number, progress: (b: number) => void): Promise<void> {
  const batchRows = o.batchRows ?? 10_000;
  const batch = plan.newBatch(batchRows);
  let n = 0;
  let i = 0;
  const flush = (): void => {
    if (n === 0) return;
    for (const [stream, cols] of Object.entries(batch)) writer.append(stream, Object.fromEntries(Object.entries(cols).map(([k, v]) => [k, v.subarray(0, n)])));
    n = 0;
  };
  for await (const { cells } of tableRows(path, plan.layout, progress)) {
    const p = parseRow(plan.fields, cells);
    if ('bad' in p) continue; // only with skipBadRows: pass 1 refused otherwise
    plan.fill(batch, n, p.values, plan.timed ? undefined : startTimeS + i / rateHz);
    i++;
    if (++n === batchRows) flush();
  }
  flush();
}

/** One line per fact, lists summarised: what an import did. */
export function describeImport(r: ImportResult): string[] {
  const lines = [
    `${r.experimentId}: ${r.rows} rows at ${r.sampleRateHz} Hz from ${r.startTimeS} s (${r.durationS.toFixed(1)} s)`,
    ...Object.entries(r.streams).map(([k, cols]) => `  stream ${k}: ${cols.join(', ')}`),
    `  normal-stress levels: ${r.schedule.length ? summarise(r.schedule, 4, (l) => `${l.normalStressMPa} MPa (${l.startS.toFixed(1)}-${l.endS.toFixed(1)} s)`) : 'unknown (no normal stress)'}`,
  ];
  if (r.failuresS.length) lines.push(`  failures from the labels: ${r.failuresS.length} (${summarise(r.failuresS, 4, (t) => `${t.toFixed(2)} s`)})`);
  if (r.skipped.count) lines.push(`  skipped ${r.skipped.count} rows that were not numbers: lines ${summarise(r.skipped.rows, 10)}${r.skipped.count > r.skipped.rows.length ? ' ...' : ''}`);
  return [...lines, ...r.notes.map((n) => `  note: ${n}`)];
}
