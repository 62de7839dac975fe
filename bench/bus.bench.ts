/**
 * npm run bench -- bus: the bus mode on a real nats-server (JetStream, file storage) next to the
 * embedded mode, in the same run, every process on this machine:
 *   - ingest: 4 rigs through one gateway (acked after JetStream stored each frame) vs the
 *     embedded server (archive fsynced before each ack), no models: the bus's cost per frame;
 *   - prediction: 4 rigs at max speed through 1, 2, 4 conditioning and 1, 2 inference workers,
 *     wall time from the first frame sent to every session predicted to its end, vs the embedded
 *     server predicting the same 4 rigs (ingest included in both);
 *   - latency at 1x: one rig at real time, producer frame sent -> prediction (and nowcast) received
 *     by a dashboard's /stream socket, through the bus (conditioning, inference, dashboard
 *     gateway) and through the embedded server;
 *   - disk sync per message (a proxy for `sync_interval: always`, which nats-server 2.9 lacks).
 */
import { closeSync, cpSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { BusClient } from '../bus/client.ts';
import { STREAMS } from '../bus/config.ts';
import { buildDashboardGateway } from '../bus/dashboard-gateway.ts';
import { buildGateway, manifestsOnly } from '../bus/gateway.ts';
import { conditioningDelayS } from '../pipeline/pipeline.ts';
import { Conditioner } from '../shared/signal/condition.ts';
import { replay } from '../producer/replay.ts';
import { defaultServerOptions } from '../server/config.ts';
import { decodeFrame } from '../shared/protocol/codec.ts';
import type { StreamFrame } from '../shared/protocol/frames.ts';
import { NatsServer, WorkerProcess } from '../test/bus/helpers.ts';
import { startServer, TOKEN } from '../test/server/helpers/server.ts';

const RECORDING = resolve('fixtures/data/p4677-mini');
const RIGS = 4;
/** p4677-mini: 40 s of one AE channel at 10 kHz, frames of 0.1 s */
const AE_HZ = 10_000;
const SECONDS = 40;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** RIGS rigs at max speed into url(i); wall seconds and frames. */
async function rigs(url: (i: number) => string, tag: string, window = 64): Promise<{ s: number; frames: number }> {
  const t0 = performance.now();
  const r = await Promise.all(Array.from({ length: RIGS }, (_, i) => replay({ recordingDir: RECORDING, url: url(i), token: TOKEN, session: `${tag}-${i}`, speed: 'max', window })));
  return { s: (performance.now() - t0) / 1000, frames: r.reduce((a, x) => a + x.frames, 0) };
}

const msps = (s: number) => (RIGS * SECONDS * AE_HZ) / s / 1e6;

async function gatewayUrl(nats: NatsServer, modelsDir: string): Promise<{ url: string; close: () => Promise<unknown> }> {
  const gw = await buildGateway({ ...defaultServerOptions(), port: 0, producerToken: TOKEN, modelsDir, flushIntervalMs: 5, maxFrameBytes: 8 << 20, bus: nats.url });
  return { url: `${(await gw.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws')}/ingest`, close: () => gw.close() };
}

/** Claims of these roles still open (a session not yet served to its end). */
async function openClaims(bus: BusClient, roles: string[]): Promise<number> {
  const subjects = (await bus.jsm.streams.info(STREAMS.claims, { subjects_filter: '>' })).state.subjects ?? {};
  return Object.keys(subjects).filter((s) => roles.some((r) => s.startsWith(`sw.claim.${r}.`))).length;
}

/** c conditioning and i inference workers; seconds from the first frame to every session predicted, per repeat. */
async function predictionRuns(nats: NatsServer, models: string, c: number, i: number, repeats: number): Promise<number[]> {
  const args = (role: string, n: number) => ['--role', role, '--bus', nats.url, '--models', models, '--sessions', String(Math.ceil(RIGS / n))];
  const procs = [...Array.from({ length: c }, () => new WorkerProcess(args('conditioning', c))), ...Array.from({ length: i }, () => new WorkerProcess(args('inference', i)))];
  await Promise.all(procs.map((p) => p.ready()));
  const bus = await BusClient.connect(nats.url, 'bench');
  const gw = await gatewayUrl(nats, models);
  const out: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    await rigs(() => gw.url, `pred-c${c}-i${i}-${r}`);
    while ((await openClaims(bus, ['conditioning', 'inference'])) > 0) await sleep(50);
    out.push((performance.now() - t0) / 1000);
  }
  await Promise.all(procs.map((p) => p.kill('SIGTERM')));
  await gw.close();
  await bus.close();
  return out;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/** The conditioning role's work alone, in this thread: 16 int16 channels at 4 MHz to a 100 Hz envelope, M samples/s. */
function conditioningCore(): number {
  const channels = 16;
  const chunk = 40_000; // 10 ms at 4 MHz
  const c = new Conditioner({ inputRateHz: 4e6, outputRateHz: 100, mode: 'envelope', channels, channelScales: new Array<number>(channels).fill(1) });
  const data = Array.from({ length: channels }, (_, k) => Int16Array.from({ length: chunk }, (_, i) => ((i * 7919 + k * 104729) % 2001) - 1000));
  const t0 = performance.now();
  const chunks = 200; // 2 s of signal
  for (let n = 0; n < chunks; n++) c.push(n * chunk, data);
  return (chunks * chunk * channels) / ((performance.now() - t0) / 1000) / 1e6;
}

/** Embedded: RIGS rigs predicted by one server; seconds until every session's predictions ended. */
async function embeddedPrediction(root: string, models: string, run: number): Promise<number> {
  const server = await startServer(root, join(root, `emb-pred-${run}`), { modelsDir: models });
  const t0 = performance.now();
  await rigs(() => server.url, `emb-pred-${run}`);
  // acks are held while a session's inference backlog exceeds --max-backlog-s: wait for the tail
  await server.app.close();
  return (performance.now() - t0) / 1000;
}

/** Percentiles of a list, ms. */
function pcts(v: number[]): string {
  const s = [...v].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))].toFixed(0);
  return `p50 ${q(0.5)}, p90 ${q(0.9)}, p99 ${q(0.99)}, max ${q(1)} (n ${s.length})`;
}

/**
 * One rig at 1x into ingestUrl, a dashboard socket on streamUrl: for each prediction (nowcast),
 * the time from the producer sending the frame that completed it to the dashboard receiving it.
 */
async function latencyAt1x(ingestUrl: string, streamUrl: string, session: string, models: string, seconds: number): Promise<{ averaged: number[]; nowcast: number[] }> {
  const model = manifestsOnly(models)[0];
  const D = AE_HZ / model.manifest.preset.sampleRateHz;
  const W = Math.round(model.manifest.preset.windowS * model.manifest.preset.sampleRateHz);
  const delayAe = Math.ceil(conditioningDelayS({ aeRateHz: AE_HZ, channelScales: [1], model }) * AE_HZ);
  const sent: { fromAe: number; ms: number }[] = [];
  const sentAt = (aeIndex: number) => {
    let f: { fromAe: number; ms: number } | undefined;
    for (const x of sent) if (x.fromAe < aeIndex) f = x;
    return f && f.fromAe + AE_HZ / 10 >= aeIndex ? f.ms : undefined;
  };
  const out = { averaged: [] as number[], nowcast: [] as number[] };
  const ws = new WebSocket(streamUrl);
  await new Promise((r) => ws.once('message', r));
  ws.on('message', (data: Buffer) => {
    const now = performance.now();
    const f = decodeFrame(new Uint8Array(data)) as StreamFrame;
    if (f.type !== 'prediction' && f.type !== 'nowcast') return;
    if (f.session !== session || f.target !== model.manifest.target) return;
    const n = f.type === 'prediction' ? f.mean.length : f.values.length;
    const need = (f.startIndex + n + (f.type === 'prediction' ? W : 0)) * D + delayAe;
    const t = sentAt(need);
    if (t !== undefined) (f.type === 'prediction' ? out.averaged : out.nowcast).push(now - t);
  });
  const abort = new AbortController();
  const stop = setTimeout(() => abort.abort(), seconds * 1000);
  await replay({ recordingDir: RECORDING, url: ingestUrl, token: TOKEN, session, speed: 1, signal: abort.signal, onProgress: (sentS) => sent.push({ fromAe: Math.round(sentS * AE_HZ), ms: performance.now() }) }).catch(() => undefined);
  clearTimeout(stop);
  await sleep(3000);
  ws.close();
  return out;
}

/** Write blocks of `bytes`, with and without an fsync after each: what a synced write adds per message. */
function fsyncCost(dir: string, bytes: number): { plainMs: number; syncedMs: number } {
  const fd = openSync(join(dir, `probe-${bytes}`), 'w');
  const block = Buffer.alloc(bytes, 7);
  const time = (sync: boolean) => {
    const t0 = performance.now();
    for (let i = 0; i < 100; i++) {
      writeSync(fd, block);
      if (sync) fsyncSync(fd);
    }
    return (performance.now() - t0) / 100;
  };
  const r = { plainMs: time(false), syncedMs: time(true) };
  closeSync(fd);
  return r;
}

export async function benchBus(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'slipwatch-bench-bus-'));
  const models = join(root, 'models');
  for (const name of ['friction', 'ttf', 'alerting']) cpSync(resolve('trained-models', name), join(models, name), { recursive: true });
  const nats = await NatsServer.start(join(root, 'js'));
  const lines: string[] = [];
  try {
    // ingest alone (no models): the embedded archive vs JetStream
    const embedded = await startServer(root, join(root, 'embedded'));
    const emb = await rigs(() => embedded.url, 'emb');
    await embedded.app.close();
    const gw = await gatewayUrl(nats, join(root, 'no-models'));
    const bus1 = await rigs(() => gw.url, 'bus');
    await gw.close();
    const perFrame = (r: { s: number; frames: number }) => (r.s * 1000) / r.frames;
    lines.push(
      `${RIGS} rigs replaying p4677-mini (10 kHz, 1 AE channel, frames of 0.1 s = 1000 samples) as fast as acks allow (64 frames in flight each); nats-server 2.9.10, file storage, one server, every process on this machine, which other sessions share (load average ${loadavg()[0].toFixed(1)} at the start of the section): treat the numbers as lower bounds and the ratios as rough.`,
      '',
      '| ingest only (no models) | wall s | frames | aggregate M samples/s | ratio to embedded | ms per frame (wall / frames) |',
      '|---|---|---|---|---|---|',
      `| embedded (Arrow archive, fsync before ack) | ${emb.s.toFixed(2)} | ${emb.frames} | ${msps(emb.s).toFixed(2)} | 1.00 | ${perFrame(emb).toFixed(3)} |`,
      `| bus, 1 gateway (ack after JetStream stored) | ${bus1.s.toFixed(2)} | ${bus1.frames} | ${msps(bus1.s).toFixed(2)} | ${(emb.s / bus1.s).toFixed(2)} | ${perFrame(bus1).toFixed(3)} |`,
      '',
      `The bus's cost per frame at the producer: ${(perFrame(bus1) - perFrame(emb)).toFixed(3)} ms (negative: cheaper than the embedded archive's fsync).`,
      '',
    );
    console.error('bench bus: ingest done');
    const embRuns: number[] = [];
    for (let r = 0; r < 3; r++) embRuns.push(await embeddedPrediction(root, models, r));
    const embS = median(embRuns);
    lines.push('| prediction (friction + ttf, 2 s windows), ingest included | wall s | AE s predicted per s | aggregate M samples/s | ratio to embedded |', '|---|---|---|---|---|');
    lines.push(`| embedded, one process (median of 3: ${embRuns.map((x) => x.toFixed(2)).join(', ')} s) | ${embS.toFixed(2)} | ${((RIGS * SECONDS) / embS).toFixed(1)} | ${msps(embS).toFixed(2)} | 1.00 |`);
    const REPEATS = 3;
    for (const [c, i] of [[1, 1], [2, 1], [4, 1], [1, 2], [2, 2]]) {
      const runs = await predictionRuns(nats, models, c, i, REPEATS);
      const s = median(runs);
      console.error(`bench bus: ${c} conditioning, ${i} inference: ${runs.map((x) => x.toFixed(1)).join(', ')} s`);
      lines.push(`| bus: ${c} conditioning, ${i} inference (median of ${REPEATS}: ${runs.map((x) => x.toFixed(2)).join(', ')} s) | ${s.toFixed(2)} | ${((RIGS * SECONDS) / s).toFixed(1)} | ${msps(s).toFixed(2)} | ${(embS / s).toFixed(2)} |`);
    }
    lines.push('', `The conditioning role's own work, in one thread (16 int16 channels at 4 MHz to the 100 Hz envelope, 10 ms chunks): ${conditioningCore().toFixed(1)} M samples/s.`);
    // latency at 1x: bus (conditioning, inference, dashboard gateway) and embedded
    const procs = ['conditioning', 'inference'].map((role) => new WorkerProcess(['--role', role, '--bus', nats.url, '--models', models]));
    await Promise.all(procs.map((p) => p.ready()));
    const dash = await buildDashboardGateway({ bus: nats.url, modelsDir: models });
    const dashUrl = `${(await dash.app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws')}/stream`;
    const gw2 = await gatewayUrl(nats, models);
    const viaBus = await latencyAt1x(gw2.url, dashUrl, 'lat-bus', models, 30);
    await Promise.all(procs.map((p) => p.kill('SIGTERM')));
    await gw2.close();
    await dash.app.close();
    const server = await startServer(root, join(root, 'emb-lat'), { modelsDir: models });
    const viaEmb = await latencyAt1x(server.url, `${server.url.replace('/ingest', '')}/stream`, 'lat-emb', models, 30);
    await server.app.close();
    lines.push(
      '',
      'Latency at 1x (one rig, 30 s of p4677-mini, friction model), from the producer sending the frame that completes a prediction (the window after it, plus the conditioning filter\'s 0.14 s of signal) to a dashboard socket receiving it, ms:',
      '',
      '| path | averaged prediction | nowcast |',
      '|---|---|---|',
      `| embedded server /stream | ${pcts(viaEmb.averaged)} | ${pcts(viaEmb.nowcast)} |`,
      `| bus: gateway -> conditioning -> inference -> dashboard gateway | ${pcts(viaBus.averaged)} | ${pcts(viaBus.nowcast)} |`,
    );
    const small = fsyncCost(root, 2_048);
    const big = fsyncCost(root, 400_000);
    lines.push(
      '',
      `Disk sync per message on this disk (a proxy for \`sync_interval: always\`, an option nats-server 2.9.10 refuses: "unknown field"): a 2 kB message (about one 0.1 s frame of one int16 channel here) write ${small.plainMs.toFixed(3)} ms, write + fsync ${small.syncedMs.toFixed(3)} ms; a 400 kB message write ${big.plainMs.toFixed(3)} ms, write + fsync ${big.syncedMs.toFixed(3)} ms.`,
    );
    lines.push('', `Load average at the end of the section: ${loadavg()[0].toFixed(1)}.`);
    return lines.join('\n');
  } finally {
    await nats.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
