/**
 * ws /ingest: producers stream AE here. Frames are validated (shared/protocol.ts), appended to
 * the session's archive, fsynced at least every flushIntervalMs, and acknowledged after the
 * flush: an ack means stored. A producer that reconnects sends its start frame again, gets the
 * last stored sequence number back in an ack, and resumes after it. Bad frames get an error
 * frame with a reason, are counted, and never affect other connections.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { type DataFrame, type ErrorCode, ProtocolError, type ServerToProducerFrame, type StartFrame } from '../../shared/protocol/frames.ts';
import { decodeProducerFrame } from '../../shared/protocol/producer-frames.ts';
import { encodeFrame } from '../../shared/protocol/codec.ts';
import type { ServerOptions } from '../config.ts';
import { SessionArchive } from './archive.ts';
import type { IngestStats } from './stats.ts';

/** What else happens to accepted data: the prediction pipelines (server/predict/). */
export interface IngestHooks {
  /** what the archive of a session holds besides the signals: prediction targets and their rate */
  outputs(start: StartFrame): { rateHz: number; targets: readonly string[] };
  /** a session starts or resumes; throwing a ProtocolError refuses it */
  onStart(start: StartFrame, archive: SessionArchive): { push(frame: DataFrame): void; end(): Promise<void> };
}

interface Live {
  start: StartFrame;
  archive: SessionArchive;
  aeNames: string[];
  socket: WebSocket;
  flushTimer: NodeJS.Timeout | null;
  downstream: { push(frame: DataFrame): void; end(): Promise<void> };
}

function tokenOf(req: FastifyRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice(7);
  const q = (req.query as Record<string, string | undefined>).token;
  return q;
}

/**
 * Register ws /ingest. Returns drain(): ends every session and waits until their pipelines have
 * emitted and archived everything (call it before stopping the inference workers).
 */
export function registerIngest(app: FastifyInstance, opts: ServerOptions, stats: IngestStats, hooks: IngestHooks): { drain(): Promise<void> } {
  const sessions = new Map<string, Live>();

  const send = (socket: WebSocket, frame: ServerToProducerFrame) => {
    if (socket.readyState === socket.OPEN) socket.send(encodeFrame(frame));
  };
  const refuse = (socket: WebSocket, code: ErrorCode, message: string, extra: { session?: string; seq?: number } = {}) => {
    stats.rejected[code] = (stats.rejected[code] ?? 0) + 1;
    send(socket, { type: 'error', code, message, ...extra });
  };
  const flush = (live: Live) => {
    if (live.flushTimer) clearTimeout(live.flushTimer);
    live.flushTimer = null;
    live.archive.flush().then(
      (seq) => {
        if (seq >= 0) send(live.socket, { type: 'ack', session: live.start.session, seq });
      },
      (e: unknown) => app.log.error(e),
    );
  };
  // ending a session: store and acknowledge its data now; let its pipelines drain (their last
  // predictions are archived too), then close its archive
  const draining = new Set<Promise<void>>();
  const release = (live: Live) => {
    flush(live);
    sessions.delete(live.start.session);
    stats.activeSessions = sessions.size;
    const p = live.downstream
      .end()
      .catch((e: unknown) => app.log.error(e))
      .then(() => live.archive.close())
      .catch((e: unknown) => app.log.error(e))
      .finally(() => draining.delete(p));
    draining.add(p);
  };

  const drain = async () => {
    for (const live of [...sessions.values()]) release(live);
    await Promise.all(draining);
  };

  app.get('/ingest', { websocket: true }, (socket, req) => {
    if (tokenOf(req) !== opts.producerToken) {
      refuse(socket, 'unauthorized', 'missing or wrong producer token (Authorization: Bearer TOKEN)');
      socket.close(1008, 'unauthorized');
      return;
    }
    let mine: Live | null = null;

    const onStart = async (f: StartFrame) => {
      const existing = sessions.get(f.session);
      if (existing) {
        // a producer reconnecting after a drop takes its session over from the stale socket
        release(existing);
        if (existing.socket !== socket) existing.socket.close(1000, 'session resumed elsewhere');
      }
      // a resumed session must not reopen its archive while the old pipelines still write to it
      await Promise.all(draining);
      const archive = SessionArchive.open(opts.archiveDir, f, hooks.outputs(f));
      let downstream: Live['downstream'];
      try {
        downstream = hooks.onStart(f, archive);
      } catch (e) {
        await archive.close();
        throw e;
      }
      mine = { start: f, archive, aeNames: archive.aeColumnNames, socket, flushTimer: null, downstream };
      sessions.set(f.session, mine);
      stats.activeSessions = sessions.size;
      // tells the producer where to resume (-1: from the beginning)
      send(socket, { type: 'ack', session: f.session, seq: archive.lastDurableSeq, aeSamples: archive.aeSamples });
    };

    const onData = (live: Live, f: DataFrame) => {
      const last = live.archive.lastAppendedSeq;
      if (f.seq <= last) return refuse(socket, 'duplicate', `frame ${f.seq} is already stored (last ${last}); not stored again`, { session: f.session, seq: f.seq });
      if (f.seq !== last + 1) return refuse(socket, 'out-of-order', `frame ${f.seq} after ${last}; expected ${last + 1}`, { session: f.session, seq: f.seq });
      if (f.ae.length !== live.start.aeChannels.length) return refuse(socket, 'bad-frame', `${f.ae.length} AE channels, the session has ${live.start.aeChannels.length}`, { seq: f.seq });
      const type = live.start.aeType === 'int16' ? Int16Array : Float32Array;
      if (!(f.ae[0] instanceof type)) return refuse(socket, 'bad-frame', `AE arrays must be ${type.name} (the session's aeType)`, { seq: f.seq });
      if (f.aeStartIndex !== live.archive.aeSamples)
        return refuse(socket, 'bad-frame', `aeStartIndex ${f.aeStartIndex}, expected ${live.archive.aeSamples}: AE must be contiguous (a gap needs a new session)`, { seq: f.seq });
      live.archive.append(f, live.aeNames);
      live.downstream.push(f);
      stats.framesAccepted++;
      stats.samplesAccepted += f.ae[0].length * f.ae.length;
      if (!live.flushTimer) live.flushTimer = setTimeout(() => flush(live), opts.flushIntervalMs);
    };

    const handle = async (data: Buffer, isBinary: boolean) => {
      try {
        if (!isBinary) throw new ProtocolError('malformed', 'frames are binary msgpack messages, not text');
        const f = decodeProducerFrame(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
        if (f.type === 'start') return await onStart(f);
        const live: Live | null = mine;
        if (!live || live.start.session !== f.session) throw new ProtocolError('unknown-session', `session ${f.session} was not started on this connection`);
        if (f.type === 'data') return onData(live, f);
        // end: store, acknowledge, close the archive once the pipelines drained
        release(live);
        mine = null;
      } catch (e) {
        if (e instanceof ProtocolError) refuse(socket, e.code, e.message);
        else {
          app.log.error(e);
          refuse(socket, 'internal', (e as Error).message);
        }
      }
    };
    // one frame at a time per connection, in arrival order (a start may wait for a drain)
    let queue = Promise.resolve();
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      queue = queue.then(() => handle(data, isBinary));
    });
    socket.on('error', (e: Error & { code?: string }) => {
      // the ws layer refuses messages over maxFrameBytes (and closes with 1009): count it
      if (e.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') stats.rejected['too-large'] = (stats.rejected['too-large'] ?? 0) + 1;
      else stats.rejected.malformed = (stats.rejected.malformed ?? 0) + 1;
    });
    socket.on('close', () => {
      const live: Live | null = mine;
      if (live && sessions.get(live.start.session) === live) release(live);
    });
  });
  return { drain };
}
