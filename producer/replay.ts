/**
 * The replay client: streams a recording into a server's ws /ingest as a producer would, at 1x,
 * Nx or as fast as the server acknowledges, resuming after a dropped connection without loss or
 * duplication. Used by `npm run replay`, `npm start` and the tests.
 */
import WebSocket from 'ws';
import { columnsOf } from '../shared/recording-meta.ts';
import { decodeFrame, encodeFrame } from '../shared/protocol/codec.ts';
import { CLOSE_CODES, PROTOCOL_VERSION, type StartFrame } from '../shared/protocol/frames.ts';
import { checkSessionName } from '../shared/protocol/session-name.ts';
import { START_LIMITS } from '../shared/protocol/start-frame.ts';
import { type OpenedRecording, openRecording, readRecordingStream } from '../recording/recording.ts';

export interface ReplayOptions {
  recordingDir: string;
  /** ws://host:port/ingest */
  url: string;
  token: string;
  session: string;
  /** real-time factor, or 'max' to go as fast as acknowledgements allow */
  speed: number | 'max';
  /** window preset the server analyses the session with (default: its models') */
  preset?: string;
  /** the server's models to predict with (default: all of the preset's) */
  models?: string[];
  /** seconds of AE per frame */
  frameS?: number;
  /** most unacknowledged frames in flight */
  window?: number;
  onProgress?: (sentS: number, totalS: number, ackedSeq: number) => void;
  signal?: AbortSignal;
  /** start this far into the recording, s (seeking = a new session from a new position) */
  fromS?: number;
  /** pause control: while paused() is true, nothing is sent */
  paused?: () => boolean;
}

interface Frame {
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
async function* framesOf(rec: OpenedRecording, session: string, frameRows: number, originRow: number, fromRow: number, seqFrom: number): AsyncGenerator<Frame> {
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

/** Replay a recording; resolves when the server has acknowledged the last frame and the end. */
export async function replay(o: ReplayOptions): Promise<{ frames: number; seconds: number }> {
  checkSessionName(o.session);
  const rec = await openRecording(o.recordingDir);
  const ae = rec.meta.streams.ae;
  const aeCols = columnsOf(ae, 'acoustic-emission');
  if (aeCols.length === 0) throw new Error(`${o.recordingDir}: replay needs AE waveform columns (a simulation recording has only the kinetic-energy proxy)`);
  const frameRows = Math.round((o.frameS ?? 0.1) * ae.sampleRateHz);
  const totalS = rec.streams.ae.rows / ae.sampleRateHz;
  const originRow = Math.round(Math.max(0, Math.min(o.fromS ?? 0, totalS)) * ae.sampleRateHz);
  const start: StartFrame = {
    type: 'start',
    protocol: PROTOCOL_VERSION,
    session: o.session,
    experimentId: rec.meta.experimentId,
    aeRateHz: ae.sampleRateHz,
    aeType: aeCols[0].type === 'int16' ? 'int16' : 'float32',
    aeChannels: aeCols.map((c) => ({ name: c.name, unit: c.unit, scale: c.scale ?? 1 })),
    mech: rec.meta.streams.mech && columnsOf(rec.meta.streams.mech, 'friction').length ? { rateHz: rec.meta.streams.mech.sampleRateHz, channels: ['mu'] } : undefined,
    ...(o.preset ? { preset: o.preset } : {}),
    ...(o.models ? { models: o.models } : {}),
    // experiment time: where the session's first sample is, and the load levels (archived with it)
    experimentStartS: ae.startTimeS + originRow / ae.sampleRateHz,
    ...(rec.meta.normalStressSchedule.length <= START_LIMITS.scheduleLevels ? { normalStressSchedule: rec.meta.normalStressSchedule } : {}),
  };
  const t0 = performance.now();
  let attempt = 0;
  for (;;) {
    if (o.signal?.aborted) throw new Error('replay aborted');
    try {
      const frames = await runConnection(o, rec, start, frameRows, originRow, totalS, t0);
      return { frames, seconds: (performance.now() - t0) / 1000 };
    } catch (e) {
      if ((e as { fatal?: boolean }).fatal) throw e;
      // a dropped connection: back off and resume where the server says it is
      attempt++;
      if (attempt > 20) throw new Error(`replay gave up after ${attempt} reconnects: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt)));
    }
  }
}

function runConnection(o: ReplayOptions, rec: OpenedRecording, start: StartFrame, frameRows: number, originRow: number, totalS: number, t0: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(o.url, { headers: { authorization: `Bearer ${o.token}` } });
    let acked = -1;
    let sent = -1;
    let started = false;
    let lastSeq = Number.POSITIVE_INFINITY;
    let ended = false;
    let wake: (() => void) | null = null;
    let failed = false;
    const fail = (e: Error, fatal = false) => {
      failed = true;
      ws.terminate();
      reject(Object.assign(e, { fatal }));
      wake?.(); // a pump waiting for acks must see the failure and close its reader
    };
    ws.on('error', (e) => fail(e));
    ws.on('close', (code, reason) => {
      if (ended) return resolve(lastSeq + 1);
      // taken over: another producer holds the session now, so retrying would fight it
      fail(new Error(`connection closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`), code === CLOSE_CODES.takenOver);
    });
    ws.on('message', (d: Buffer) => {
      const f = decodeFrame(new Uint8Array(d)) as { type: string; seq?: number; aeSamples?: number; code?: string; message?: string };
      if (f.type === 'error') {
        if (f.code === 'duplicate') return;
        // storage errors pass once space is back: reconnect with backoff and resume from the start ack
        return fail(new Error(`server refused: ${f.code}: ${f.message}`), f.code !== 'storage');
      }
      if (f.type !== 'ack') return;
      if (!started) {
        // the answer to start: resume after the last stored frame
        started = true;
        acked = f.seq!;
        void pump(f.seq! + 1, originRow + (f.aeSamples ?? 0));
        return;
      }
      acked = Math.max(acked, f.seq!);
      wake?.();
      if (acked >= lastSeq && !ended) {
        ended = true;
        ws.send(encodeFrame({ type: 'end', session: start.session, seq: lastSeq + 1 }));
        setTimeout(() => ws.close(), 50);
      }
    });
    ws.on('open', () => ws.send(encodeFrame(start)));
    const windowSize = o.window ?? 64;
    const pump = async (seqFrom: number, fromRow: number) => {
      try {
        let pausedMs = 0;
        for await (const f of framesOf(rec, start.session, frameRows, originRow, fromRow, seqFrom)) {
          if (o.signal?.aborted) return fail(new Error('replay aborted'), true);
          while (o.paused?.()) {
            const p0 = performance.now();
            await new Promise((r) => setTimeout(r, 50));
            pausedMs += performance.now() - p0;
            if (o.signal?.aborted) return fail(new Error('replay aborted'), true);
          }
          // flow control: at most `window` frames unacknowledged
          while (f.seq - acked > windowSize && !failed) await new Promise<void>((r) => (wake = r));
          if (failed) return;
          if (o.speed !== 'max') {
            const dueMs = ((f.aeStartIndex / start.aeRateHz) * 1000) / o.speed;
            const wait = dueMs - (performance.now() - t0 - pausedMs);
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          }
          if (ws.readyState !== ws.OPEN) return;
          ws.send(f.bytes);
          sent = f.seq;
          o.onProgress?.((originRow + f.aeStartIndex) / start.aeRateHz, totalS, acked);
        }
        lastSeq = sent;
        if (acked >= lastSeq && !ended) {
          ended = true;
          ws.send(encodeFrame({ type: 'end', session: start.session, seq: lastSeq + 1 }));
          setTimeout(() => ws.close(), 50);
        }
      } catch (e) {
        fail(e as Error, true);
      }
    };
  });
}
