/**
 * A recording cut into the producer's data frames: its AE waveform in frames of a fixed number of
 * samples, each carrying the measured friction whose times fall in its span (by each stream's own
 * clock), encoded lazily from the recording's Arrow batches.
 */
import { columnsOf } from '../shared/recording-meta.ts';
import { encodeFrame } from '../shared/protocol/codec.ts';
import { type OpenedRecording, readRecordingStream } from '../recording/recording.ts';

export interface Frame {
  seq: number;
  aeStartIndex: number;
  bytes: Uint8Array;
}

/** The recording's measured friction (when it has one), whole: small next to the AE. */
async function frictionOf(rec: OpenedRecording): Promise<{ mu: Float32Array; rateHz: number; startTimeS: number } | null> {
  const spec = rec.meta.streams.mech;
  const col = spec ? columnsOf(spec, 'friction')[0] : undefined;
  if (!spec || !col) return null;
  const mu = new Float32Array(rec.streams.mech.rows);
  for await (const b of readRecordingStream(rec, 'mech')) mu.set(b.columns[col.name], b.rowOffset);
  return { mu, rateHz: spec.sampleRateHz, startTimeS: spec.startTimeS };
}

/**
 * The friction samples whose times fall in an AE frame's span (by each stream's own clock); the
 * recording's last frame takes every friction sample left (a friction sample at the AE's end time,
 * e.g. p4677's at 330.000 s, would otherwise never be sent).
 */
function frictionFor(f: NonNullable<Awaited<ReturnType<typeof frictionOf>>>, aeRateHz: number, aeStart: number, aeEnd: number, last = false) {
  const first = Math.max(0, Math.ceil((aeStart / aeRateHz - f.startTimeS) * f.rateHz - 1e-9));
  const end = last ? f.mu.length : Math.min(f.mu.length, Math.ceil((aeEnd / aeRateHz - f.startTimeS) * f.rateHz - 1e-9));
  return { startIndex: first, values: { mu: f.mu.slice(first, Math.max(first, end)) } };
}

/** The recording cut into data frames, encoded lazily from its Arrow batches. */
export async function* framesOf(rec: OpenedRecording, session: string, frameRows: number, originRow: number, fromRow: number, seqFrom: number): AsyncGenerator<Frame> {
  const friction = await frictionOf(rec);
  const rate = rec.meta.streams.ae.sampleRateHz;
  // frames count samples from the session's start (originRow in the recording)
  const encode = (seq: number, start: number, ae: Int16Array[] | Float32Array[]) => {
    const mech = friction ? frictionFor(friction, rate, start, start + ae[0].length, start + ae[0].length >= rec.streams.ae.rows) : undefined;
    // the session's friction counts from the first friction sample at or after its start
    if (mech) mech.startIndex -= frictionFor(friction!, rate, originRow, originRow).startIndex;
    return encodeFrame({ type: 'data', session, seq, aeStartIndex: start - originRow, ae, mech });
  };
  const ae = rec.meta.streams.ae;
  const names = columnsOf(ae, 'acoustic-emission').map((c) => c.name);
  let seq = seqFrom;
  let pending: Int16Array[] | Float32Array[] | null = null;
  let pendingStart = fromRow;
  for await (const b of readRecordingStream(rec, 'ae')) {
    if (b.rowOffset + b.rows <= fromRow) continue;
    const from = Math.max(0, fromRow - b.rowOffset);
    const cols = names.map((n) => b.columns[n].subarray(from)) as Int16Array[] | Float32Array[];
    let off = 0;
    const len = cols[0].length;
    while (off < len) {
      const need = frameRows - (pending ? pending[0].length : 0);
      const take = Math.min(need, len - off);
      const slice = cols.map((c) => c.slice(off, off + take)) as Int16Array[];
      pending = pending ? (pending.map((p, i) => concat(p as Int16Array, slice[i])) as Int16Array[]) : slice;
      off += take;
      if (pending[0].length === frameRows) {
        yield { seq, aeStartIndex: pendingStart - originRow, bytes: encode(seq, pendingStart, pending) };
        seq++;
        pendingStart += frameRows;
        pending = null;
      }
    }
  }
  if (pending && pending[0].length > 0) yield { seq, aeStartIndex: pendingStart - originRow, bytes: encode(seq, pendingStart, pending) };
}

function concat<T extends Int16Array | Float32Array>(a: T, b: T): T {
  const out = new (a.constructor as new (n: number) => T)(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
