/**
 * The slipwatch recording format, metadata side (browser-safe: the dashboard lists recordings).
 * A recording is a directory: recording.json (this metadata) plus one Apache Arrow IPC stream
 * file per sample-rate group ("stream"), e.g. ae.arrows at the AE rate and mech.arrows at the
 * mechanical rate. Tables of events (one row per event, at no rate: an alert turning on, a
 * stored data frame) are event streams, listed apart under `events`. docs/recording-format.md is
 * the full specification.
 */
export const RECORDING_FORMAT = 'slipwatch-recording';
export const RECORDING_FORMAT_VERSION = 1;
export const RECORDING_META_FILE = 'recording.json';

/** Numeric column types the format stores (Arrow Int16, Float32, Float64, all non-nullable). */
export type ColumnType = 'int16' | 'float32' | 'float64';

/** What a column measures; lets consumers find the AE and friction channels without guessing names. */
export type ColumnQuantity =
  | 'acoustic-emission'
  /** AE already reduced by the lab to a variance series (RMS imports are squared to it) */
  | 'acoustic-emission-variance'
  | 'kinetic-energy'
  | 'shear-stress'
  | 'normal-stress'
  | 'friction'
  | 'time'
  /** a label column: seconds to the next failure */
  | 'time-to-failure'
  | 'other';

export interface ColumnSpec {
  /** column name, units in the name where there are units: shear_stress_MPa, ae0_counts */
  name: string;
  type: ColumnType;
  unit: string;
  quantity: ColumnQuantity;
  /** physical value = stored value * scale (e.g. volts per digitizer count); 1 when absent */
  scale?: number;
}

export interface StreamSpec {
  /** file name inside the recording directory */
  file: string;
  sampleRateHz: number;
  /** time of the first sample, s from the start of the experiment */
  startTimeS: number;
  columns: ColumnSpec[];
}

/**
 * A table of events: one row per event, at no sample rate (an alert turning on or off, a stored
 * data frame). A row says when or where it is in its own columns.
 */
export interface EventStreamSpec {
  /** file name inside the recording directory */
  file: string;
  /** the column with each event's time, s from the start of the experiment (absent: the rows are an index, e.g. positions in the sample streams) */
  timeColumn?: string;
  columns: ColumnSpec[];
}

export interface NormalStressLevel {
  startS: number;
  endS: number;
  normalStressMPa: number;
}

export type RecordingSource =
  | { kind: 'generator'; name: string; version: number; seed: number; parameters: Record<string, unknown> }
  | { kind: 'instrument'; name: string; description?: string }
  | { kind: 'import'; from: string; description?: string };

export interface RecordingMeta {
  format: typeof RECORDING_FORMAT;
  formatVersion: number;
  experimentId: string;
  /** 'lab': AE waveforms from an apparatus; 'simulation': a numerical model with an AE proxy */
  domain: 'lab' | 'simulation';
  description: string;
  source: RecordingSource;
  normalStressSchedule: NormalStressLevel[];
  /** signals: contiguous samples at a rate */
  streams: Record<string, StreamSpec>;
  /** tables of events, at no rate (optional; names are unique across streams and events) */
  events?: Record<string, EventStreamSpec>;
  /**
   * failure onsets, s, from an imported label column (time to failure, failure times): the labels
   * of a recording without friction or shear stress to detect them on
   */
  failuresS?: number[];
}

const COLUMN_TYPES: readonly ColumnType[] = ['int16', 'float32', 'float64'];

/** Throws a descriptive error when meta is not a valid recording description. */
export function validateRecordingMeta(meta: unknown): asserts meta is RecordingMeta {
  const fail = (msg: string): never => {
    throw new Error(`invalid recording metadata: ${msg}`);
  };
  if (typeof meta !== 'object' || meta === null) fail('not an object');
  const m = meta as Partial<RecordingMeta>;
  if (m.format !== RECORDING_FORMAT) fail(`format is ${JSON.stringify(m.format)}, expected "${RECORDING_FORMAT}"`);
  if (m.formatVersion !== RECORDING_FORMAT_VERSION)
    fail(`formatVersion ${m.formatVersion} is not supported (this reader knows ${RECORDING_FORMAT_VERSION})`);
  if (typeof m.experimentId !== 'string' || m.experimentId === '') fail('experimentId must be a non-empty string');
  if (m.domain !== 'lab' && m.domain !== 'simulation') fail(`domain must be "lab" or "simulation", got ${JSON.stringify(m.domain)}`);
  if (!Array.isArray(m.normalStressSchedule)) fail('normalStressSchedule must be an array');
  if (typeof m.streams !== 'object' || m.streams === null || Object.keys(m.streams).length === 0)
    fail('streams must name at least one stream');
  if (m.failuresS !== undefined && (!Array.isArray(m.failuresS) || m.failuresS.some((t, i) => !Number.isFinite(t) || (i > 0 && t <= m.failuresS![i - 1]))))
    fail('failuresS must be increasing finite times');
  const files = new Set<string>();
  const fileAndColumns = (kind: string, name: string, s: { file: unknown; columns: unknown }) => {
    if (!/^[a-z][a-z0-9_-]*$/.test(name)) fail(`${kind} name ${JSON.stringify(name)} must match [a-z][a-z0-9_-]*`);
    if (typeof s.file !== 'string' || s.file.includes('/') || s.file.includes('\\') || s.file.startsWith('.'))
      fail(`${kind} ${name}: file must be a plain file name, got ${JSON.stringify(s.file)}`);
    if (files.has(s.file as string)) fail(`${kind} ${name}: file ${s.file} is used twice`);
    files.add(s.file as string);
    validateColumns(`${kind} ${name}`, s.columns, fail);
  };
  for (const [name, s] of Object.entries(m.streams!)) {
    fileAndColumns('stream', name, s);
    if (!(s.sampleRateHz > 0)) fail(`stream ${name}: sampleRateHz must be > 0, got ${s.sampleRateHz}`);
    if (!Number.isFinite(s.startTimeS)) fail(`stream ${name}: startTimeS must be finite, got ${s.startTimeS}`);
  }
  if (m.events === undefined) return;
  if (typeof m.events !== 'object' || m.events === null || Array.isArray(m.events)) fail('events must be an object of event streams');
  for (const [name, e] of Object.entries(m.events!)) {
    if (name in m.streams!) fail(`event stream ${name}: a sample stream has that name`);
    fileAndColumns('event stream', name, e);
    // an event table has no rate: a declared one would say row i is at i / rate, which is false
    if ('sampleRateHz' in e || 'startTimeS' in e) fail(`event stream ${name}: events have no sampleRateHz or startTimeS (each row carries its own time)`);
    if (e.timeColumn !== undefined && !e.columns.some((c) => c.name === e.timeColumn)) fail(`event stream ${name}: timeColumn ${JSON.stringify(e.timeColumn)} is not one of its columns`);
  }
}

function validateColumns(what: string, columns: unknown, fail: (msg: string) => never): void {
  if (!Array.isArray(columns) || columns.length === 0) fail(`${what}: needs at least one column`);
  const seen = new Set<string>();
  for (const c of columns as ColumnSpec[]) {
    if (!COLUMN_TYPES.includes(c.type)) fail(`${what}: column ${c.name} has type ${JSON.stringify(c.type)}; valid: ${COLUMN_TYPES.join(', ')}`);
    if (seen.has(c.name)) fail(`${what}: duplicate column ${c.name}`);
    seen.add(c.name);
  }
}

/** The columns of a stream with the given quantity, in order (e.g. every AE channel). */
export function columnsOf(stream: StreamSpec, quantity: ColumnQuantity): ColumnSpec[] {
  return stream.columns.filter((c) => c.quantity === quantity);
}
