/**
 * The bus mode's session store: a session's frames go to JetStream (SW_FRAMES, file storage), one
 * publish at a time in order, and a frame counts as stored once JetStream acknowledged it. Every
 * message carries the session's position in headers, so a gateway (this one after a restart, or
 * another) resumes a session from its last stored message. Each publish expects the subject's
 * last sequence to be the one this store wrote: a stale holder on another gateway is refused.
 */
import { createHash } from 'node:crypto';
import { type DataFrame, type EndFrame, ProtocolError, type StartFrame } from '../../shared/protocol/frames.ts';
import { encodeFrame } from '../../shared/protocol/codec.ts';
import { type BusClient, header } from '../../bus/client.ts';
import { CLAIM_ROLES, STREAMS, subjects } from '../../bus/config.ts';
import type { Outputs } from './archive.ts';
import { streamsFor } from './archive-streams.ts';
import type { SessionStore } from './store.ts';

/** Headers of every SW_FRAMES message: what it is and where the session stands after it. */
export const H = { kind: 'sw-kind', seq: 'sw-seq', aeEnd: 'sw-ae-end', mechEnd: 'sw-mech-end', key: 'sw-start-key', outputs: 'sw-outputs' } as const;

/** What must not change when a session resumes: its channels, rates and experiment. */
function startKey(start: StartFrame, outputs: Outputs): string {
  return createHash('sha256').update(JSON.stringify([start.experimentId, streamsFor(start, outputs)])).digest('hex').slice(0, 32);
}

function busError(e: unknown, doing: string): ProtocolError {
  if (e instanceof ProtocolError) return e;
  return new ProtocolError('storage', `the bus did not store ${doing}: ${(e as Error).message}`);
}

export class BusSessionStore implements SessionStore {
  failure: ProtocolError | null = null;
  private appendedSeq: number;
  private durableSeq: number;
  private aeEnd: number;
  private mechEnd: number;
  private ended: boolean;
  private chain: Promise<number>;

  private constructor(
    private readonly bus: BusClient,
    private readonly start: StartFrame,
    readonly aeColumnNames: string[],
    private readonly key: string,
    at: { seq: number; aeEnd: number; mechEnd: number; subjectSeq: number | undefined; ended: boolean },
  ) {
    this.appendedSeq = this.durableSeq = at.seq;
    this.aeEnd = at.aeEnd;
    this.mechEnd = at.mechEnd;
    this.ended = at.ended;
    this.subjectSeq = at.subjectSeq;
    this.chain = Promise.resolve(at.seq);
  }

  /** the stream sequence of this session's last message (the next publish expects it) */
  private subjectSeq: number | undefined;

  /** Open a session: resume from its last message, store the start, make sure its workers have it. */
  static async open(bus: BusClient, start: StartFrame, outputs: Outputs): Promise<BusSessionStore> {
    const subject = subjects.frames(start.session);
    const key = startKey(start, outputs);
    const last = await bus.last(STREAMS.frames, subject).catch((e: unknown) => {
      throw busError(e, `the start of session ${start.session} (reading where it stands)`);
    });
    if (last && header(last.header, H.key) !== key)
      throw new ProtocolError('bad-frame', `session ${start.session} exists with other channels, rates or experiment; start a new session`);
    const at = last
      ? { seq: Number(header(last.header, H.seq)), aeEnd: Number(header(last.header, H.aeEnd)), mechEnd: Number(header(last.header, H.mechEnd)), subjectSeq: last.seq, ended: header(last.header, H.kind) === 'end' }
      : { seq: -1, aeEnd: 0, mechEnd: 0, subjectSeq: undefined, ended: false };
    const names = streamsFor(start, outputs).ae.columns.map((c) => c.name);
    const store = new BusSessionStore(bus, start, names, key, at);
    if (at.ended) return store; // a producer resuming after its end: nothing more to store
    try {
      await store.put('start', encodeFrame(start), `${start.session}:start:${at.seq + 1}`, { [H.outputs]: JSON.stringify(outputs) });
      await store.ensureClaims();
    } catch (e) {
      throw busError(e, `the start of session ${start.session}`);
    }
    return store;
  }

  /** Each role's claim on the session, unless one is pending (a worker holds it) already. */
  private async ensureClaims(): Promise<void> {
    for (const role of CLAIM_ROLES) {
      const subject = subjects.claim(role, this.start.session);
      if (await this.bus.last(STREAMS.claims, subject)) continue;
      await this.bus.publish(subject, new TextEncoder().encode(this.start.session), `claim:${role}:${this.start.session}:${this.subjectSeq}`);
    }
  }

  private async put(kind: 'start' | 'data' | 'end', bytes: Uint8Array, msgID: string, extra: Record<string, string> = {}, at = { seq: this.appendedSeq, ae: this.aeEnd, mech: this.mechEnd }): Promise<void> {
    const hdrs = { [H.kind]: kind, [H.seq]: String(at.seq), [H.aeEnd]: String(at.ae), [H.mechEnd]: String(at.mech), [H.key]: this.key, ...extra };
    const ack = await this.bus.publish(subjects.frames(this.start.session), bytes, msgID, hdrs, this.subjectSeq);
    // a duplicate is a frame stored before (a resend): the subject's last message is unchanged
    if (!ack.duplicate) this.subjectSeq = ack.seq;
  }

  get lastAppendedSeq(): number {
    return this.appendedSeq;
  }
  get lastDurableSeq(): number {
    return this.durableSeq;
  }
  get aeSamples(): number {
    return this.aeEnd;
  }
  get mechSamples(): number {
    return this.mechEnd;
  }

  /** Queue a validated frame for publishing (in order; stored once flush() resolves past it). */
  append(frame: DataFrame): void {
    if (this.failure) throw this.failure;
    if (this.ended) throw new ProtocolError('bad-frame', `session ${this.start.session} has ended; start a new session for more data`);
    this.aeEnd += frame.ae[0].length;
    if (frame.mech) this.mechEnd += Object.values(frame.mech.values)[0]?.length ?? 0;
    this.appendedSeq = frame.seq;
    const at = { seq: frame.seq, ae: this.aeEnd, mech: this.mechEnd };
    this.enqueue(() => this.put('data', encodeFrame(frame), `${this.start.session}:${frame.seq}`, {}, at), `frame ${frame.seq}`, frame.seq);
  }

  markEnded(): void {
    if (this.ended || this.failure) return;
    this.ended = true;
    const end: EndFrame = { type: 'end', session: this.start.session, seq: this.appendedSeq };
    this.enqueue(() => this.put('end', encodeFrame(end), `${this.start.session}:end`), 'the end of the session', this.appendedSeq);
  }

  private enqueue(op: () => Promise<void>, what: string, seq: number): void {
    this.chain = this.chain.then(async () => {
      if (this.failure) throw this.failure;
      try {
        await op();
      } catch (e) {
        this.failure ??= busError(e, what);
        throw this.failure;
      }
      this.durableSeq = seq;
      return seq;
    });
    this.chain.catch(() => undefined);
  }

  flush(): Promise<number> {
    return this.chain;
  }

  async close(): Promise<void> {
    await this.chain.catch(() => undefined);
  }
}
