/**
 * One connection of a replay: send the start frame, resume after the last frame the server
 * stored (its answer to start), send data frames with at most `window` unacknowledged, paced to
 * the requested speed, and end the session once every frame is acknowledged. Resolves with the
 * number of frames; rejects on a dropped connection (the caller reconnects) or, marked fatal, on
 * what retrying cannot fix.
 */
import WebSocket from 'ws';
import { decodeFrame, encodeFrame } from '../shared/protocol/codec.ts';
import { CLOSE_CODES, type StartFrame } from '../shared/protocol/frames.ts';
import type { OpenedRecording } from '../recording/recording.ts';
import { framesOf } from './replay-frames.ts';
import type { ReplayOptions } from './replay.ts';

/** Where a replay is: fixed for all its connections. */
export interface ReplayPlan {
  rec: OpenedRecording;
  start: StartFrame;
  frameRows: number;
  /** the session's first sample, as a row of the recording */
  originRow: number;
  totalS: number;
  /** when the replay began (pacing counts from it), performance.now() ms */
  t0: number;
}

type Reply = { type: string; seq?: number; aeSamples?: number; code?: string; message?: string };

export function runConnection(o: ReplayOptions, plan: ReplayPlan): Promise<number> {
  return new Promise((resolve, reject) => new ReplayConnection(o, plan, resolve, reject));
}

class ReplayConnection {
  private readonly ws: WebSocket;
  private acked = -1;
  private sent = -1;
  private started = false;
  private lastSeq = Number.POSITIVE_INFINITY;
  private ended = false;
  private failed = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly o: ReplayOptions,
    private readonly plan: ReplayPlan,
    private readonly resolve: (frames: number) => void,
    private readonly reject: (e: Error) => void,
  ) {
    this.ws = new WebSocket(o.url, { headers: { authorization: `Bearer ${o.token}` } });
    this.ws.on('error', (e) => this.fail(e));
    this.ws.on('close', (code, reason) => {
      if (this.ended) return resolve(this.lastSeq + 1);
      // taken over: another producer holds the session now, so retrying would fight it
      this.fail(new Error(`connection closed (${code}${reason.length ? ` ${reason.toString()}` : ''})`), code === CLOSE_CODES.takenOver);
    });
    this.ws.on('message', (d: Buffer) => this.onReply(decodeFrame(new Uint8Array(d)) as Reply));
    this.ws.on('open', () => this.ws.send(encodeFrame(plan.start)));
  }

  private fail(e: Error, fatal = false): void {
    this.failed = true;
    this.ws.terminate();
    this.reject(Object.assign(e, { fatal }));
    this.wake?.(); // a pump waiting for acks must see the failure and close its reader
  }

  private onReply(f: Reply): void {
    if (f.type === 'error') {
      if (f.code === 'duplicate') return;
      // storage errors pass once space is back: reconnect with backoff and resume from the start ack
      return this.fail(new Error(`server refused: ${f.code}: ${f.message}`), f.code !== 'storage');
    }
    if (f.type !== 'ack') return;
    if (!this.started) {
      // the answer to start: resume after the last stored frame
      this.started = true;
      this.acked = f.seq!;
      void this.pump(f.seq! + 1, this.plan.originRow + (f.aeSamples ?? 0));
      return;
    }
    this.acked = Math.max(this.acked, f.seq!);
    this.wake?.();
    this.endIfDone();
  }

  /** Once the last frame is sent and acknowledged: end the session and close. */
  private endIfDone(): void {
    if (this.acked < this.lastSeq || this.ended) return;
    this.ended = true;
    this.ws.send(encodeFrame({ type: 'end', session: this.plan.start.session, seq: this.lastSeq + 1 }));
    setTimeout(() => this.ws.close(), 50);
  }

  private async pump(seqFrom: number, fromRow: number): Promise<void> {
    const { o, plan } = this;
    try {
      const pace = new Pacer(o, plan);
      for await (const f of framesOf(plan.rec, plan.start.session, plan.frameRows, plan.originRow, fromRow, seqFrom)) {
        if (!(await pace.unpaused())) return this.fail(new Error('replay aborted'), true);
        // flow control: at most `window` frames unacknowledged
        while (f.seq - this.acked > (o.window ?? 64) && !this.failed) await new Promise<void>((r) => (this.wake = r));
        if (this.failed) return;
        await pace.due(f.aeStartIndex / plan.start.aeRateHz);
        if (this.ws.readyState !== this.ws.OPEN) return;
        this.ws.send(f.bytes);
        this.sent = f.seq;
        o.onProgress?.((plan.originRow + f.aeStartIndex) / plan.start.aeRateHz, plan.totalS, this.acked);
      }
      this.lastSeq = this.sent;
      this.endIfDone();
    } catch (e) {
      this.fail(e as Error, true);
    }
  }
}

/** Pacing: holds frames while paused, and each until its time at the requested speed. */
class Pacer {
  private pausedMs = 0;
  constructor(
    private readonly o: ReplayOptions,
    private readonly plan: ReplayPlan,
  ) {}

  /** Resolves once not paused; false when the replay was aborted meanwhile. */
  async unpaused(): Promise<boolean> {
    const { o } = this;
    if (o.signal?.aborted) return false;
    while (o.paused?.()) {
      const p0 = performance.now();
      await new Promise((r) => setTimeout(r, 50));
      this.pausedMs += performance.now() - p0;
      if (o.signal?.aborted) return false;
    }
    return true;
  }

  /** Resolves when a frame starting sessionS into the session is due (paused time not counted). */
  async due(sessionS: number): Promise<void> {
    if (this.o.speed === 'max') return;
    const wait = (sessionS * 1000) / this.o.speed - (performance.now() - this.plan.t0 - this.pausedMs);
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
}
