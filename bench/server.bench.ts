/**
 * The live monitor on loopback: ingest throughput against bare ws + msgpackr (measured in the same
 * run), replay speed-up of p4677 with the shipped models, end-to-end latency percentiles, and
 * (section `soak`) server memory over a long replay.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WebSocketServer } from 'ws';
import WebSocket from 'ws';
import { Packr } from 'msgpackr';
import { buildApp } from '../server/app.ts';
import { defaultServerOptions } from '../server/config.ts';
import { replay } from '../producer/replay.ts';
import { decodeFrame, encodeFrame } from '../shared/protocol/codec.ts';
import { PROTOCOL_VERSION } from '../shared/protocol/frames.ts';
import { Conditioner } from '../shared/signal/condition.ts';

const SAMPLES_PER_FRAME = 100_000; // per channel: 10 ms at 10 MHz, or 10 s at 10 kHz
const FRAMES = 200;

export function frameOf(seq: number, session: string): Uint8Array {
  const a = new Int16Array(SAMPLES_PER_FRAME);
  const b = new Int16Array(SAMPLES_PER_FRAME);
  for (let i = 0; i < a.length; i++) {
    a[i] = (i * 7 + seq) & 0x3fff;
    b[i] = (i * 3 - seq) & 0x3fff;
  }
  return encodeFrame({ type: 'data', session, seq, aeStartIndex: seq * SAMPLES_PER_FRAME, ae: [a, b] });
}

/** Bare ws + msgpackr: decode each frame and sum the squares of its samples; samples/s. */
export async function bareWs(frames: Uint8Array[]): Promise<number> {
  const packr = new Packr({ moreTypes: true, useRecords: false });
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 << 20 });
  let got = 0;
  let sink = 0;
  const done = new Promise<void>((resolveDone) => {
    wss.on('connection', (s) =>
      s.on('message', (d: Buffer) => {
        const f = packr.unpack(d) as { ae: Int16Array[] };
        for (const ch of f.ae) for (let i = 0; i < ch.length; i++) sink += ch[i] * ch[i];
        if (++got === frames.length) resolveDone();
      }),
    );
  });
  await new Promise((r) => wss.once('listening', r));
  const port = (wss.address() as { port: number }).port;
  const ws = new WebSocket(`ws://127.0.0.1:${port}`);
  await new Promise((r) => ws.once('open', r));
  const t0 = performance.now();
  for (const f of frames) ws.send(f);
  await done;
  const s = (performance.now() - t0) / 1000;
  ws.close();
  wss.close();
  void sink;
  return (frames.length * 2 * SAMPLES_PER_FRAME) / s;
}

/** slipwatch's ws /ingest: validation, archive, fsync, acks (no models); samples/s. */
export async function slipwatchIngest(frames: Uint8Array[], root: string): Promise<number> {
  const app = await buildApp({ ...defaultServerOptions(), port: 0, producerToken: 't', archiveDir: join(root, 'ingest'), modelsDir: join(root, 'none'), recordingsDir: join(root, 'none'), flushIntervalMs: 20, maxFrameBytes: 64 << 20 });
  const url = `${(await app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws')}/ingest`;
  const ws = new WebSocket(url, { headers: { authorization: 'Bearer t' } });
  await new Promise((r) => ws.once('open', r));
  let acked = -2;
  const acks: (() => void)[] = [];
  ws.on('message', (d: Buffer) => {
    const f = decodeFrame(new Uint8Array(d)) as { type: string; seq: number };
    if (f.type === 'ack') acked = f.seq;
    for (const a of acks.splice(0)) a();
  });
  ws.send(
    encodeFrame({
      type: 'start',
      protocol: PROTOCOL_VERSION,
      session: 'bench',
      experimentId: 'bench',
      aeRateHz: 10_000_000,
      aeType: 'int16',
      aeChannels: [
        { name: 'ae0', unit: 'counts', scale: 1 },
        { name: 'ae1', unit: 'counts', scale: 1 },
      ],
      preset: '2s',
    }),
  );
  while (acked < -1) await new Promise<void>((r) => acks.push(r));
  const t0 = performance.now();
  for (const f of frames) ws.send(f);
  while (acked < frames.length - 1) await new Promise<void>((r) => acks.push(r));
  const s = (performance.now() - t0) / 1000;
  ws.close();
  await app.close();
  return (frames.length * 2 * SAMPLES_PER_FRAME) / s;
}

/** The conditioning stage alone on the same frames (10 MHz -> 100 Hz envelope); samples/s. */
function conditioning(frames: Uint8Array[]): number {
  const c = new Conditioner({ inputRateHz: 10_000_000, outputRateHz: 100, mode: 'envelope', channels: 2 });
  const decoded = frames.map((f) => decodeFrame(f) as { aeStartIndex: number; ae: Int16Array[] });
  const t0 = performance.now();
  for (const f of decoded) c.push(f.aeStartIndex, f.ae);
  return (frames.length * 2 * SAMPLES_PER_FRAME) / ((performance.now() - t0) / 1000);
}

/**
 * Replay p4677 with the shipped models (the whole of it, or its first `forS` seconds of wall
 * time); x real time and latency.
 */
export async function replaySpeed(root: string, speed: number | 'max', forS = Infinity): Promise<{ factor: number; latency: Record<string, number>; nowcast: Record<string, number> }> {
  // live adaptation off: this measures the serving path (adaptation's cost: npm run bench -- adaptation)
  const app = await buildApp({ ...defaultServerOptions(), port: 0, producerToken: 't', archiveDir: join(root, `replay-${speed}`), modelsDir: resolve('trained-models'), recordingsDir: resolve('data/recordings'), flushIntervalMs: 20, maxFrameBytes: 64 << 20, liveAdaptation: false });
  const base = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');
  const t0 = performance.now();
  const stop = new AbortController();
  const timer = Number.isFinite(forS) ? setTimeout(() => stop.abort(), forS * 1000) : null;
  let sentS = 0;
  await replay({ recordingDir: resolve('data/recordings/p4677'), url: `${base}/ingest`, token: 't', session: 'bench', speed, preset: '2s', signal: stop.signal, onProgress: (s) => (sentS = s) }).catch((e: Error) => {
    if (!stop.signal.aborted) throw e;
  });
  if (timer) clearTimeout(timer);
  // closing drains the session: its last predictions are out when close returns
  const status = () => (app.inject('/status') as Promise<{ json(): { latencyMs: Record<string, Record<string, number>>; nowcastLatencyMs: Record<string, Record<string, number>> } }>).then((r) => r.json());
  const before = await status();
  await app.close();
  const seconds = (performance.now() - t0) / 1000;
  // a run cut short replayed sentS seconds of the recording, not all 330
  return { factor: (Number.isFinite(forS) ? sentS : 330) / seconds, latency: before.latencyMs.bench, nowcast: before.nowcastLatencyMs.bench };
}

export async function benchServer(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'slipwatch-bench-server-'));
  // keep the event loop alive while only worker threads and sockets are busy
  const keepAlive = setInterval(() => {}, 1000);
  try {
    const frames = Array.from({ length: FRAMES }, (_, k) => frameOf(k, 'bench'));
    const bare = await bareWs(frames);
    const ingest = await slipwatchIngest(frames, root);
    const cond = conditioning(frames);
    // both run on the event loop, one after the other: their rates combine harmonically
    const combined = 1 / (1 / ingest + 1 / cond);
    const max = await replaySpeed(root, 'max');
    const paced = await replaySpeed(root, 10);
    const live = await replaySpeed(root, 1, 60);
    const ms = (x: number) => `${x.toFixed(1)} ms`;
    return [
      `Ingest, ${FRAMES} frames of 2 x ${SAMPLES_PER_FRAME} int16 samples on loopback:`,
      '',
      '| path | samples/s | ratio |',
      '|---|---:|---:|',
      `| bare ws + msgpackr, sum of squares per sample | ${(bare / 1e6).toFixed(1)} M | 1.00 |`,
      `| slipwatch ws /ingest: validate, archive (Arrow, fsync), ack | ${(ingest / 1e6).toFixed(1)} M | ${(ingest / bare).toFixed(2)} |`,
      `| conditioning alone (channel norm, boxcar + FIR decimation to 100 Hz) | ${(cond / 1e6).toFixed(1)} M | ${(cond / bare).toFixed(2)} |`,
      `| ingest + conditioning, on one thread | ${(combined / 1e6).toFixed(1)} M | ${(combined / bare).toFixed(2)} |`,
      '',
      'Replay of p4677 (330 s, 10 kHz x 2 channels) with the shipped friction and TTF models:',
      '',
      '| replay (until the last prediction is out) | x real time | data-to-nowcast p50 | p95 | p99 | max | averaged p50 | p99 |',
      '|---|---:|---:|---:|---:|---:|---:|---:|',
      ...(
        [
          ['as fast as acks allow', max],
          ['paced at 10x', paced],
          ['paced at 1x (a live rig; the first 60 s)', live],
        ] as const
      ).map(([name, r]) => `| ${name} | ${r.factor.toFixed(1)} | ${ms(r.nowcast.p50)} | ${ms(r.nowcast.p95)} | ${ms(r.nowcast.p99)} | ${ms(r.nowcast.max)} | ${ms(r.latency.p50)} | ${ms(r.latency.p99)} |`),
      '',
      'Data-to-nowcast: from the arrival of the data frame that completes a window (its last conditioned',
      "sample, with the AE the anti-aliasing filter needs after it) to that window's nowcast leaving the",
      "server, both models; 'averaged': the same for the overlap-averaged series of those samples, which",
      'can only be final one window later (seed 000), measured from the frame that completes that later',
      'window. When replaying flat out, frames queue behind inference and the backlog dominates.',
    ].join('\n');
  } finally {
    clearInterval(keepAlive);
    rmSync(root, { recursive: true, force: true });
  }
}
