/**
 * The JetStream layout of the bus mode, in one place: subjects, streams (retention, storage,
 * replicas, de-duplication window) and consumers (ack policy, ack wait). docs/scale-out.md explains it.
 *
 *   SW_FRAMES  sw.frames.<session>     start, data and end messages of a session, in order
 *              (Nats-Msg-Id <session>:<seq>: a resent frame is stored once)
 *   SW_COND    sw.cond.<session>       the conditioning role's output, one message per data frame:
 *              each model's (and the forecaster's) envelope at its rate, and the frame's friction
 *              (Nats-Msg-Id <session>:cond:<seq>); bus/messages.ts
 *   SW_OUT     sw.out.<session>.pred.<target>, sw.out.<session>.alert, sw.out.<session>.done.<role>
 *              (Nats-Msg-Id <session>:<target>:<startIndex>, <session>:alert:<id>:<event>)
 *   SW_CLAIMS  sw.claim.<role>.<session>   one message per session and role: the work item a
 *              worker of that role holds (unacked, kept alive) while it serves the session
 *   sw.view.<session>   core NATS (not stored): envelope, nowcasts, tiles, forecasts, measured
 *              friction and slips for the dashboard gateways
 */
import { AckPolicy, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType, type ConsumerConfig, type StreamConfig } from '@nats-io/jetstream';

export const STREAMS = { frames: 'SW_FRAMES', cond: 'SW_COND', out: 'SW_OUT', claims: 'SW_CLAIMS' } as const;

/** Roles that take sessions from SW_CLAIMS (the gateway publishes one claim per role and session). */
export const CLAIM_ROLES = ['conditioning', 'inference', 'alerts', 'archive'] as const;
export type ClaimRole = (typeof CLAIM_ROLES)[number];
/** Roles that end a session's outputs in SW_OUT with a done marker (the archive reads until both). */
export const OUTPUT_ROLES = ['inference', 'alerts'] as const;

const NS = 1e9;
/** a resent frame within this window is recognised by its message id (the gateway also checks seq) */
export const DUPLICATE_WINDOW_S = 120;
/** a claim not kept alive this long goes to another worker (a killed worker's sessions move on) */
export const CLAIM_ACK_WAIT_S = 6;
/** how often a worker says it is still serving its claims */
export const CLAIM_HEARTBEAT_MS = 2000;
/** stream replicas: 1 on one nats-server; 3 on a 3-node cluster (survives the loss of one machine) */
export const REPLICA_CHOICES = [1, 3, 5] as const;
export const REPLICAS_DOC = 'JetStream stream replicas: 1 on one nats-server (default), 3 on a 3-node cluster; applied when the process creates or updates the streams';

/** A session name as one subject token: names may hold dots, which separate subject tokens. */
export function sessionToken(session: string): string {
  return session.replaceAll('.', '%2E');
}

export const subjects = {
  frames: (session: string) => `sw.frames.${sessionToken(session)}`,
  cond: (session: string) => `sw.cond.${sessionToken(session)}`,
  pred: (session: string, target: string) => `sw.out.${sessionToken(session)}.pred.${target}`,
  alert: (session: string) => `sw.out.${sessionToken(session)}.alert`,
  done: (session: string, role: (typeof OUTPUT_ROLES)[number]) => `sw.out.${sessionToken(session)}.done.${role}`,
  out: (session: string) => `sw.out.${sessionToken(session)}.>`,
  allOut: 'sw.out.>',
  claim: (role: ClaimRole, session: string) => `sw.claim.${role}.${sessionToken(session)}`,
  view: (session: string) => `sw.view.${sessionToken(session)}`,
  views: 'sw.view.*',
};

/** Stream settings; `replicas` is 1 on one server, 3 on a 3-node cluster (docs/scale-out.md). */
export function streamConfigs(replicas = 1, maxAgeS = 7 * 24 * 3600): (Partial<StreamConfig> & { name: string })[] {
  const common = { storage: StorageType.File, num_replicas: replicas, duplicate_window: DUPLICATE_WINDOW_S * NS };
  const limits = { ...common, retention: RetentionPolicy.Limits, discard: DiscardPolicy.Old, max_age: maxAgeS * NS };
  return [
    // limits retention: every role reads every frame; kept max_age (archived by then), the oldest go first
    { ...limits, name: STREAMS.frames, subjects: ['sw.frames.*'] },
    // the envelopes: ~1/(AE rate / model rate) of the frames' size; re-read by a worker taking a session over
    { ...limits, name: STREAMS.cond, subjects: ['sw.cond.*'] },
    { ...limits, name: STREAMS.out, subjects: ['sw.out.*.>'] },
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
