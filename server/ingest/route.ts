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
import { CLOSE_CODES, type ErrorCode, ProtocolError, type StartFrame } from '../../shared/protocol/frames.ts';
import type { ServerOptions } from '../config.ts';
import { DEFAULT_PING_INTERVAL_MS, keepAlive } from '../stream/keepalive.ts';
import { type ArchiveEvents, type Outputs, SessionArchive } from './archive.ts';
import { ProducerConnection } from './connection.ts';
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
  const ctx = {
    table,
    stats,
    log: app.log,
    outputs: hooks.outputs,
    onStart: hooks.onStart,
    openStore: hooks.openStore ?? ((start: StartFrame, outputs: Outputs, events: ArchiveEvents) => SessionArchive.open(opts.archiveDir, start, outputs, events) as unknown as S),
    refuse,
    storageFailed,
  };

  app.get('/ingest', { websocket: true }, (socket, req) => {
    if (tokenOf(req) !== opts.producerToken) {
      refuse(socket, 'unauthorized', 'missing or wrong producer token (Authorization: Bearer TOKEN)');
      socket.close(CLOSE_CODES.unauthorized, 'unauthorized');
      return;
    }
    const connection = new ProducerConnection(socket, ctx);
    keepAlive(socket, opts.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS, () => connection.live?.hold != null, () => {
      stats.keepaliveTimeouts++;
      socket.terminate();
    });
  });
  return { drain: () => table.drainAll() };
}
