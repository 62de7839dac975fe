/**
 * Import of the Kaggle LANL raw format (LANL-Earthquake-Prediction train.csv: `acoustic_data,
 * time_to_failure`, 4 MHz in bursts of 4,096 samples, ~9 GB): one streaming pass in 4 MB chunks
 * (bounded memory, progress), after a short look at the first bursts for their period. The AE
 * goes to an `ae` stream of int16 counts at the *effective* rate (4,096 samples per burst period,
 * rounded to 1 kHz), so its rows keep the experiment's clock on average and it conditions like any
 * recording; the burst structure and the labels go to a `bursts` stream (one row per label
 * segment: first row, start time, first and last TTF), the failure times into recording.json.
 */
import { closeSync, existsSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { RecordingWriter, updateRecordingMeta } from '../recording.ts';
import { BurstClock, medianBurstPeriod, type Segment } from './kaggle-bursts.ts';
import { parseKaggleLines } from './kaggle-parse.ts';
import { ImportRefusal } from './refusal.ts';

export interface KaggleOptions {
  experimentId: string;
  burstSamples?: number;
  /** the digitiser's rate within a burst */
  sampleRateHz?: number;
  /** time from one burst's start to the next (default: the median over the first 256 bursts' labels) */
  burstPeriodS?: number;
  chunkBytes?: number;
  onProgress?: (bytes: number, total: number) => void;
}

export interface KaggleResult {
  experimentId: string;
  rows: number;
  bursts: number;
  segments: number;
  aeRateHz: number;
  burstPeriodS: number;
  durationS: number;
  failuresS: number[];
  maxInterpolationErrorS: number;
  maxDriftS: number;
}

const HEADER = 'acoustic_data,time_to_failure';

/** Whole lines of the file after its header, chunk by chunk, with the line number of each chunk's first row. */
function* chunks(path: string, chunkBytes: number, onBytes: (b: number) => void): Generator<{ bytes: Uint8Array; end: number; line: number }> {
  const fd = openSync(path, 'r');
  try {
    const buf = new Uint8Array(chunkBytes + 256);
    let carry = 0;
    let pos = 0;
    let line = 1;
    let header = true;
    for (;;) {
      const got = readSync(fd, buf, carry, chunkBytes, pos);
      pos += got;
      onBytes(pos);
      const filled = carry + got;
      let end = filled;
      if (got > 0) while (end > 0 && buf[end - 1] !== 10) end--;
      if (end === 0 && got > 0) throw new ImportRefusal(path, line, `a line longer than ${chunkBytes} bytes: not ${HEADER} rows`);
      let start = 0;
      if (header) {
        const nl = buf.indexOf(10);
        const first = new TextDecoder().decode(buf.subarray(0, nl < 0 ? Math.min(filled, 80) : nl)).trim().replace(/"/g, '');
        if (first !== HEADER) throw new ImportRefusal(path, 1, `the header is ${JSON.stringify(first.slice(0, 60))}, expected ${HEADER} (the Kaggle LANL raw format)`);
        start = nl + 1;
        line = 2;
        header = false;
      }
      if (end > start) yield { bytes: buf.subarray(start, end), end: end - start, line };
      for (let i = start; i < end; i++) if (buf[i] === 10) line++;
      if (got === 0) return;
      buf.copyWithin(0, end, filled);
      carry = filled - end;
    }
  } finally {
    closeSync(fd);
  }
}

/** Parse a chunk of lines into reusable arrays, or refuse the first bad line with its number. */
function parse(path: string, c: { bytes: Uint8Array; end: number; line: number }, ae: Int16Array, ttf: Float64Array): number {
  const r = parseKaggleLines(c.bytes, 0, c.end, ae, ttf);
  if (r.bad) throw new ImportRefusal(path, c.line + r.bad.line, `${r.bad.reason}: ${JSON.stringify(r.bad.text)}`);
  return r.n;
}

/** The burst period from the first 256 bursts' labels. */
function estimatePeriod(path: string, burst: number): number | null {
  const n = burst * 256;
  const ae = new Int16Array(n + 1);
  const ttf = new Float64Array(n + 1);
  const c = chunks(path, n * 20, () => {}).next();
  if (c.done) return null;
  const rows = parse(path, c.value, ae, ttf);
  return medianBurstPeriod(ttf, Math.min(rows, n), burst);
}

export async function importKaggle(path: string, dir: string, o: KaggleOptions): Promise<KaggleResult> {
  if (!existsSync(path)) throw new ImportRefusal(path, null, 'no such file');
  if (existsSync(join(dir, 'recording.json'))) throw new ImportRefusal(path, null, `${dir} already holds a recording; refusing to overwrite it`);
  const burst = o.burstSamples ?? 4096;
  const rate = o.sampleRateHz ?? 4e6;
  const chunkBytes = o.chunkBytes ?? 4 << 20;
  const period = o.burstPeriodS ?? estimatePeriod(path, burst) ?? burst / rate;
  if (period < (burst / rate) * 0.99)
    throw new ImportRefusal(path, null, `the labels advance ${period} s per burst, less than the ${burst / rate} s that ${burst} samples last at ${rate} Hz: the rate or --burst-samples disagrees with the file`);
  const aeRateHz = Math.round(burst / period / 1000) * 1000;
  const writer = RecordingWriter.create(dir, {
    experimentId: o.experimentId,
    domain: 'lab',
    description: `imported from ${basename(path)} (Kaggle LANL raw: bursts of ${burst} samples at ${rate} Hz, one every ${period} s)`,
    source: { kind: 'import', from: 'kaggle-lanl-raw', description: JSON.stringify({ burstSamples: burst, sampleRateHz: rate, burstPeriodS: period }) },
    normalStressSchedule: [],
    streams: {
      ae: { file: 'ae.arrows', sampleRateHz: aeRateHz, startTimeS: 0, columns: [{ name: 'ae0_counts', type: 'int16', unit: 'counts', quantity: 'acoustic-emission' }] },
      bursts: {
        file: 'bursts.arrows',
        sampleRateHz: 1 / period,
        startTimeS: 0,
        columns: [
          { name: 'first_row', type: 'float64', unit: '1', quantity: 'other' },
          { name: 'rows', type: 'float64', unit: '1', quantity: 'other' },
          { name: 'time_s', type: 'float64', unit: 's', quantity: 'time' },
          { name: 'ttf_first_s', type: 'float64', unit: 's', quantity: 'time-to-failure' },
          { name: 'ttf_last_s', type: 'float64', unit: 's', quantity: 'time-to-failure' },
        ],
      },
    },
  });
  try {
    const r = await stream(path, writer, { burst, rate, period, aeRateHz, chunkBytes, onProgress: o.onProgress });
    writer.close();
    if (r.failuresS.length) rewriteFailures(dir, r.failuresS);
    return { experimentId: o.experimentId, aeRateHz, burstPeriodS: period, ...r };
  } catch (e) {
    writer.abandon();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

interface StreamPlan {
  burst: number;
  rate: number;
  period: number;
  aeRateHz: number;
  chunkBytes: number;
  onProgress?: (bytes: number, total: number) => void;
}

/** The one pass: AE chunk by chunk into `ae`, label segments into `bursts`. */
async function stream(path: string, writer: RecordingWriter, p: StreamPlan) {
  const total = statSync(path).size;
  const maxRows = (p.chunkBytes >> 2) + 64; // a row is at least "0,0\n"
  const ae = new Int16Array(maxRows);
  const ttf = new Float64Array(maxRows);
  const SEG = 4096;
  const seg = { first_row: new Float64Array(SEG), rows: new Float64Array(SEG), time_s: new Float64Array(SEG), ttf_first_s: new Float64Array(SEG), ttf_last_s: new Float64Array(SEG) };
  let nSeg = 0;
  let segments = 0;
  const flushSegments = () => {
    if (nSeg) writer.append('bursts', Object.fromEntries(Object.entries(seg).map(([k, v]) => [k, v.subarray(0, nSeg)])));
    nSeg = 0;
  };
  const clock = new BurstClock(path, p.burst, p.rate, p.period, p.aeRateHz, (s: Segment) => {
    [seg.first_row[nSeg], seg.rows[nSeg], seg.time_s[nSeg], seg.ttf_first_s[nSeg], seg.ttf_last_s[nSeg]] = [s.firstRow, s.rows, s.timeS, s.ttfFirstS, s.ttfLastS];
    segments++;
    if (++nSeg === SEG) flushSegments();
  });
  let rows = 0;
  let lastReport = 0;
  for (const c of chunks(path, p.chunkBytes, (b) => {
    if (b - lastReport >= 64 << 20 || b === total) {
      lastReport = b;
      p.onProgress?.(b, total);
    }
  })) {
    const n = parse(path, c, ae, ttf);
    writer.append('ae', { ae0_counts: ae.subarray(0, n) });
    for (let i = 0; i < n; i++) clock.push(ttf[i], c.line + i);
    rows += n;
    await new Promise((r) => setImmediate(r)); // let progress and signals through
  }
  if (rows === 0) throw new ImportRefusal(path, 2, 'no data rows after the header');
  const failuresS = clock.finish();
  flushSegments();
  return { rows, bursts: Math.ceil(rows / p.burst), segments, durationS: rows / p.aeRateHz, failuresS, maxInterpolationErrorS: clock.maxInterpolationErrorS, maxDriftS: clock.maxDriftS };
}

/** The failure times are known only at the end of the pass: recording.json is rewritten (atomically) with them. */
function rewriteFailures(dir: string, failuresS: number[]): void {
  updateRecordingMeta(dir, { failuresS });
}

/** One line per fact: what a Kaggle import did. */
export function describeKaggle(r: KaggleResult): string[] {
  return [
    `${r.experimentId}: ${r.rows} AE samples in ${r.bursts} bursts (${r.segments} label segments), one burst every ${(r.burstPeriodS * 1e3).toFixed(4)} ms: AE stream at ${r.aeRateHz} Hz effective, ${r.durationS.toFixed(2)} s`,
    `  failures from the labels: ${r.failuresS.length} (${r.failuresS.slice(0, 4).map((t) => `${t.toFixed(3)} s`).join(', ')}${r.failuresS.length > 4 ? ` and ${r.failuresS.length - 4} more` : ''})`,
    `  labels stored per segment (first and last TTF): largest deviation from linear within a segment ${r.maxInterpolationErrorS.toExponential(2)} s`,
    `  AE rows against the label clock: largest drift ${r.maxDriftS.toFixed(4)} s`,
  ];
}
