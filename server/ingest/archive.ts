/**
 * The archive of one producer session: a slipwatch recording with the session's AE, its
 * mechanical channels when sent, and `frames`, an event stream with one row per data frame (its
 * sequence number and where its samples end in each stream). The index is written last and fsynced last,
 * so after a crash it says exactly which frames are complete: recovery cuts the signal streams
 * back to it, and the producer resumes after its last stored frame. Nothing acknowledged is lost.
 *
 * Storage errors (disk full, read-only, I/O) never escape as exceptions from prediction or alert
 * writes (they run inside pipeline subscribers): the first one marks the archive failed, is
 * reported through `onFailure`, and from then on nothing more is written; the session is restarted
 * from its index once storage is back.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type DataFrame, ProtocolError, type StartFrame } from '../../shared/protocol/frames.ts';
import { sessionPath } from './session-path.ts';
import { readRecordingMeta, RecordingWriter } from '../../recording/recording.ts';
import { describeStorageError, isStorageError } from '../../recording/storage-errors.ts';
import { eventsFor, streamsFor } from './archive-streams.ts';
import type { SessionStore } from './store.ts';

export type Outputs = { rateHz: number; targets: readonly string[] };

export interface ArchiveEvents {
  /** the first storage error of this archive (cause: "ENOSPC: ... (write)") */
  onFailure?(code: string, cause: string): void;
  /** prediction or alert rows that could not be archived */
  onNotArchived?(rows: number): void;
}

/** A storage error as the producer sees it: its real cause, never a server path. */
export function storageProtocolError(e: unknown, doing: string): ProtocolError {
  if (isStorageError(e)) return new ProtocolError('storage', `${describeStorageError(e)} while ${doing}`);
  return e instanceof ProtocolError ? e : new ProtocolError('internal', `${doing} failed: ${(e as Error).message}`);
}

export class SessionArchive implements SessionStore {
  private appendedSeq: number;
  private durableSeq: number;
  private aeEnd: number;
  private mechEnd: number;
  /** index rows of appended frames, written once their samples are durable */
  private pendingIndex: { seq: number; aeEnd: number; mechEnd: number }[] = [];
  /** flushes run one after another */
  private chain: Promise<number> = Promise.resolve(-1);
  /** the first storage error: nothing more is written after it */
  failure: ProtocolError | null = null;
  private closed = false;

  private constructor(
    private readonly writer: RecordingWriter,
    readonly dir: string,
    lastSeq: number,
    private readonly events: ArchiveEvents,
    /** experiment time of the session's first sample, s (alerts are archived in experiment time) */
    private readonly experimentStartS = 0,
  ) {
    this.appendedSeq = lastSeq;
    this.durableSeq = lastSeq;
    this.aeEnd = writer.rows('ae');
    this.mechEnd = writer.meta.streams.mech ? writer.rows('mech') : 0;
  }

  /**
   * Open the archive of a session: create it, or (the session exists: a producer resuming, or
   * the server restarted) recover it to its last complete frame. A start frame that does not
   * match the stored one is refused; a storage error is a ProtocolError('storage') with its cause.
   */
  static open(archiveDir: string, start: StartFrame, output: Outputs = { rateHz: 1, targets: [] }, events: ArchiveEvents = {}): SessionArchive {
    const dir = sessionPath(archiveDir, start.session);
    try {
      return SessionArchive.openIn(dir, start, output, events);
    } catch (e) {
      throw storageProtocolError(e, `opening the archive of session ${start.session}`);
    }
  }

  private static openIn(dir: string, start: StartFrame, output: Outputs, events: ArchiveEvents): SessionArchive {
    const streams = streamsFor(start, output);
    const eventStreams = eventsFor(output);
    if (!existsSync(join(dir, 'recording.json'))) {
      // leftovers of a create that failed (disk full) before its recording.json: nothing of them was acked
      for (const s of [...Object.values(streams), ...Object.values(eventStreams)]) rmSync(join(dir, s.file), { force: true });
      rmSync(join(dir, 'recording.json.tmp'), { force: true });
      const writer = RecordingWriter.create(dir, {
        experimentId: start.experimentId,
        domain: 'lab',
        description: `live session ${start.session}`,
        source: { kind: 'instrument', name: start.session, description: JSON.stringify({ preset: start.preset }) },
        normalStressSchedule: start.normalStressSchedule ?? [],
        streams,
        events: eventStreams,
      });
      return new SessionArchive(writer, dir, -1, events, start.experimentStartS);
    }
    let meta;
    try {
      meta = readRecordingMeta(dir);
    } catch {
      throw new ProtocolError('bad-frame', `session ${start.session} exists but its archive metadata is unreadable; start a new session`);
    }
    if (JSON.stringify(meta.streams) !== JSON.stringify(streams) || JSON.stringify(meta.events ?? {}) !== JSON.stringify(eventStreams) || meta.experimentId !== start.experimentId)
      throw new ProtocolError('bad-frame', `session ${start.session} exists with other channels, rates or experiment; start a new session`);
    const writer = RecordingWriter.reopen(dir);
    try {
      // the frames index decides what is complete; cut the signal streams back to it
      const last = writer.rows('frames') > 0 ? writer.lastRow('frames') : { seq: -1, ae_end_index: 0, mech_end_index: 0 };
      writer.truncateToRows('ae', last.ae_end_index);
      if (meta.streams.mech) writer.truncateToRows('mech', last.mech_end_index);
      return new SessionArchive(writer, dir, last.seq, events, start.experimentStartS);
    } catch (e) {
      writer.abandon();
      throw e;
    }
  }

  /** Sequence number of the last frame appended (stored once flushed; -1: none). */
  get lastAppendedSeq(): number {
    return this.appendedSeq;
  }

  /** The AE column names, in channel order. */
  get aeColumnNames(): string[] {
    return this.writer.meta.streams.ae.columns.map((c) => c.name);
  }

  /** Sequence number of the last frame stored durably (-1: none). */
  get lastDurableSeq(): number {
    return this.durableSeq;
  }

  /** AE samples stored (the next frame's aeStartIndex). */
  get aeSamples(): number {
    return this.aeEnd;
  }

  /** Mechanical samples stored (the next frame's mech.startIndex). */
  get mechSamples(): number {
    return this.mechEnd;
  }

  private fail(e: unknown, doing: string): ProtocolError {
    const err = storageProtocolError(e, doing);
    if (!this.failure) {
      this.failure = err;
      this.events.onFailure?.(isStorageError(e) ? e.code : 'internal', err.message);
    }
    return err;
  }

  /** Append one validated data frame (durable after the next flush); throws ProtocolError('storage'). */
  append(frame: DataFrame, aeNames: string[]): void {
    if (this.failure) throw this.failure;
    try {
      this.writer.append('ae', Object.fromEntries(aeNames.map((n, c) => [n, frame.ae[c]])));
      if (frame.mech && this.writer.meta.streams.mech) {
        const cols = this.writer.meta.streams.mech.columns;
        const n = Object.values(frame.mech.values)[0]?.length ?? 0;
        this.writer.append('mech', Object.fromEntries(cols.map((c) => [c.name, frame.mech!.values[c.name as 'mu'] ?? new Float32Array(n).fill(Number.NaN)])));
        this.mechEnd += n;
      }
    } catch (e) {
      throw this.fail(e, `storing frame ${frame.seq}`);
    }
    this.aeEnd += frame.ae[0].length;
    this.pendingIndex.push({ seq: frame.seq, aeEnd: this.aeEnd, mechEnd: this.mechEnd });
    this.appendedSeq = frame.seq;
  }

  /** The last row of an output stream (pred_<target>, alerts), or null (a resumed archiver skips up to it). */
  lastOutputRow(stream: string): Record<string, number> | null {
    return this.writer.rows(stream) > 0 ? this.writer.lastRow(stream) : null;
  }

  /** Write rows of an output stream; never throws (it runs inside pipeline subscribers). */
  private appendOutput(stream: string, rows: number, columns: Record<string, Float32Array | Float64Array>): void {
    if (this.failure || this.closed) return this.events.onNotArchived?.(rows);
    try {
      this.writer.append(stream, columns);
    } catch (e) {
      this.fail(e, `archiving ${stream}`);
      this.events.onNotArchived?.(rows);
    }
  }

  /** Archive averaged predictions of one target (durable with the next flush). */
  appendPrediction(target: string, startIndex: number, mean: Float32Array, std: Float32Array): void {
    const index = Float64Array.from({ length: mean.length }, (_, i) => startIndex + i);
    this.appendOutput(`pred_${target}`, mean.length, { index, mean, std });
  }

  /** Archive an alert turning on or off at session time timeS (stored in experiment time). */
  appendAlert(id: number, isOn: boolean, timeS: number, predictedTtfS: number): void {
    const time = Float64Array.of(this.experimentStartS + timeS);
    this.appendOutput('alerts', 1, { alert_id: Float64Array.of(id), is_on: Float64Array.of(isOn ? 1 : 0), time_s: time, predicted_ttf_s: Float64Array.of(predictedTtfS) });
  }

  /**
   * Make every frame appended so far durable and return the last durable sequence number:
   * fsync the signal streams, then write and fsync the index rows of the frames they hold (the
   * index never names samples that are not on disk). The fsyncs run in libuv's thread pool.
   * Rejects with ProtocolError('storage') once storage failed.
   */
  flush(): Promise<number> {
    this.chain = this.chain.then(async () => {
      if (this.failure) throw this.failure;
      if (this.appendedSeq === this.durableSeq) return this.durableSeq;
      const entries = this.pendingIndex.splice(0);
      const seq = this.appendedSeq;
      try {
        await this.writer.flushAsync(['ae', 'mech']);
        this.writer.append('frames', {
          seq: Float64Array.from(entries, (e) => e.seq),
          ae_end_index: Float64Array.from(entries, (e) => e.aeEnd),
          mech_end_index: Float64Array.from(entries, (e) => e.mechEnd),
        });
        await this.writer.flushAsync(['frames']);
      } catch (e) {
        throw this.fail(e, `storing frames up to ${seq}`);
      }
      this.durableSeq = seq;
      return seq;
    });
    // a later flush still runs after a failed one (and rejects with the same failure)
    this.chain.catch(() => undefined);
    return this.chain;
  }

  /** Flush and close; after a storage error, release the handles without writing. Never throws. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush().catch(() => undefined);
    this.closed = true;
    if (this.failure) return this.writer.abandon();
    try {
      this.writer.close();
    } catch (e) {
      this.fail(e, 'closing the archive');
      this.writer.abandon();
    }
  }

  /** Drop the file handles without flushing (tests: what a crash leaves). */
  abandon(): void {
    this.closed = true;
    this.writer.abandon();
  }
}
