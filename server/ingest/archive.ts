/**
 * The archive of one producer session: a slipwatch recording with the session's AE, its
 * mechanical channels when sent, and `frames`, an index with one row per data frame (its sequence
 * number and where its samples end in each stream). The index is written last and fsynced last,
 * so after a crash it says exactly which frames are complete: recovery cuts the signal streams
 * back to it, and the producer resumes after its last stored frame. Nothing acknowledged is lost.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ColumnSpec, StreamSpec } from '../../shared/recording-meta.ts';
import { type DataFrame, ProtocolError, type StartFrame } from '../../shared/protocol/frames.ts';
import { readRecordingMeta, RecordingWriter } from '../../recording/recording.ts';

const NAME_RE = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

function aeColumns(start: StartFrame): ColumnSpec[] {
  return start.aeChannels.map((c, i) => ({
    name: NAME_RE.test(c.name) ? c.name : `ae${i}`,
    type: start.aeType,
    unit: c.unit,
    quantity: 'acoustic-emission',
    scale: c.scale,
  }));
}

/** Prediction and alert streams: each row says where it is, since predictions start after a warm-up. */
function outputStreams(rateHz: number, targets: readonly string[]): Record<string, StreamSpec> {
  const streams: Record<string, StreamSpec> = {};
  for (const t of targets) {
    streams[`pred_${t}`] = {
      file: `pred_${t}.arrows`,
      sampleRateHz: rateHz,
      startTimeS: 0,
      columns: [
        { name: 'index', type: 'float64', unit: 'samples', quantity: 'other' },
        { name: 'mean', type: 'float32', unit: t === 'ttf' ? 's' : '1', quantity: t === 'friction' ? 'friction' : 'other' },
        { name: 'std', type: 'float32', unit: t === 'ttf' ? 's' : '1', quantity: 'other' },
      ],
    };
  }
  if (targets.length) {
    streams.alerts = {
      file: 'alerts.arrows',
      sampleRateHz: 1, // an event table, not a signal
      startTimeS: 0,
      columns: [
        { name: 'alert_id', type: 'float64', unit: '1', quantity: 'other' },
        { name: 'is_on', type: 'float64', unit: '1', quantity: 'other' },
        { name: 'time_s', type: 'float64', unit: 's', quantity: 'time' },
        { name: 'predicted_ttf_s', type: 'float64', unit: 's', quantity: 'other' },
      ],
    };
  }
  return streams;
}

function streamsFor(start: StartFrame, output: { rateHz: number; targets: readonly string[] } = { rateHz: 1, targets: [] }): Record<string, StreamSpec> {
  const streams: Record<string, StreamSpec> = {
    ae: { file: 'ae.arrows', sampleRateHz: start.aeRateHz, startTimeS: 0, columns: aeColumns(start) },
    // an index, not a signal: one row per stored data frame (its "rate" is nominal)
    frames: {
      file: 'frames.arrows',
      sampleRateHz: 1,
      startTimeS: 0,
      columns: [
        { name: 'seq', type: 'float64', unit: '1', quantity: 'other' },
        { name: 'ae_end_index', type: 'float64', unit: 'samples', quantity: 'other' },
        { name: 'mech_end_index', type: 'float64', unit: 'samples', quantity: 'other' },
      ],
    },
  };
  Object.assign(streams, outputStreams(output.rateHz, output.targets));
  if (start.mech) {
    const quantity = { shear_stress_MPa: 'shear-stress', normal_stress_MPa: 'normal-stress', mu: 'friction' } as const;
    streams.mech = {
      file: 'mech.arrows',
      sampleRateHz: start.mech.rateHz,
      startTimeS: 0,
      columns: start.mech.channels.map((c) => ({ name: c, type: 'float32', unit: c === 'mu' ? '1' : 'MPa', quantity: quantity[c] })),
    };
  }
  return streams;
}

export class SessionArchive {
  /** sequence number of the last frame appended (durable once flushed) */
  private appendedSeq: number;
  private durableSeq: number;
  private aeEnd: number;
  private mechEnd: number;
  /** index rows of appended frames, written once their samples are durable */
  private pendingIndex: { seq: number; aeEnd: number; mechEnd: number }[] = [];
  /** flushes run one after another */
  private chain: Promise<number> = Promise.resolve(-1);

  private constructor(
    private readonly writer: RecordingWriter,
    readonly dir: string,
    lastSeq: number,
  ) {
    this.appendedSeq = lastSeq;
    this.durableSeq = lastSeq;
    this.aeEnd = writer.rows('ae');
    this.mechEnd = writer.meta.streams.mech ? writer.rows('mech') : 0;
  }

  /**
   * Open the archive of a session: create it, or (the session exists: a producer resuming, or
   * the server restarted) recover it to its last complete frame. A start frame that does not
   * match the stored one is refused.
   */
  static open(archiveDir: string, start: StartFrame, output: { rateHz: number; targets: readonly string[] } = { rateHz: 1, targets: [] }): SessionArchive {
    const dir = join(archiveDir, start.session);
    if (!existsSync(join(dir, 'recording.json'))) {
      const writer = RecordingWriter.create(dir, {
        experimentId: start.experimentId,
        domain: 'lab',
        description: `live session ${start.session}`,
        source: { kind: 'instrument', name: start.session, description: JSON.stringify({ preset: start.preset }) },
        normalStressSchedule: [],
        streams: streamsFor(start, output),
      });
      return new SessionArchive(writer, dir, -1);
    }
    const meta = readRecordingMeta(dir);
    const want = JSON.stringify(streamsFor(start, output));
    if (JSON.stringify(meta.streams) !== want || meta.experimentId !== start.experimentId)
      throw new ProtocolError('bad-frame', `session ${start.session} exists with other channels, rates or experiment; start a new session`);
    const writer = RecordingWriter.reopen(dir);
    // the frames index decides what is complete; cut the signal streams back to it
    const frames = writer.rows('frames');
    let lastSeq = -1;
    let aeEnd = 0;
    let mechEnd = 0;
    if (frames > 0) {
      const last = writer.lastRow('frames');
      lastSeq = last.seq;
      aeEnd = last.ae_end_index;
      mechEnd = last.mech_end_index;
    }
    writer.truncateToRows('ae', aeEnd);
    if (meta.streams.mech) writer.truncateToRows('mech', mechEnd);
    return new SessionArchive(writer, dir, lastSeq);
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

  /** Append one data frame (durable after the next flush). */
  append(frame: DataFrame, aeNames: string[]): void {
    this.writer.append('ae', Object.fromEntries(aeNames.map((n, c) => [n, frame.ae[c]])));
    this.aeEnd += frame.ae[0].length;
    if (frame.mech && this.writer.meta.streams.mech) {
      const cols = this.writer.meta.streams.mech.columns;
      const n = frame.mech.values[cols[0].name as 'mu']?.length ?? 0;
      this.writer.append('mech', Object.fromEntries(cols.map((c) => [c.name, frame.mech!.values[c.name as 'mu'] ?? new Float32Array(n).fill(Number.NaN)])));
      this.mechEnd += n;
    }
    this.pendingIndex.push({ seq: frame.seq, aeEnd: this.aeEnd, mechEnd: this.mechEnd });
    this.appendedSeq = frame.seq;
  }

  /** Archive averaged predictions of one target (durable with the next flush). */
  appendPrediction(target: string, startIndex: number, mean: Float32Array, std: Float32Array): void {
    const index = Float64Array.from({ length: mean.length }, (_, i) => startIndex + i);
    this.writer.append(`pred_${target}`, { index, mean, std });
  }

  /** Archive an alert turning on or off. */
  appendAlert(id: number, isOn: boolean, timeS: number, predictedTtfS: number): void {
    this.writer.append('alerts', { alert_id: Float64Array.of(id), is_on: Float64Array.of(isOn ? 1 : 0), time_s: Float64Array.of(timeS), predicted_ttf_s: Float64Array.of(predictedTtfS) });
  }

  private writeIndex(entries: { seq: number; aeEnd: number; mechEnd: number }[]): void {
    if (entries.length === 0) return;
    this.writer.append('frames', {
      seq: Float64Array.from(entries, (e) => e.seq),
      ae_end_index: Float64Array.from(entries, (e) => e.aeEnd),
      mech_end_index: Float64Array.from(entries, (e) => e.mechEnd),
    });
  }

  /**
   * Make every frame appended so far durable and return the last durable sequence number:
   * fsync the signal streams, then write and fsync the index rows of the frames they hold (the
   * index never names samples that are not on disk). The fsyncs run in libuv's thread pool, so
   * ingest and the pipelines keep running while the disk syncs (an fsync here takes 0.3 ms
   * typically and up to tens of ms); frames arriving meanwhile go with the next flush.
   */
  flush(): Promise<number> {
    this.chain = this.chain.then(async () => {
      if (this.appendedSeq === this.durableSeq) return this.durableSeq;
      const entries = this.pendingIndex.splice(0);
      const seq = this.appendedSeq;
      await this.writer.flushAsync(['ae', 'mech']);
      this.writeIndex(entries);
      await this.writer.flushAsync(['frames']);
      this.durableSeq = seq;
      return seq;
    });
    return this.chain;
  }

  async close(): Promise<void> {
    await this.flush();
    this.writer.close();
  }

  /** Drop the file handles without flushing (tests: what a crash leaves). */
  abandon(): void {
    this.writer.abandon();
  }
}
