/**
 * The live product on a recording, through the real server: buildApp with the shipped models in
 * their inference workers, the replay producer over a real socket, everything the dashboard gets
 * from ws /stream collected (served predictions, alerts, slips, adaptation reports). With live
 * adaptation on, the producer waits from the slip that completes the cycles until every served
 * model has reported (as a rig that pauses would; in real time the swap comes the training time
 * later, so the samples scored "after the swap" start at the earliest point the product could
 * swap). Used by cli/evaluate-live.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { replay } from '../producer/replay.ts';
import { buildApp } from '../server/app.ts';
import { defaultServerOptions, type ServerOptions } from '../server/config.ts';
import { decodeFrame } from '../shared/protocol/codec.ts';
import type { AdaptedFrame, AlertFrame, PredictionFrame, SlipFrame } from '../shared/protocol/frames.ts';

/** One target's served (overlap-averaged) series, contiguous from startIndex at rateHz. */
export interface ServedSeries {
  startIndex: number;
  rateHz: number;
  mean: number[];
}

export interface LiveRun {
  recording: string;
  adaptation: boolean;
  served: Record<string, ServedSeries>;
  /** alerts as issued: on time and clear time (s from the session start; offS absent while on) */
  alerts: { onS: number; offS?: number }[];
  /** slip onsets found live in the measured friction, s */
  slipsS: number[];
  adapted: AdaptedFrame[];
  /** wall time of the replay, s */
  wallS: number;
}

export interface LiveRunOptions {
  recordingDir: string;
  modelsDir: string;
  adaptation: boolean;
  adaptAfterCycles: number;
  /** the server's --readapt-every-cycles (0: adapt once) */
  readaptEveryCycles: number;
  adaptEpochs: number;
  /** most seconds the producer waits for the adaptation reports */
  maxPauseS?: number;
  log?: (line: string) => void;
}

/** Join a target's prediction frames; refuses a gap or a duplicate (each sample served once). */
export function joinPredictions(frames: readonly PredictionFrame[], target: string): ServedSeries {
  const fs = frames.filter((f) => f.target === target);
  if (fs.length === 0) throw new Error(`no ${target} predictions were served`);
  const mean: number[] = [];
  for (const f of fs) {
    if (f.startIndex !== fs[0].startIndex + mean.length) throw new Error(`${target}: served predictions not contiguous at ${f.startIndex} (expected ${fs[0].startIndex + mean.length})`);
    for (const v of f.mean) mean.push(v);
  }
  return { startIndex: fs[0].startIndex, rateHz: fs[0].rateHz, mean };
}

/** Adaptation rounds the server has started after `slips` slips (the first after afterCycles cycles, then every readapt cycles). */
export function roundsDue(slips: number, o: Pick<LiveRunOptions, 'adaptAfterCycles' | 'readaptEveryCycles'>): number {
  const cycles = slips - 1;
  if (cycles < o.adaptAfterCycles) return 0;
  return o.readaptEveryCycles > 0 ? 1 + Math.floor((cycles - o.adaptAfterCycles) / o.readaptEveryCycles) : 1;
}

/** Replay a recording at full speed through a fresh server and collect what it serves. */
export async function replayLive(o: LiveRunOptions): Promise<LiveRun> {
  const tmp = mkdtempSync(join(tmpdir(), 'slipwatch-live-eval-'));
  const opts: ServerOptions = { ...defaultServerOptions(), port: 0, producerToken: 't', archiveDir: join(tmp, 'archive'), modelsDir: o.modelsDir, recordingsDir: tmp, liveAdaptation: o.adaptation, adaptAfterCycles: o.adaptAfterCycles, readaptEveryCycles: o.readaptEveryCycles, adaptEpochs: o.adaptEpochs };
  const server = await buildApp(opts);
  const base = (await server.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');
  const predictions: PredictionFrame[] = [];
  const alerts: AlertFrame[] = [];
  const adapted: AdaptedFrame[] = [];
  const slipsS: number[] = [];
  const ws = new WebSocket(`${base}/stream`);
  ws.on('message', (d: Buffer) => {
    const f = decodeFrame(new Uint8Array(d)) as { type: string };
    if (f.type === 'prediction') predictions.push(f as PredictionFrame);
    else if (f.type === 'alert') alerts.push(f as AlertFrame);
    else if (f.type === 'adapted') adapted.push(f as AdaptedFrame);
    else if (f.type === 'slip') slipsS.push((f as SlipFrame).tS);
  });
  await new Promise((r) => ws.once('open', r));
  const t0 = performance.now();
  let pausedAt = 0;
  const targets = () => new Set(predictions.map((p) => p.target)).size;
  const paused = () => {
    const waiting = o.adaptation && adapted.length < roundsDue(slipsS.length, o) * targets();
    if (waiting && !pausedAt) {
      pausedAt = performance.now();
      o.log?.(`paused after ${slipsS.length} slips (${slipsS.at(-1)?.toFixed(1)} s) for adaptation`);
    }
    return waiting && performance.now() - pausedAt < (o.maxPauseS ?? 1800) * 1000;
  };
  try {
    let lastLog = 0;
    const onProgress = (sentS: number, totalS: number) => {
      if (performance.now() - lastLog < 30_000) return;
      lastLog = performance.now();
      o.log?.(`${sentS.toFixed(0)} / ${totalS.toFixed(0)} s sent, ${adapted.length} adaptation reports`);
    };
    await replay({ recordingDir: o.recordingDir, url: `${base}/ingest`, token: 't', session: 'live-eval', speed: 'max', paused, onProgress });
    // the pipelines flush after the end: wait until the stream has been quiet for two seconds
    for (let n = -1; n !== predictions.length; ) {
      n = predictions.length;
      await new Promise((r) => setTimeout(r, 2000));
    }
  } finally {
    ws.close();
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  const served = Object.fromEntries([...new Set(predictions.map((p) => p.target))].map((t) => [t, joinPredictions(predictions, t)]));
  const onAlerts = alerts.filter((a) => a.event === 'on').map((a) => a.alert);
  const offById = new Map(alerts.filter((a) => a.event === 'off').map((a) => [a.alert.id, a.alert.offS]));
  return {
    recording: o.recordingDir,
    adaptation: o.adaptation,
    served,
    alerts: onAlerts.map((a) => ({ onS: a.onS, offS: offById.get(a.id) })),
    slipsS,
    adapted,
    wallS: (performance.now() - t0) / 1000,
  };
}

/** The saved run's file: RUNS/NAME-adapted.json or RUNS/NAME-unadapted.json. */
export const runFile = (runsDir: string, name: string, adaptation: boolean) => join(runsDir, `${name}-${adaptation ? 'adapted' : 'unadapted'}.json`);

/** Replay and save the run as JSON (so scoring can be re-run without replaying: --reuse). */
export async function replayAndSave(name: string, runsDir: string, o: LiveRunOptions): Promise<LiveRun> {
  const run = await replayLive(o);
  mkdirSync(runsDir, { recursive: true });
  writeFileSync(runFile(runsDir, name, o.adaptation), JSON.stringify(run));
  return run;
}
