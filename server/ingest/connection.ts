/**
 * One producer connection on ws /ingest: its frames are handled one at a time in arrival order;
 * a start binds the connection to one session (taking it over from a stale connection, fenced
 * first), data frames are checked whole, stored, passed on and acknowledged after the flush, an
 * end releases the session. Closing the connection releases everything it opened.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import { CLOSE_CODES, type DataFrame, type ErrorCode, ProtocolError, type StartFrame } from '../../shared/protocol/frames.ts';
import { decodeProducerFrame } from '../../shared/protocol/producer-frames.ts';
import type { ArchiveEvents, Outputs } from './archive.ts';
import { checkDataFrame } from './frame-checks.ts';
import { type Downstream, type Live, send, type SessionTable } from './sessions.ts';
import type { IngestStats } from './stats.ts';
import type { SessionStore } from './store.ts';

/** What every connection shares: the session table, counters, and how stores and pipelines are made. */
export interface IngestContext<S extends SessionStore> {
  table: SessionTable;
  stats: IngestStats;
  log: FastifyBaseLogger;
  outputs(start: StartFrame): Outputs;
  onStart(start: StartFrame, store: S): Downstream;
  openStore(start: StartFrame, outputs: Outputs, events: ArchiveEvents): S | Promise<S>;
  refuse(socket: WebSocket, code: ErrorCode, message: string, extra?: { session?: string; seq?: number }): void;
  storageFailed(live: Live, e: unknown): void;
}

export class ProducerConnection<S extends SessionStore> {
  /** the session this connection carries, once started */
  live: Live | null = null;
  private queue = Promise.resolve();

  constructor(
    private readonly socket: WebSocket,
    private readonly ctx: IngestContext<S>,
  ) {
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      this.queue = this.queue.then(() => this.handle(data, isBinary));
    });
    socket.on('error', (e: Error & { code?: string }) => {
      // the ws layer refuses messages over maxFrameBytes (and closes with 1009): count it
      const rejected = ctx.stats.rejected;
      if (e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') rejected['too-large'] = (rejected['too-large'] ?? 0) + 1;
      else rejected.malformed = (rejected.malformed ?? 0) + 1;
    });
    socket.on('close', () => {
      if (this.live) void ctx.table.release(this.live, false);
    });
  }

  private async handle(data: Buffer, isBinary: boolean): Promise<void> {
    let about: { session?: string; seq?: number } = {};
    try {
      if (!isBinary) throw new ProtocolError('malformed', 'frames are binary msgpack messages, not text');
      const f = decodeProducerFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      if (f.type === 'start') return await this.onStart(f);
      about = { session: f.session, seq: f.seq };
      const live = this.current(f.session);
      if (f.type === 'data') {
        // frames already received while the session is held wait too: the backlog stays bounded
        if (live.holdEnded) await live.holdEnded;
        return this.onData(this.current(f.session), f);
      }
      // end: store (the bus tells its workers), acknowledge, close the archive once the pipelines drained
      live.archive.markEnded?.();
      void this.ctx.table.release(live, true);
    } catch (e) {
      if (e instanceof ProtocolError) this.ctx.refuse(this.socket, e.code, e.message, about);
      else {
        this.ctx.log.error(e);
        this.ctx.refuse(this.socket, 'internal', 'internal error (logged by the server)');
      }
    }
  }

  /** The session a data or end frame names, if this connection still holds it. */
  private current(session: string): Live {
    const live = this.live;
    if (!live || live.start.session !== session) throw new ProtocolError('unknown-session', `session ${session} was not started on this connection`);
    if (live.fenced) throw live.archive.failure ?? new ProtocolError('unknown-session', `session ${session} is no longer held by this connection (ended or taken over)`);
    return live;
  }

  private onStart(f: StartFrame): Promise<void> {
    if (this.live && !this.live.fenced)
      throw new ProtocolError('bad-frame', `this connection already carries session ${this.live.start.session}; send its end frame first, or open another connection`);
    const { table } = this.ctx;
    return table.locked(f.session, async () => {
      const existing = table.get(f.session);
      if (existing) {
        // a producer reconnecting takes its session over from the stale connection: fence that first
        void table.release(existing, false);
        existing.socket.close(CLOSE_CODES.takenOver, `session ${f.session} was started by another connection`);
      }
      await table.drained(f.session);
      if (this.socket.readyState !== this.socket.OPEN) return; // gone while waiting: open nothing for it
      const live = await this.openSession(f);
      if (this.socket.readyState !== this.socket.OPEN) {
        void table.release(live, false); // gone while the store opened
        return;
      }
      this.live = live;
      table.add(live);
      // tells the producer where to resume (-1: from the beginning)
      send(this.socket, { type: 'ack', session: f.session, seq: live.archive.lastDurableSeq, aeSamples: live.archive.aeSamples });
    });
  }

  private async openSession(f: StartFrame): Promise<Live> {
    const { ctx } = this;
    let live: Live | null = null;
    const archive = await ctx.openStore(f, ctx.outputs(f), {
      onFailure: (code) => {
        ctx.stats.storageErrors[code] = (ctx.stats.storageErrors[code] ?? 0) + 1;
        // prediction writes fail inside pipeline subscribers: report it outside them
        if (live) setImmediate(ctx.storageFailed, live, null);
      },
      onNotArchived: (rows) => (ctx.stats.predictionsNotArchived += rows),
    });
    let downstream: Downstream;
    try {
      downstream = ctx.onStart(f, archive);
    } catch (e) {
      void archive.close();
      throw e;
    }
    live = { start: f, archive, aeNames: archive.aeColumnNames, socket: this.socket, downstream, flushTimer: null, fenced: false, hold: null, heldAck: null, holdEnded: null, endHold: null };
    return live;
  }

  private onData(live: Live, f: DataFrame): void {
    // all or nothing: every check passes before the first byte is written
    checkDataFrame(live, f);
    try {
      live.archive.append(f, live.aeNames);
    } catch (e) {
      return this.ctx.storageFailed(live, e);
    }
    live.downstream.push(f);
    this.ctx.stats.framesAccepted++;
    this.ctx.stats.samplesAccepted += f.ae[0].length * f.ae.length;
    this.ctx.table.accepted(live);
  }
}
