/**
 * A recording directory: recording.json plus one Arrow IPC stream per sample-rate group, and one
 * per table of events (meta.events: rows at no rate). Written once at creation (atomically), appended stream by stream, read stream by stream.
 */
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  RECORDING_FORMAT,
  RECORDING_FORMAT_VERSION,
  RECORDING_META_FILE,
  type EventStreamSpec,
  type RecordingMeta,
  type StreamSpec,
  validateRecordingMeta,
} from '../shared/recording-meta.ts';
import {
  ArrowStreamAppender,
  type Columns,
  readStreamBatches,
  type StreamBatch,
  type StreamInfo,
  streamInfo,
} from './arrow-stream.ts';
import { makeDirs } from './storage-errors.ts';

export type NewRecordingMeta = Omit<RecordingMeta, 'format' | 'formatVersion'>;

/** Metadata each stream file carries itself, so one .arrows file is self-describing. */
function streamFileMetadata(meta: RecordingMeta, name: string, s: StreamSpec | EventStreamSpec): Record<string, string> {
  const common = { 'slipwatch:format': `${RECORDING_FORMAT}/${RECORDING_FORMAT_VERSION}`, 'slipwatch:experiment_id': meta.experimentId, 'slipwatch:stream': name };
  if (!('sampleRateHz' in s)) return { ...common, 'slipwatch:kind': 'events', ...(s.timeColumn ? { 'slipwatch:time_column': s.timeColumn } : {}) };
  return { ...common, 'slipwatch:sample_rate_hz': String(s.sampleRateHz), 'slipwatch:start_time_s': String(s.startTimeS) };
}

/** Every file of a recording, sample streams then event streams, by name. */
export function recordingTables(meta: RecordingMeta): [string, StreamSpec | EventStreamSpec][] {
  return [...Object.entries(meta.streams), ...Object.entries(meta.events ?? {})];
}

/** Write a file so that readers see either the old or the complete new content, never a part. */
function writeFileAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text);
  const fd = openSync(tmp, 'r');
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, path);
}

export class RecordingWriter {
  private readonly appenders = new Map<string, ArrowStreamAppender>();

  private constructor(
    readonly dir: string,
    readonly meta: RecordingMeta,
  ) {}

  /** Create a new recording directory; fails if it already holds a recording. */
  static create(dir: string, meta: NewRecordingMeta): RecordingWriter {
    const full: RecordingMeta = { format: RECORDING_FORMAT, formatVersion: RECORDING_FORMAT_VERSION, ...meta };
    validateRecordingMeta(full);
    if (existsSync(join(dir, RECORDING_META_FILE))) throw new Error(`${dir} already holds a recording; refusing to overwrite it`);
    makeDirs(dir);
    const w = new RecordingWriter(dir, full);
    try {
      for (const [name, spec] of recordingTables(full)) {
        w.appenders.set(name, ArrowStreamAppender.create(join(dir, spec.file), spec.columns, streamFileMetadata(full, name, spec)));
      }
      // metadata last: a directory with recording.json always has all its stream files
      writeFileAtomic(join(dir, RECORDING_META_FILE), `${JSON.stringify(full, null, 2)}\n`);
      const dfd = openSync(dir, 'r');
      fsyncSync(dfd);
      closeSync(dfd);
    } catch (e) {
      w.abandon(); // a failed create (disk full) must not leak its file handles
      throw e;
    }
    return w;
  }

  /** Reopen a recording (cleanly closed or crashed) to append more data. */
  static reopen(dir: string): RecordingWriter {
    const meta = readRecordingMeta(dir);
    const w = new RecordingWriter(dir, meta);
    try {
      for (const [name, spec] of recordingTables(meta)) {
        w.appenders.set(name, ArrowStreamAppender.reopen(join(dir, spec.file)).appender);
      }
    } catch (e) {
      w.abandon();
      throw e;
    }
    return w;
  }

  /** Rows written so far to a stream. */
  rows(stream: string): number {
    return this.appender(stream).rows;
  }

  /** Append a batch of columns to a stream (see ArrowStreamAppender.append). */
  append(stream: string, columns: Columns): void {
    this.appender(stream).append(columns);
  }

  /**
   * Make everything appended so far durable; with `order`, those streams first, in that order
   * (streams it does not name follow), so an index stream can be made durable after its data.
   */
  flush(order: string[] = []): void {
    const names = [...order.filter((n) => this.appenders.has(n)), ...[...this.appenders.keys()].filter((n) => !order.includes(n))];
    for (const n of names) this.appenders.get(n)!.flush();
  }

  /** fsync the named streams together, off the event loop (ArrowStreamAppender.flushAsync). */
  async flushAsync(streams: string[]): Promise<void> {
    await Promise.all(streams.filter((n) => this.appenders.has(n)).map((n) => this.appenders.get(n)!.flushAsync()));
  }

  /** Cut a stream back to `rows` rows (whole record batches; see ArrowStreamAppender.truncateToRows). */
  truncateToRows(stream: string, rows: number): void {
    this.appender(stream).truncateToRows(rows);
  }

  /** The last row of a stream, read back from its file (small index streams). */
  lastRow(stream: string): Record<string, number> {
    return this.appender(stream).lastRow();
  }

  /** Close every stream (all handles are released even if one fails; the first error is thrown). */
  close(): void {
    let first: unknown = null;
    for (const a of this.appenders.values()) {
      try {
        a.close();
      } catch (e) {
        first ??= e;
      }
    }
    if (first) throw first;
  }

  /** Drop the file handles as a crash would (tests only). */
  abandon(): void {
    for (const a of this.appenders.values()) a.abandon();
  }

  private appender(stream: string): ArrowStreamAppender {
    const a = this.appenders.get(stream);
    if (!a) throw new Error(`recording ${this.meta.experimentId} has no stream "${stream}" (streams: ${[...this.appenders.keys()].join(', ')})`);
    return a;
  }
}

export function readRecordingMeta(dir: string): RecordingMeta {
  const path = join(dir, RECORDING_META_FILE);
  if (!existsSync(path)) throw new Error(`${dir} is not a slipwatch recording (no ${RECORDING_META_FILE})`);
  let meta: unknown;
  try {
    meta = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  validateRecordingMeta(meta);
  return meta;
}

/**
 * Change top-level metadata of a closed recording (what a streaming import learns only at its
 * end, such as the failure times of its labels); validated and written atomically.
 */
export function updateRecordingMeta(dir: string, patch: Partial<Pick<RecordingMeta, 'failuresS' | 'description' | 'normalStressSchedule'>>): RecordingMeta {
  const meta = { ...readRecordingMeta(dir), ...patch };
  validateRecordingMeta(meta);
  writeFileAtomic(join(dir, RECORDING_META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
  return meta;
}

export interface OpenedRecording {
  dir: string;
  meta: RecordingMeta;
  streams: Record<string, StreamInfo & { spec: StreamSpec; durationS: number }>;
  /** event streams: rows, no duration (an event table has no rate) */
  events: Record<string, StreamInfo & { spec: EventStreamSpec }>;
}

/** A stream file's schema, length and integrity, checked against its declared columns. */
async function checkedInfo(dir: string, name: string, spec: StreamSpec | EventStreamSpec): Promise<StreamInfo> {
  const info = await streamInfo(join(dir, spec.file));
  const want = spec.columns.map((c) => `${c.name}:${c.type}`).join(',');
  const got = info.columns.map((c) => `${c.name}:${c.type}`).join(',');
  if (want !== got) throw new Error(`${dir}: stream ${name} has columns ${got} but recording.json declares ${want}`);
  return info;
}

/** Open a recording: metadata plus each stream's schema, length and integrity (no data read). */
export async function openRecording(dir: string): Promise<OpenedRecording> {
  const meta = readRecordingMeta(dir);
  const streams: OpenedRecording['streams'] = {};
  for (const [name, spec] of Object.entries(meta.streams)) {
    const info = await checkedInfo(dir, name, spec);
    streams[name] = { ...info, spec, durationS: info.rows / spec.sampleRateHz };
  }
  const events: OpenedRecording['events'] = {};
  for (const [name, spec] of Object.entries(meta.events ?? {})) events[name] = { ...(await checkedInfo(dir, name, spec)), spec };
  return { dir, meta, streams, events };
}

/** Read one stream (sample or event stream) of a recording batch by batch (bounded memory). */
export function readRecordingStream(rec: OpenedRecording, stream: string): AsyncGenerator<StreamBatch> {
  const s = rec.meta.streams[stream] ?? rec.meta.events?.[stream];
  if (!s) throw new Error(`recording ${rec.meta.experimentId} has no stream "${stream}" (streams: ${recordingTables(rec.meta).map(([n]) => n).join(', ')})`);
  return readStreamBatches(join(rec.dir, s.file));
}
