/**
 * How the workers of one role share sessions: each session has one claim message per role in
 * SW_CLAIMS (a work queue); a worker pulls claims while it has room, keeps each alive (in-progress
 * acks) while it serves the session, and acks it when the session is done. A killed worker stops
 * keeping its claims alive, so after CLAIM_ACK_WAIT_S JetStream redelivers them to a worker of the
 * role (the restarted one, or another), which resumes the session.
 */
import type { Consumer, JsMsg } from '@nats-io/jetstream';
import type { BusClient } from './client.ts';
import { CLAIM_HEARTBEAT_MS, claimConsumer, type ClaimRole, STREAMS } from './config.ts';

export type ServeSession = (session: string) => Promise<void>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const FETCH_EXPIRES_MS = 1000;
const CONSUMER_REFRESH_MS = 10_000;

async function ensureConsumer(bus: BusClient, role: ClaimRole, maxSessions: number): Promise<void> {
  const cfg = claimConsumer(role, maxSessions);
  try {
    await bus.jsm.consumers.add(STREAMS.claims, cfg);
  } catch {
    await bus.jsm.consumers.update(STREAMS.claims, cfg.durable_name!, cfg);
  }
}

/** A value, or null once ms passed without one. */
function within<T>(p: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((r) => (timer = setTimeout(() => r(null), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Up to `room` claims, waiting at most about FETCH_EXPIRES_MS. Every step has its own deadline: a
 * pull pending while the server restarts may never be answered (heartbeats pause while the client
 * is disconnected), and a worker stuck there would never see new claims.
 */
async function fetchClaims(consumer: Consumer, room: number): Promise<{ claims: JsMsg[]; stuck: boolean }> {
  const deadline = FETCH_EXPIRES_MS + 4000;
  const batch = await within(consumer.fetch({ max_messages: room, expires: FETCH_EXPIRES_MS }), deadline);
  if (!batch) return { claims: [], stuck: true };
  const it = batch[Symbol.asyncIterator]();
  const claims: JsMsg[] = [];
  const t0 = Date.now();
  for (;;) {
    const r = await within(it.next(), Math.max(1, deadline - (Date.now() - t0)));
    if (!r) return batch.stop(), { claims, stuck: true };
    if (r.done) break;
    claims.push(r.value);
  }
  batch.stop();
  return { claims, stuck: false };
}

/**
 * Serve the role's sessions, at most maxSessions at once, until stop() is called; stop() hands
 * the sessions still held back to the role at once (nak) instead of waiting for the ack wait.
 */
export async function serveClaims(bus: BusClient, role: ClaimRole, maxSessions: number, serve: ServeSession, log: (m: string) => void): Promise<{ stop(): Promise<void>; served: () => number }> {
  await ensureConsumer(bus, role, maxSessions);
  const name = claimConsumer(role, maxSessions).durable_name!;
  let consumer = await bus.js.consumers.get(STREAMS.claims, name);
  let consumerAt = Date.now();
  const held = new Set<JsMsg>();
  let stopping = false;
  let served = 0;
  const heartbeat = setInterval(() => {
    for (const m of held) m.working();
  }, CLAIM_HEARTBEAT_MS);
  const run = async (m: JsMsg) => {
    const session = new TextDecoder().decode(m.data);
    held.add(m);
    try {
      await serve(session);
      if (stopping) return;
      // an ack lost to a server restart would leave the claim to be redelivered: ack until JetStream confirms
      for (let i = 0; i < 100 && !(await m.ackAck().catch(() => false)); i++) await sleep(200);
      served++;
      log(`${role}: session ${session} done`);
    } catch (e) {
      log(`${role}: session ${session} failed, handed back: ${(e as Error).message}`);
      m.nak(1000);
    } finally {
      held.delete(m);
    }
  };
  const loop = (async () => {
    while (!stopping) {
      const room = maxSessions - held.size;
      if (room <= 0) {
        await sleep(100);
        continue;
      }
      try {
        const { claims, stuck } = await fetchClaims(consumer, room);
        for (const m of claims) void run(m);
        // a pull interrupted by a server restart can leave the consumer handle deaf: take a new one then, and now and again
        if (stuck || Date.now() - consumerAt > CONSUMER_REFRESH_MS) {
          consumer = await bus.js.consumers.get(STREAMS.claims, name);
          consumerAt = Date.now();
        }
      } catch (e) {
        if (!stopping) log(`${role}: fetching claims failed (${(e as Error).message}); retrying`);
        await sleep(500);
      }
    }
  })();
  return {
    served: () => served,
    async stop() {
      stopping = true;
      clearInterval(heartbeat);
      for (const m of held) m.nak();
      await loop;
    },
  };
}
