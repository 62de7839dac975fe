/** What the bus and the archives hold for a session, read back for the checks. */
import { BusClient, header } from '../../bus/client.ts';
import { OUTPUT_ROLES, STREAMS, subjects } from '../../bus/config.ts';
import { decodeCond } from '../../bus/messages.ts';
import { H } from '../../server/ingest/bus-store.ts';
import { openRecording, readRecordingStream } from '../../recording/recording.ts';
import { decodeFrame } from '../../shared/protocol/codec.ts';
import type { AlertFrame, DataFrame, PredictionFrame } from '../../shared/protocol/frames.ts';

export interface Series {
  index: number[];
  mean: number[];
}

/** The data frames' sequence numbers in SW_FRAMES, in stream order, up to the session's end. */
export async function framesOfSession(bus: BusClient, session: string): Promise<number[]> {
  const seqs: number[] = [];
  for await (const m of bus.read(STREAMS.frames, subjects.frames(session))) {
    const kind = header(m.headers, H.kind);
    if (kind === 'data') seqs.push((decodeFrame(m.data) as DataFrame).seq);
    if (kind === 'end') break;
  }
  return seqs;
}

/** The data frames' sequence numbers in SW_COND (the conditioning role's output), up to its end. */
export async function conditionedFrames(bus: BusClient, session: string): Promise<number[]> {
  const seqs: number[] = [];
  for await (const m of bus.read(STREAMS.cond, subjects.cond(session))) {
    const c = decodeCond(m.data);
    if (c.type === 'chunk') seqs.push(c.seq);
    if (c.type === 'end') break;
  }
  return seqs;
}

/** Predictions sample by sample and alert keys in SW_OUT, up to the inference and alerts roles' done markers. */
export async function outputsOfSession(bus: BusClient, session: string): Promise<{ friction: Series; ttf: Series; alerts: string[] }> {
  const out = { friction: { index: [], mean: [] } as Series, ttf: { index: [], mean: [] } as Series, alerts: [] as string[] };
  const pendingDone = new Set(OUTPUT_ROLES.map((role) => subjects.done(session, role)));
  for await (const m of bus.read(STREAMS.out, subjects.out(session))) {
    if (pendingDone.delete(m.subject)) {
      if (pendingDone.size === 0) break;
      continue;
    }
    const f = decodeFrame(m.data) as PredictionFrame | AlertFrame;
    if (f.type === 'alert') out.alerts.push(`${f.alert.id}:${f.event}`);
    else {
      const s = out[f.target as 'friction' | 'ttf'];
      f.mean.forEach((v, k) => (s.index.push(f.startIndex + k), s.mean.push(v)));
    }
  }
  return out;
}

/** A session archive's frames index, predictions and alerts. */
export async function archivedPredictions(dir: string): Promise<{ frameSeqs: number[]; friction: Series; ttf: Series; alerts: string[] }> {
  const rec = await openRecording(dir);
  const col = async (stream: string, name: string) => {
    const v: number[] = [];
    // frames and alerts are sample streams, or event streams where the recording format has them
    if (!rec.meta.streams[stream] && !(rec.meta as { events?: Record<string, unknown> }).events?.[stream]) return v;
    for await (const b of readRecordingStream(rec, stream)) v.push(...Array.from(b.columns[name] as ArrayLike<number>, Number));
    return v;
  };
  const ids = await col('alerts', 'alert_id');
  const on = await col('alerts', 'is_on');
  return {
    frameSeqs: await col('frames', 'seq'),
    friction: { index: await col('pred_friction', 'index'), mean: await col('pred_friction', 'mean') },
    ttf: { index: await col('pred_ttf', 'index'), mean: await col('pred_ttf', 'mean') },
    alerts: ids.map((id, k) => `${id}:${on[k] ? 'on' : 'off'}`),
  };
}
