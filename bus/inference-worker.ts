/**
 * The inference role: a session's conditioned AE from SW_COND (the conditioning role's output)
 * through the embedded mode's prediction pipeline after its condition step (pipeline/pipeline.ts:
 * conditionedPipeline: windows -> scalograms -> batched inference -> nowcast and overlap average),
 * one per model; predictions to SW_OUT, nowcasts and tiles to the dashboards' view subject.
 *
 * Exactly once, resuming where the last worker stopped: SW_OUT's last prediction of each target is
 * the checkpoint. The pipelines' only state is the last window and the overlap average of the
 * windows covering a sample, so a worker taking a session over reads its conditioned series (the
 * model rate: 1/100 of 10 kHz AE, 1/40,000 of 4 MHz) but feeds the pipeline only from the window-grid
 * point one window before that checkpoint (resumeIndex): no inference is repeated for what was
 * published, and every sample after the checkpoint is averaged over exactly the windows it was
 * before. Publishes carry message ids, so one in flight when a worker died is stored once.
 */
import { Subject } from 'rxjs';
import { decodeFrame, encodeFrame } from '../shared/protocol/codec.ts';
import type { PredictionFrame, StartFrame } from '../shared/protocol/frames.ts';
import type { ConditionedChunk } from '../shared/signal/condition.ts';
import { quantizeTile } from '../shared/tiles.ts';
import { windowGeometry } from '../shared/signal/window-preset.ts';
import { conditionConfig, conditionedPipeline, type InferStats, type ServingModel } from '../pipeline/pipeline.ts';
import type { SessionFrame } from '../server/session/monitor.ts';
import { modelsFor } from '../server/session/monitor.ts';
import type { BusClient } from './client.ts';
import { STREAMS, subjects } from './config.ts';
import { conditionKey, decodeCond } from './messages.ts';
import { Outbox } from './outbox.ts';

/** seconds of model-rate windows queued for inference before reading pauses */
const MAX_BACKLOG_S = 2;
const MAX_OUTBOX = 256;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const alertKey = (a: { alert: { id: number }; event: 'on' | 'off' }) => a.alert.id * 2 + (a.event === 'off' ? 1 : 0);

/** The last index SW_OUT holds per target (-1: none). */
async function predictedSoFar(bus: BusClient, session: string, targets: string[]): Promise<Record<string, number>> {
  const lastIndex: Record<string, number> = {};
  for (const t of targets) {
    const m = await bus.last(STREAMS.out, subjects.pred(session, t));
    const p = m ? (decodeFrame(m.data) as PredictionFrame) : null;
    lastIndex[t] = p ? p.startIndex + p.mean.length - 1 : -1;
  }
  return lastIndex;
}

export interface InferenceCounters {
  condIn: number;
  predictionsOut: number;
  skipped: number;
}

/**
 * The first model-rate index a worker taking over must feed, on the window grid: every window
 * covering a sample after lastIndex starts at or after it. 0 when nothing was published.
 */
export function resumeIndex(lastIndex: number, windowSamples: number, stepSamples: number): number {
  if (lastIndex < 0) return 0;
  return Math.max(0, Math.floor((lastIndex + 1 - windowSamples) / stepSamples) * stepSamples);
}

/** A conditioned chunk cut to what lies at or after `from` (null: nothing does). */
export function fromIndex(c: ConditionedChunk, from: number): ConditionedChunk | null {
  if (c.kind === 'gap') return c.toIndex > from ? c : null;
  const end = c.startIndex + c.values.length;
  if (end <= from) return null;
  return c.startIndex >= from ? c : { kind: 'samples', startIndex: from, values: c.values.subarray(from - c.startIndex) };
}

interface ModelRun {
  /** feed from this model-rate index on (a worker taking the session over) */
  from: number;
  key: string;
  input: Subject<ConditionedChunk>;
  stats: InferStats;
  stepS: number;
  rateHz: number;
  done: Promise<void>;
}

/** One model's pipeline on the session's conditioned series of its key; frames to publish. */
function runModel(start: StartFrame, model: ServingModel, first: boolean, lastIndex: number, publish: (f: SessionFrame) => void, onError: (e: unknown) => void): ModelRun {
  const session = start.session;
  const { target, preset } = model.manifest;
  const rateHz = preset.sampleRateHz;
  const stats: InferStats = { windowsIn: 0, windowsOut: 0, batches: 0, queued: 0, maxQueued: 0 };
  const input = new Subject<ConditionedChunk>();
  const pipeline = conditionedPipeline({
    model,
    stats,
    onNowcast: (n) => publish({ type: 'nowcast', session, target, startIndex: n.startIndex, rateHz, values: n.values }),
    // the dashboard's views, as the embedded monitor makes them: the input tile from the first model, the friction model's predicted one
    taps: {
      inputTile: first ? (startIndex, tile) => publish({ type: 'tile', session, of: 'input', startIndex, rateHz, data: quantizeTile(tile) }) : undefined,
      outputTile: target === 'friction' ? (startIndex, tile) => publish({ type: 'tile', session, of: 'friction', startIndex, rateHz, data: quantizeTile(tile) }) : undefined,
    },
  });
  const done = new Promise<void>((resolve) =>
    input.pipe(pipeline).subscribe({
      next: (avg) => publish({ type: 'prediction', session, target, startIndex: avg.startIndex, rateHz, mean: avg.mean, std: avg.std }),
      complete: resolve,
      error: (e) => (onError(e), resolve()),
    }),
  );
  const key = conditionKey(conditionConfig({ aeRateHz: start.aeRateHz, channelScales: start.aeChannels.map((c) => c.scale), model }));
  const { windowSamples, stepSamples } = windowGeometry(preset);
  return { from: resumeIndex(lastIndex, windowSamples, stepSamples), key, input, stats, stepS: preset.stepS, rateHz, done };
}

export async function serveInference(bus: BusClient, models: ServingModel[], session: string, log: (m: string) => void, counters: InferenceCounters): Promise<void> {
  if (await bus.last(STREAMS.out, subjects.done(session, 'inference'))) return; // served to its end before
  const out = new Outbox(bus, log);
  let runs: ModelRun[] = [];
  let lastIndex: Record<string, number> = {};
  let failed: unknown = null;
  const publish = (f: SessionFrame) => {
    if (f.type === 'prediction') {
      if (f.startIndex + f.mean.length - 1 <= lastIndex[f.target]) return void counters.skipped++;
      counters.predictionsOut++;
      out.send(subjects.pred(session, f.target), encodeFrame(f), `${session}:${f.target}:${f.startIndex}`);
    } else if ('startIndex' in f && f.startIndex <= Math.min(...Object.values(lastIndex))) return; // views of what a previous worker showed
    else bus.nc.publish(subjects.view(session), encodeFrame(f)); // views: not stored, for dashboards
  };
  const backlogS = () => Math.max(0, ...runs.map((r) => r.stats.queued * r.stepS));
  for await (const m of bus.read(STREAMS.cond, subjects.cond(session))) {
    const c = decodeCond(m.data);
    if (c.type === 'start' && !runs.length) {
      const usable = modelsFor(c.start, models);
      lastIndex = await predictedSoFar(bus, session, usable.map((x) => x.manifest.target));
      runs = usable.map((model, k) => runModel(c.start, model, k === 0, lastIndex[model.manifest.target], publish, (e) => (failed ??= e)));
      if (runs.some((r) => r.from > 0)) log(`inference: session ${session} resumes at model-rate index ${runs.map((r) => r.from).join(', ')}`);
    } else if (c.type === 'chunk' && runs.length) {
      counters.condIn++;
      for (const r of runs)
        for (const chunk of c.parts[r.key] ?? []) {
          const fed = fromIndex(chunk, r.from);
          if (fed) r.input.next(fed);
        }
      // the envelope view: the first model's conditioned input, as the embedded monitor shows it
      const rateHz = runs[0].rateHz;
      for (const e of c.parts[runs[0].key] ?? []) if (e.kind === 'samples') publish({ type: 'envelope', session, startIndex: e.startIndex, rateHz, values: e.values });
      while (!failed && (backlogS() > MAX_BACKLOG_S || out.pending > MAX_OUTBOX)) await sleep(5);
    } else if (c.type === 'end') break;
    if (failed) throw failed;
  }
  for (const r of runs) r.input.complete();
  await Promise.all(runs.map((r) => r.done));
  if (failed) throw failed;
  await out.drained();
  await bus.publish(subjects.done(session, 'inference'), new Uint8Array(0), `${session}:done:inference`);
}
