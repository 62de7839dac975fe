/**
 * The conditioning role: a session's raw AE from SW_FRAMES through the pipeline's own `condition`
 * operator (pipeline/condition.ts), once per conditioned series the session needs (each model's
 * mode and rate, and the failure forecaster's envelope), to SW_COND at the model rate: one
 * message per data frame, with the frame's friction, for the inference and alerts roles.
 *
 * Exactly once: the conditioners' state (filters) is rebuilt by reading the session from its first
 * frame; only frames past the last one already in SW_COND are published, with message ids, so a
 * publish in flight when a worker died is stored once (docs/scale-out.md: why re-read).
 */
import { Subject } from 'rxjs';
import { decodeFrame } from '../shared/protocol/codec.ts';
import type { DataFrame, StartFrame } from '../shared/protocol/frames.ts';
import type { ConditionConfig, ConditionedChunk } from '../shared/signal/condition.ts';
import type { AlertingModel } from '../shared/alerts/hazard.ts';
import { condition } from '../pipeline/condition.ts';
import { conditionConfig, type RawChunk, type ServingModel } from '../pipeline/pipeline.ts';
import { H } from '../server/ingest/bus-store.ts';
import { modelsFor } from '../server/session/monitor.ts';
import { type BusClient, header } from './client.ts';
import { STREAMS, subjects } from './config.ts';
import { type CondChunk, conditionKey, decodeCond, encodeCond } from './messages.ts';
import { Outbox } from './outbox.ts';

const MAX_OUTBOX = 256;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The conditioned series a session needs: one per distinct mode and rate among its models and the forecaster. */
export function conditionConfigs(start: StartFrame, models: ServingModel[], alerting: AlertingModel | null): Map<string, ConditionConfig> {
  const channelScales = start.aeChannels.map((c) => c.scale);
  const configs = modelsFor(start, models).map((model) => conditionConfig({ aeRateHz: start.aeRateHz, channelScales, model }));
  // the forecaster's own envelope (server/session/alerting.ts conditions the same way)
  if (alerting) configs.push({ inputRateHz: start.aeRateHz, outputRateHz: alerting.features.rateHz, mode: 'envelope', channels: channelScales.length, channelScales });
  return new Map(configs.map((c) => [conditionKey(c), c]));
}

/** The `condition` operator behind a synchronous push: a raw chunk in, its conditioned chunks out. */
function conditionerOf(config: ConditionConfig): { push: (c: RawChunk) => ConditionedChunk[] } {
  const input = new Subject<RawChunk>();
  let out: ConditionedChunk[] = [];
  input.pipe(condition(config)).subscribe((c) => out.push(c));
  return {
    push: (c) => {
      out = [];
      input.next(c);
      return out;
    },
  };
}

export interface ConditioningCounters {
  framesConditioned: number;
  condOut: number;
}

/** The seq of the last frame this session has in SW_COND, and whether its end is there. */
async function conditionedSoFar(bus: BusClient, session: string): Promise<{ lastSeq: number; ended: boolean; started: boolean }> {
  const m = await bus.last(STREAMS.cond, subjects.cond(session));
  if (!m) return { lastSeq: -1, ended: false, started: false };
  const c = decodeCond(m.data);
  return { lastSeq: c.type === 'start' ? -1 : c.seq, ended: c.type === 'end', started: true };
}

export async function serveConditioning(bus: BusClient, { models, alerting }: { models: ServingModel[]; alerting: AlertingModel | null }, session: string, log: (m: string) => void, counters: ConditioningCounters): Promise<void> {
  const seen = await conditionedSoFar(bus, session);
  if (seen.ended) return;
  const out = new Outbox(bus, log);
  const subject = subjects.cond(session);
  let conditioners: Map<string, ReturnType<typeof conditionerOf>> | null = null;
  let lastSeq = -1;
  for await (const m of bus.read(STREAMS.frames, subjects.frames(session))) {
    const kind = header(m.headers, H.kind);
    if (kind === 'start' && !conditioners) {
      const start = decodeFrame(m.data) as StartFrame;
      const configs = conditionConfigs(start, models, alerting);
      conditioners = new Map([...configs].map(([k, c]) => [k, conditionerOf(c)]));
      if (!seen.started) out.send(subject, encodeCond({ type: 'start', start, keys: [...configs.keys()] }), `${session}:cond:start`);
    } else if (kind === 'data' && conditioners) {
      const f = decodeFrame(m.data) as DataFrame;
      if (f.seq <= lastSeq) continue;
      lastSeq = f.seq;
      const raw = { startIndex: f.aeStartIndex, channels: f.ae };
      const parts: CondChunk['parts'] = {};
      for (const [k, c] of conditioners) parts[k] = c.push(raw);
      counters.framesConditioned++;
      if (f.seq <= seen.lastSeq) continue; // published before this worker took the session: state only
      const mu = f.mech?.values.mu;
      const msg: CondChunk = { type: 'chunk', seq: f.seq, aeEnd: f.aeStartIndex + f.ae[0].length, parts, ...(mu ? { mu: { startIndex: f.mech!.startIndex, values: mu } } : {}) };
      out.send(subject, encodeCond(msg), `${session}:cond:${f.seq}`);
      counters.condOut++;
      while (out.pending > MAX_OUTBOX) await sleep(5);
    } else if (kind === 'end') break;
  }
  out.send(subject, encodeCond({ type: 'end', seq: lastSeq }), `${session}:cond:end`);
  await out.drained();
}
