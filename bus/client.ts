/**
 * A small wrapper of the NATS client for slipwatch: connect (reconnecting forever), create the
 * streams of bus/config.ts, publish with a message id and wait for JetStream's ack, read the last
 * message of a subject, and read a subject from its beginning.
 */
import { connect } from '@nats-io/transport-node';
import { headers as natsHeaders, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';
import { type JetStreamClient, type JetStreamManager, type JsMsg, jetstream, jetstreamManager, type PubAck, type StoredMsg } from '@nats-io/jetstream';
import { streamConfigs } from './config.ts';

export type Headers = Record<string, string>;

export class BusClient {
  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly jsm: JetStreamManager,
  ) {}

  /** Connect to nats://HOST:PORT; the connection retries forever while the server is away. */
  static async connect(url: string, name: string): Promise<BusClient> {
    if (!/^nats:\/\/[^/]+$/.test(url)) throw new Error(`--bus must be nats://HOST:PORT, got ${url}`);
    const nc = await connect({ servers: url.replace(/^nats:\/\//, ''), name, maxReconnectAttempts: -1, reconnectTimeWait: 250, timeout: 5000 }).catch((e: Error) => {
      throw new Error(`cannot reach the bus at ${url}: ${e.message}`);
    });
    const jsm = await jetstreamManager(nc, { timeout: 5000 });
    return new BusClient(nc, jetstream(nc, { timeout: 5000 }), jsm);
  }

  /**
   * Create the streams (or update them to bus/config.ts); idempotent, every process calls it.
   * `replicas` (--replicas) applies when given; otherwise a new stream gets 1 and an existing one
   * keeps its own, so a process started without the flag never shrinks a cluster's streams.
   */
  async ensureStreams(replicas?: number): Promise<void> {
    for (const cfg of streamConfigs(replicas ?? 1)) {
      const info = await this.jsm.streams.info(cfg.name).catch(() => null);
      if (!info) await this.jsm.streams.add(cfg);
      else await this.jsm.streams.update(cfg.name, { ...cfg, num_replicas: replicas ?? info.config.num_replicas });
    }
  }

  /**
   * Publish and wait until JetStream stored it. `lastSubjectSeq` fences: the publish fails unless
   * the subject's last stored message is that one (a stale writer of the session is refused).
   */
  publish(subject: string, data: Uint8Array, msgID: string, hdrs: Headers = {}, lastSubjectSeq?: number): Promise<PubAck> {
    const h = natsHeaders();
    for (const [k, v] of Object.entries(hdrs)) h.set(k, v);
    return this.js.publish(subject, data, { msgID, headers: h, ...(lastSubjectSeq !== undefined ? { expect: { lastSubjectSequence: lastSubjectSeq } } : {}) });
  }

  /** The last stored message of a subject, or null. */
  async last(stream: string, subject: string): Promise<StoredMsg | null> {
    return this.jsm.streams.getMessage(stream, { last_by_subj: subject });
  }

  /**
   * Every message of a subject from its first, then new ones as they come (an ordered consumer:
   * no state on the server, recreated by the client after a server restart).
   */
  async *read(stream: string, subject: string): AsyncGenerator<JsMsg> {
    const consumer = await this.js.consumers.get(stream, { filter_subjects: subject });
    const messages = await consumer.consume({ max_messages: 64 });
    try {
      for await (const m of messages) yield m;
    } finally {
      await messages.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.nc.drain().catch(() => this.nc.close());
  }
}

export function header(h: MsgHdrs | undefined, key: string): string | undefined {
  const v = h?.get(key);
  return v === undefined || v === '' ? undefined : v;
}
