/**
 * ws /ingest: producers stream AE here. Frames are validated completely (shared/protocol/), then
 * appended to the session's archive, fsynced at least every flushIntervalMs, and acknowledged
 * after the flush: an ack means stored. A producer that reconnects sends its start frame again,
 * gets the last stored sequence number back in an ack, and resumes after it. Bad frames get an
 * error frame with a reason, are counted, and never affect other connections. Sessions, takeover
 * and flow control: sessions.ts. docs/protocol.md is the contract.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { CLOSE_CODES, type DataFrame, type ErrorCode, ProtocolError, type StartFrame } from '../../shared/protocol/frames.ts';
import { decodeProducerFrame } from '../../shared/protocol/producer-frames.ts';
import type { ServerOptions } from '../config.ts';
import { DEFAULT_PING_INTERVAL_MS, keepAlive } from '../stream/keepalive.ts';
import { type ArchiveEvents, type Outputs, SessionArchive } from './archive.ts';
import { checkDataFrame } from './frame-checks.ts';
import { DEFAULT_MAX_BACKLOG_S, type Downstream, type Live, send, SessionTable } from './sessions.ts';
import type { IngestStats } from './stats.ts';
import type { SessionStore } from './store.ts';

/** Where accepted data is stored, and what else happens to it: the prediction pipelines (server/session/). */
export interface IngestHooks<S extends SessionStore = SessionArchive> {
  /** what the archive of a session holds besides the signals: prediction targets and their rate */
  outputs(start: StartFrame): Outputs;
  /** a session starts or resumes; throwing a ProtocolError refuses it */
  onStart(start: StartFrame, store: S): Downstream;
  /** the store of a session (default: its Arrow archive under opts.archiveDir; the bus mode: JetStream) */
  openStore?(start: StartFrame, outputs: Outputs, events: ArchiveEvents): S | Promise<S>;
}

/** Options of ws /ingest beyond ServerOptions, each with its default (server/config.ts may set them). */
export interface IngestLimits {
  /** seconds of AE a session's pipeline may fall behind before acks are withheld */
  maxBacklogS?: number;
  /** keepalive ping interval, ms (0: none) */
  pingIntervalMs?: number;
}

function tokenOf(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  return (req.query as Record<string, string | undefined>).token;
}

/**
 * Register ws /ingest. Returns drain(): ends every session and waits until their pipelines have
 * emitted and archived everything (call it before stopping the inference workers).
 */
export function registerIngest<S extends SessionStore = SessionArchive>(app: FastifyInstance, opts: ServerOptions & IngestLimits, stats: IngestStats, hooks: IngestHooks<S>): { drain(): Promise<void> } {
  const openStore = hooks.openStore ?? ((start: StartFrame, outputs: Outputs, events: ArchiveEvents) => SessionArchive.open(opts.archiveDir, start, outputs, events) as unknown as S);
  const refuse = (socket: WebSocket, code: ErrorCode, message: string, extra: { session?: string; seq?: number } = {}) => {
    stats.rejected[code] = (stats.rejected[code] ?? 0) + 1;
    send(socket, { type: 'error', code, message, ...extra });
  };
  // a storage error ends the session: the producer is told the cause and starts again later
  const storageFailed = (live: Live, e: unknown) => {
    if (live.fenced) return;
    const err = live.archive.failure ?? (e instanceof ProtocolError ? e : new ProtocolError('internal', 'internal error (logged by the server)'));
    if (!(e instanceof ProtocolError)) app.log.error(e);
    refuse(live.socket, err.code, `${err.message}; frames after ${live.archive.lastDurableSeq} are not stored: start the session again once storage is back`, { session: live.start.session });
    void table.release(live, false);
    live.socket.close(CLOSE_CODES.storage, 'storage error');
  };
  const table = new SessionTable(stats, opts.flushIntervalMs, opts.maxBacklogS ?? DEFAULT_MAX_BACKLOG_S, (e) => app.log.error(e), storageFailed);

  app.get('/ingest', { websocket: true }, (socket, req) => {
    if (tokenOf(req) !== opts.producerToken) {
      refuse(socket, 'unauthorized', 'missing or wrong producer token (Authorization: Bearer TOKEN)');
      socket.close(CLOSE_CODES.unauthorized, 'unauthorized');
      return;
    }
    let mine: Live | null = null;
    keepAlive(socket, opts.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS, () => mine?.hold != null, () => {
      stats.keepaliveTimeouts++;
      socket.terminate();
    });

    const onStart = (f: StartFrame) => {
      if (mine && !mine.fenced)
        throw new ProtocolError('bad-frame', `this connection already carries session ${mine.start.session}; send its end frame first, or open another connection`);
      return table.locked(f.session, async () => {
        const existing = table.get(f.session);
        if (existing) {
          // a producer reconnecting takes its session over from the stale connection: fence that first
          void table.release(existing, false);
          existing.socket.close(CLOSE_CODES.takenOver, `session ${f.session} was started by another connection`);
        }
        await table.drained(f.session);
        if (socket.readyState !== socket.OPEN) return; // gone while waiting: open nothing for it
        const live = await openSession(f);
        if (socket.readyState !== socket.OPEN) {
          void table.release(live, false); // gone while the store opened
          return;
        }
        mine = live;
        table.add(live);
        // tells the producer where to resume (-1: from the beginning)
        send(socket, { type: 'ack', session: f.session, seq: live.archive.lastDurableSeq, aeSamples: live.archive.aeSamples });
      });
    };

    const openSession = async (f: StartFrame): Promise<Live> => {
      let live: Live | null = null;
      const archive = await openStore(f, hooks.outputs(f), {
        onFailure: (code) => {
          stats.storageErrors[code] = (stats.storageErrors[code] ?? 0) + 1;
          // prediction writes fail inside pipeline subscribers: report it outside them
          if (live) setImmediate(storageFailed, live, null);
        },
        onNotArchived: (rows) => (stats.predictionsNotArchived += rows),
      });
      let downstream: Downstream;
      try {
        downstream = hooks.onStart(f, archive);
      } catch (e) {
        void archive.close();
        throw e;
      }
      live = { start: f, archive, aeNames: archive.aeColumnNames, socket, downstream, flushTimer: null, fenced: false, hold: null, heldAck: null, holdEnded: null, endHold: null };
      return live;
    };

    const onData = (live: Live, f: DataFrame) => {
      // all or nothing: every check passes before the first byte is written
      checkDataFrame(live, f);
      try {
        live.archive.append(f, live.aeNames);
      } catch (e) {
        return storageFailed(live, e);
      }
      live.downstream.push(f);
      stats.framesAccepted++;
      stats.samplesAccepted += f.ae[0].length * f.ae.length;
      table.accepted(live);
    };

    const handle = async (data: Buffer, isBinary: boolean) => {
      let about: { session?: string; seq?: number } = {};
      try {
        if (!isBinary) throw new ProtocolError('malformed', 'frames are binary msgpack messages, not text');
        const f = decodeProducerFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        if (f.type === 'start') return await onStart(f);
        about = { session: f.session, seq: f.seq };
        const live: Live | null = mine;
        if (!live || live.start.session !== f.session) throw new ProtocolError('unknown-session', `session ${f.session} was not started on this connection`);
        if (live.fenced) throw live.archive.failure ?? new ProtocolError('unknown-session', `session ${f.session} is no longer held by this connection (ended or taken over)`);
        if (f.type === 'data') {
          // frames already received while the session is held wait too: the backlog stays bounded
          if (live.holdEnded) await live.holdEnded;
          if (live.fenced) throw live.archive.failure ?? new ProtocolError('unknown-session', `session ${f.session} is no longer held by this connection (ended or taken over)`);
          return onData(live, f);
        }
        // end: store (the bus tells its workers), acknowledge, close the archive once the pipelines drained
        live.archive.markEnded?.();
        void table.release(live, true);
      } catch (e) {
        if (e instanceof ProtocolError) refuse(socket, e.code, e.message, about);
        else {
          app.log.error(e);
          refuse(socket, 'internal', 'internal error (logged by the server)');
        }
      }
    };
    // one frame at a time per connection, in arrival order (a start may wait for a takeover)
    let queue = Promise.resolve();
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      queue = queue.then(() => handle(data, isBinary));
    });
    socket.on('error', (e: Error & { code?: string }) => {
      // the ws layer refuses messages over maxFrameBytes (and closes with 1009): count it
      if (e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') stats.rejected['too-large'] = (stats.rejected['too-large'] ?? 0) + 1;
      else stats.rejected.malformed = (stats.rejected.malformed ?? 0) + 1;
    });
    // closing a connection releases everything it opened
    socket.on('close', () => {
      if (mine) void table.release(mine, false);
    });
  });
  return { drain: () => table.drainAll() };
}
