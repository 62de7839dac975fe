/**
 * The JetStream layout of the bus mode, in one place: subjects, streams (retention, storage,
 * de-duplication window) and consumers (ack policy, ack wait). docs/scale-out.md explains it.
 *
 *   SW_FRAMES  sw.frames.<session>     start, data and end messages of a session, in order
 *              (Nats-Msg-Id <session>:<seq>: a resent frame is stored once)
 *   SW_OUT     sw.out.<session>.pred.<target>, sw.out.<session>.alert, sw.out.<session>.done
 *              (Nats-Msg-Id <session>:<target>:<startIndex>, <session>:alert:<id>:<event>)
 *   SW_CLAIMS  sw.claim.<role>.<session>   one message per session and role: the work item a
 *              worker of that role holds (unacked, kept alive) while it serves the session
 *   sw.view.<session>   core NATS (not stored): envelope and tiles for dashboards
 */
import { AckPolicy, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType, type ConsumerConfig, type StreamConfig } from '@nats-io/jetstream';

export const STREAMS = { frames: 'SW_FRAMES', out: 'SW_OUT', claims: 'SW_CLAIMS' } as const;

/** Roles that take sessions from SW_CLAIMS (the gateway publishes one claim per role and session). */
export const CLAIM_ROLES = ['inference', 'archive'] as const;
export type ClaimRole = (typeof CLAIM_ROLES)[number];

const NS = 1e9;
/** a resent frame within this window is recognised by its message id (the gateway also checks seq) */
export const DUPLICATE_WINDOW_S = 120;
/** a claim not kept alive this long goes to another worker (a killed worker's sessions move on) */
export const CLAIM_ACK_WAIT_S = 6;
/** how often a worker says it is still serving its claims */
export const CLAIM_HEARTBEAT_MS = 2000;

/** A session name as one subject token: names may hold dots, which separate subject tokens. */
export function sessionToken(session: string): string {
  return session.replaceAll('.', '%2E');
}

export const subjects = {
  frames: (session: string) => `sw.frames.${sessionToken(session)}`,
  pred: (session: string, target: string) => `sw.out.${sessionToken(session)}.pred.${target}`,
  alert: (session: string) => `sw.out.${sessionToken(session)}.alert`,
  done: (session: string) => `sw.out.${sessionToken(session)}.done`,
  out: (session: string) => `sw.out.${sessionToken(session)}.>`,
  claim: (role: ClaimRole, session: string) => `sw.claim.${role}.${sessionToken(session)}`,
  view: (session: string) => `sw.view.${sessionToken(session)}`,
  views: 'sw.view.*',
};

/** Stream settings; `replicas` is 1 on one server, 3 on a 3-node cluster (docs/scale-out.md). */
export function streamConfigs(replicas = 1, maxAgeS = 7 * 24 * 3600): (Partial<StreamConfig> & { name: string })[] {
  const common = { storage: StorageType.File, num_replicas: replicas, duplicate_window: DUPLICATE_WINDOW_S * NS };
  return [
    // limits retention: every role reads every frame; kept max_age (archived by then), the oldest go first
    { ...common, name: STREAMS.frames, subjects: ['sw.frames.*'], retention: RetentionPolicy.Limits, discard: DiscardPolicy.Old, max_age: maxAgeS * NS },
    { ...common, name: STREAMS.out, subjects: ['sw.out.*.>'], retention: RetentionPolicy.Limits, discard: DiscardPolicy.Old, max_age: maxAgeS * NS },
    // work queue: a claim is deleted once acked (its session is served to the end)
    { ...common, name: STREAMS.claims, subjects: ['sw.claim.*.*'], retention: RetentionPolicy.Workqueue, discard: DiscardPolicy.New },
  ];
}

/** The durable consumer that shares a role's sessions among its workers (explicit acks, redelivery). */
export function claimConsumer(role: ClaimRole, maxSessionsPerWorker: number): Partial<ConsumerConfig> {
  return {
    durable_name: `claims-${role}`,
    filter_subject: `sw.claim.${role}.*`,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: CLAIM_ACK_WAIT_S * NS,
    max_deliver: -1,
    // the consumer as a whole: every worker's sessions together
    max_ack_pending: Math.max(1000, maxSessionsPerWorker),
  };
}
