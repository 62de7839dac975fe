/**
 * The inference role: a session's frames from SW_FRAMES through the embedded mode's own session
 * monitor (server/session/monitor.ts: the RxJS prediction pipelines, one per model, and the alert
 * detector), its predictions and alerts to SW_OUT.
 *
 * Exactly once: the pipelines' state (filters, windows, overlap averages) is rebuilt by reading the
 * session from its first frame, and what the session already has in SW_OUT (the last prediction
 * of each target, the last alert) is not published again; the rest is, with message ids, so a
 * publish in flight when a worker died is stored once. Rebuilding costs reading the session again
 * (docs/scale-out.md: checkpoints would bound it).
 */
import { decodeFrame, encodeFrame as encodeOut } from '../shared/protocol/codec.ts';
import type { AlertFrame, DataFrame, PredictionFrame, StartFrame } from '../shared/protocol/frames.ts';
import type { ServingModel } from '../pipeline/pipeline.ts';
import type { AlertingModel } from '../shared/alerts/hazard.ts';
import { H } from '../server/ingest/bus-store.ts';
import { modelsFor, type SessionFrame, SessionPredictor } from '../server/session/monitor.ts';
import { type BusClient, header } from './client.ts';
import { STREAMS, subjects } from './config.ts';
import { Outbox } from './outbox.ts';

/** seconds of AE a session's pipelines may have queued before reading pauses (as ingest's flow control) */
const MAX_BACKLOG_S = 2;
const MAX_OUTBOX = 256;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const alertKey = (a: { alert: { id: number }; event: 'on' | 'off' }) => a.alert.id * 2 + (a.event === 'off' ? 1 : 0);

/** What SW_OUT already holds for a session: the last index predicted per target, the last alert key. */
async function publishedSoFar(bus: BusClient, session: string, targets: string[]) {
  const lastIndex: Record<string, number> = {};
  for (const t of targets) {
    const m = await bus.last(STREAMS.out, subjects.pred(session, t));
    const p = m ? (decodeFrame(m.data) as PredictionFrame) : null;
    lastIndex[t] = p ? p.startIndex + p.mean.length - 1 : -1;
  }
  const a = await bus.last(STREAMS.out, subjects.alert(session));
  return { lastIndex, lastAlert: a ? alertKey(decodeFrame(a.data) as AlertFrame) : -1 };
}

export interface InferenceCounters {
  framesIn: number;
  predictionsOut: number;
  skipped: number;
}

/** The models and the failure forecaster of the embedded mode (server/app.ts loads the same). */
export interface Predictors {
  models: ServingModel[];
  alerting: AlertingModel | null;
}

export async function serveInference(bus: BusClient, { models, alerting }: Predictors, session: string, log: (m: string) => void, counters: InferenceCounters): Promise<void> {
  if (await bus.last(STREAMS.out, subjects.done(session))) return; // served to its end before
  const out = new Outbox(bus, log);
  let predictor: SessionPredictor | null = null;
  let seen = { lastIndex: {} as Record<string, number>, lastAlert: -1 };
  let lastSeq = -1;
  let failed: unknown = null;
  const publish = (f: SessionFrame) => {
    if (f.type === 'prediction') {
      if (f.startIndex + f.mean.length - 1 <= seen.lastIndex[f.target]) return void counters.skipped++;
      counters.predictionsOut++;
      out.send(subjects.pred(session, f.target), encodeOut(f), `${session}:${f.target}:${f.startIndex}`);
    } else if (f.type === 'alert') {
      if (alertKey(f) <= seen.lastAlert) return;
      out.send(subjects.alert(session), encodeOut(f), `${session}:alert:${f.alert.id}:${f.event}`);
    } else bus.nc.publish(subjects.view(session), encodeOut(f)); // views: not stored, for dashboards
  };
  for await (const m of bus.read(STREAMS.frames, subjects.frames(session))) {
    const kind = header(m.headers, H.kind);
    if (kind === 'start' && !predictor) {
      const start = decodeFrame(m.data) as StartFrame;
      seen = await publishedSoFar(bus, session, modelsFor(start, models).map((x) => x.manifest.target));
      predictor = new SessionPredictor(start, models, publish, (e) => (failed ??= e), () => false, alerting);
    } else if (kind === 'data' && predictor) {
      const f = decodeFrame(m.data) as DataFrame;
      if (f.seq <= lastSeq) continue;
      lastSeq = f.seq;
      counters.framesIn++;
      predictor.push(f);
      while (!failed && (predictor.backlogS() > MAX_BACKLOG_S || out.pending > MAX_OUTBOX)) await sleep(5);
    } else if (kind === 'end') break;
    if (failed) throw failed;
  }
  await predictor?.end();
  if (failed) throw failed;
  await out.drained();
  await bus.publish(subjects.done(session), new Uint8Array(0), `${session}:done`);
}
