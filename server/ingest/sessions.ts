/**
 * The live sessions of ws /ingest. A session belongs to at most one connection. Everything that
 * changes who holds a session (start, takeover, end, close, storage failure) runs under that
 * session's lock, and a holder is fenced (marked, so nothing more of it is stored or acked) and
 * drained (flushed, pipelines ended, archive closed) before the next holder opens the archive and
 * is acked anything. Sessions never wait for each other.
 */
import type { WebSocket } from 'ws';
import { type DataFrame, type ServerToProducerFrame, type StartFrame } from '../../shared/protocol/frames.ts';
import { encodeFrame } from '../../shared/protocol/codec.ts';
import type { SessionStore } from './store.ts';
import type { IngestStats } from './stats.ts';

/** Where a session's accepted data goes besides the archive (its prediction pipelines). */
export interface Downstream {
  push(frame: DataFrame): void;
  end(): Promise<void>;
  /** seconds of AE waiting in the pipeline (flow control); absent: never behind */
  backlogS?(): number;
}

/** A session's pipeline may fall this many seconds of AE behind before its producer is held back. */
export const DEFAULT_MAX_BACKLOG_S = 5;
/** how often a held session checks whether its pipeline caught up, ms */
const HOLD_POLL_MS = 20;

export interface Live {
  start: StartFrame;
  /** where its frames are stored (the Arrow archive, or JetStream in the bus mode) */
  archive: SessionStore;
  aeNames: string[];
  socket: WebSocket;
  downstream: Downstream;
  flushTimer: NodeJS.Timeout | null;
  /** no longer the holder (ended, taken over, failed): nothing more is stored or acked for it */
  fenced: boolean;
  /** flow control: reading paused and acks withheld until the pipeline catches up */
  hold: NodeJS.Timeout | null;
  heldAck: number | null;
  /** resolves when the hold ends (frames already received wait for it) */
  holdEnded: Promise<void> | null;
  endHold: (() => void) | null;
}

export function send(socket: WebSocket, frame: ServerToProducerFrame): void {
  if (socket.readyState === socket.OPEN) socket.send(encodeFrame(frame));
}

export class SessionTable {
  private readonly live = new Map<string, Live>();
  private readonly locks = new Map<string, Promise<void>>();
  private readonly ending = new Map<string, Promise<void>>();

  constructor(
    private readonly stats: IngestStats,
    private readonly flushIntervalMs: number,
    private readonly maxBacklogS: number,
    private readonly log: (e: unknown) => void,
    private readonly onStorageFailure: (live: Live, e: unknown) => void,
  ) {}

  get(session: string): Live | undefined {
    return this.live.get(session);
  }

  /** Run fn with the session's lock held: starts and takeovers of one session never interleave. */
  async locked<T>(session: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(session) ?? Promise.resolve();
    let unlock!: () => void;
    const tail = prev.then(() => new Promise<void>((r) => (unlock = r)));
    this.locks.set(session, tail);
    await prev;
    try {
      return await fn();
    } finally {
      unlock();
      if (this.locks.get(session) === tail) this.locks.delete(session);
    }
  }

  /** Resolves once the session's previous holder is fully drained and its archive closed. */
  drained(session: string): Promise<void> {
    return this.ending.get(session) ?? Promise.resolve();
  }

  add(live: Live): void {
    this.live.set(live.start.session, live);
    this.stats.activeSessions = this.live.size;
  }

  /** After a data frame: flush within flushIntervalMs; hold the producer back if the pipeline is behind. */
  accepted(live: Live): void {
    if (!live.flushTimer) live.flushTimer = setTimeout(() => this.flush(live), this.flushIntervalMs);
    if (!live.hold && (live.downstream.backlogS?.() ?? 0) > this.maxBacklogS) this.holdBack(live);
  }

  flush(live: Live): void {
    if (live.flushTimer) clearTimeout(live.flushTimer);
    live.flushTimer = null;
    live.archive.flush().then(
      (seq) => {
        if (live.fenced || seq < 0) return;
        if (live.hold) live.heldAck = seq;
        else send(live.socket, { type: 'ack', session: live.start.session, seq });
      },
      (e: unknown) => this.onStorageFailure(live, e),
    );
  }

  /** Stop reading from the producer and withhold its acks until the pipeline is within the backlog. */
  private holdBack(live: Live): void {
    this.stats.holds++;
    this.stats.heldSessions++;
    live.socket.pause();
    live.holdEnded = new Promise((r) => (live.endHold = r));
    live.hold = setInterval(() => {
      if (live.fenced || (live.downstream.backlogS?.() ?? 0) <= this.maxBacklogS) this.letGo(live);
    }, HOLD_POLL_MS);
  }

  private letGo(live: Live): void {
    if (!live.hold) return;
    clearInterval(live.hold);
    live.hold = null;
    live.endHold?.();
    live.holdEnded = live.endHold = null;
    this.stats.heldSessions--;
    live.socket.resume();
    if (live.heldAck !== null && !live.fenced) send(live.socket, { type: 'ack', session: live.start.session, seq: live.heldAck });
    live.heldAck = null;
  }

  /**
   * Fence and drain a holder: store (and, with `ack`, acknowledge) what it sent, let its pipelines
   * emit their last predictions, close its archive. Idempotent; `drained()` waits for it.
   */
  release(live: Live, ack: boolean): Promise<void> {
    const name = live.start.session;
    if (live.fenced) return this.drained(name);
    live.fenced = true;
    if (live.flushTimer) clearTimeout(live.flushTimer);
    live.flushTimer = null;
    this.letGo(live);
    if (this.live.get(name) === live) this.live.delete(name);
    this.stats.activeSessions = this.live.size;
    const previous = this.drained(name);
    const p = (async () => {
      await previous;
      const seq = await live.archive.flush().catch(() => -1);
      if (ack && seq >= 0) send(live.socket, { type: 'ack', session: name, seq });
      await live.downstream.end().catch(this.log);
      await live.archive.close();
    })()
      .catch(this.log)
      .finally(() => {
        if (this.ending.get(name) === p) this.ending.delete(name);
      });
    this.ending.set(name, p);
    return p;
  }

  /** Release every session and wait until all are drained (server shutdown). */
  async drainAll(): Promise<void> {
    for (const live of [...this.live.values()]) void this.release(live, true);
    await Promise.all([...this.ending.values()]);
  }
}
