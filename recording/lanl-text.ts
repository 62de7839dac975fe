/**
 * Import of the LANL / Penn State biaxial mechanical text files (p4677, p4581, ...): 5 header
 * lines, then whitespace- or comma-separated numeric rows. As the LANL group describes them,
 * column 2 is shear stress, column 4 normal stress and column 5 time (0-based: the 3rd, 5th and
 * 6th columns, after the record number, load-point and layer displacements). Stresses in MPa.
 * Streams the file line by line, so multi-GB files import in constant memory.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { NormalStressLevel } from '../shared/recording-meta.ts';
import { RecordingWriter } from './recording.ts';

export interface LanlTextOptions {
  headerLines: number;
  shearColumn: number;
  normalColumn: number;
  timeColumn: number;
  /** multiply stresses by this to get MPa (1 for files in MPa, 0.001 for kPa) */
  stressToMPa: number;
  /** rows per record batch */
  batchRows: number;
}

export const DEFAULT_LANL_TEXT: Readonly<LanlTextOptions> = {
  headerLines: 5,
  shearColumn: 2,
  normalColumn: 4,
  timeColumn: 5,
  stressToMPa: 1,
  batchRows: 10_000,
};

export interface LanlImportResult {
  rows: number;
  sampleRateHz: number;
  startTimeS: number;
  skippedLines: number;
  schedule: NormalStressLevel[];
}

/** Parse the numeric rows of a LANL text file (an async generator of [time, shear, normal]). */
export async function* lanlRows(path: string, options: Partial<LanlTextOptions> = {}): AsyncGenerator<[number, number, number] | null> {
  const o = { ...DEFAULT_LANL_TEXT, ...options };
  const need = Math.max(o.shearColumn, o.normalColumn, o.timeColumn);
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (lineNo <= o.headerLines) continue;
    const trimmed = line.trim();
    if (trimmed === '') continue;
    const cells = trimmed.split(/[\s,;]+/);
    if (cells.length <= need) {
      if (lineNo === o.headerLines + 1)
        throw new Error(`${path}:${lineNo}: ${cells.length} columns, but column ${need} is needed (0-based); check --header-lines and the column flags`);
      yield null;
      continue;
    }
    const t = Number(cells[o.timeColumn]);
    const shear = Number(cells[o.shearColumn]) * o.stressToMPa;
    const normal = Number(cells[o.normalColumn]) * o.stressToMPa;
    yield Number.isFinite(t) && Number.isFinite(shear) && Number.isFinite(normal) ? [t, shear, normal] : null;
  }
}

/**
 * Import a LANL mechanical text file as a recording with one stream, mech (time_s,
 * shear_stress_MPa, normal_stress_MPa, mu = shear / normal). The nominal rate is the median time
 * step of the first rows; the measured times are kept in time_s. Non-numeric rows are skipped and
 * counted.
 */
export async function importLanlText(
  path: string,
  dir: string,
  experimentId: string,
  options: Partial<LanlTextOptions> = {},
): Promise<LanlImportResult> {
  const o = { ...DEFAULT_LANL_TEXT, ...options };
  // pass 1: rate and normal-stress levels (cheap: numbers only, nothing kept but a few stats)
  const dts: number[] = [];
  let prevT = Number.NaN;
  let startTimeS = Number.NaN;
  let rows = 0;
  let skipped = 0;
  const schedule: NormalStressLevel[] = [];
  let levelStart = Number.NaN;
  let levelValue = Number.NaN;
  let lastT = Number.NaN;
  for await (const r of lanlRows(path, o)) {
    if (!r) {
      skipped++;
      continue;
    }
    const [t, , normal] = r;
    if (rows === 0) startTimeS = t;
    if (dts.length < 10_000 && Number.isFinite(prevT)) dts.push(t - prevT);
    prevT = t;
    rows++;
    // levels: normal stress rounded to 0.5 MPa, a new level when it changes
    const rounded = Math.round(normal * 2) / 2;
    if (rounded !== levelValue) {
      if (Number.isFinite(levelValue)) schedule.push({ startS: levelStart, endS: t, normalStressMPa: levelValue });
      levelStart = t;
      levelValue = rounded;
    }
    lastT = t;
  }
  if (rows < 2) throw new Error(`${path}: fewer than 2 numeric rows after ${o.headerLines} header lines`);
  if (Number.isFinite(levelValue)) schedule.push({ startS: levelStart, endS: lastT, normalStressMPa: levelValue });
  dts.sort((a, b) => a - b);
  const dt = dts[dts.length >> 1];
  if (!(dt > 0)) throw new Error(`${path}: time column ${o.timeColumn} does not increase (median step ${dt})`);
  const sampleRateHz = 1 / dt;
  // merge level flickers shorter than 5 s into their predecessor
  const levels = schedule.reduce<NormalStressLevel[]>((acc, l) => {
    const last = acc[acc.length - 1];
    if (last && (l.endS - l.startS < 5 || l.normalStressMPa === last.normalStressMPa)) last.endS = l.endS;
    else acc.push({ ...l });
    return acc;
  }, []);

  const writer = RecordingWriter.create(dir, {
    experimentId,
    domain: 'lab',
    description: `imported from ${path}`,
    source: { kind: 'import', from: 'lanl-biaxial-text', description: JSON.stringify(o) },
    normalStressSchedule: levels,
    streams: {
      mech: {
        file: 'mech.arrows',
        sampleRateHz,
        startTimeS,
        columns: [
          { name: 'time_s', type: 'float64', unit: 's', quantity: 'time' },
          { name: 'shear_stress_MPa', type: 'float32', unit: 'MPa', quantity: 'shear-stress' },
          { name: 'normal_stress_MPa', type: 'float32', unit: 'MPa', quantity: 'normal-stress' },
          { name: 'mu', type: 'float32', unit: '1', quantity: 'friction' },
        ],
      },
    },
  });
  // pass 2: the data, batch by batch
  let batch = newBatch(o.batchRows);
  let n = 0;
  const flush = (): void => {
    if (n === 0) return;
    writer.append('mech', {
      time_s: batch.time_s.subarray(0, n),
      shear_stress_MPa: batch.shear_stress_MPa.subarray(0, n),
      normal_stress_MPa: batch.normal_stress_MPa.subarray(0, n),
      mu: batch.mu.subarray(0, n),
    });
    batch = newBatch(o.batchRows);
    n = 0;
  };
  for await (const r of lanlRows(path, o)) {
    if (!r) continue;
    const [t, shear, normal] = r;
    batch.time_s[n] = t;
    batch.shear_stress_MPa[n] = shear;
    batch.normal_stress_MPa[n] = normal;
    batch.mu[n] = shear / normal;
    if (++n === o.batchRows) flush();
  }
  flush();
  writer.close();
  return { rows, sampleRateHz, startTimeS, skippedLines: skipped, schedule: levels };
}

function newBatch(n: number) {
  return { time_s: new Float64Array(n), shear_stress_MPa: new Float32Array(n), normal_stress_MPa: new Float32Array(n), mu: new Float32Array(n) };
}
