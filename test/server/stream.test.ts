/**
 * Predictions reach dashboards over ws /stream while a producer streams a recording into
 * ws /ingest; a subscriber that stops reading is decimated, then dropped with a reason, and
 * neither ingest nor the other subscriber slows down.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { buildApp } from '../../server/app.ts';
import { defaultServerOptions } from '../../server/config.ts';
import { initBackend } from '../../model/tfjs/backend.ts';
import { readWholeStream } from '../../recording/arrow-stream.ts';
import { openRecording, readRecordingStream } from '../../recording/recording.ts';
import { decodeFrame } from '../../shared/protocol/codec.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/frames.ts';
import { testModel } from './helpers/model.ts';
import { TestProducer } from './helpers/producer.ts';

const MINI = join(import.meta.dirname, '..', '..', 'fixtures', 'data', 'p4677-mini');
const root = mkdtempSync(join(tmpdir(), 'slipwatch-stream-'));
after(() => rmSync(root, { recursive: true, force: true }));
before(async () => {
  await initBackend('wasm');
});

async function subscriber(url: string) {
  const ws = new WebSocket(url);
  const frames: Record<string, unknown>[] = [];
  let closed: { code: number; reason: string } | null = null;
  ws.on('message', (d: Buffer) => frames.push(decodeFrame(new Uint8Array(d)) as Record<string, unknown>));
  ws.on('close', (code, reason) => {
    closed = { code, reason: reason.toString() };
  });
  await new Promise((r) => ws.once('open', r));
  return { ws, frames, closed: () => closed };
}

async function streamRecording(p: TestProducer, session: string, seconds: number): Promise<number> {
  const rec = await openRecording(MINI);
  p.send({
    type: 'start',
    protocol: PROTOCOL_VERSION,
    session,
    experimentId: 'p4677-mini',
    aeRateHz: 10_000,
    aeType: 'int16',
    aeChannels: rec.meta.streams.ae.columns.map((c) => ({ name: c.name, unit: c.unit, scale: c.scale ?? 1 })),
    preset: '2s',
  });
  await p.waitFor((f) => f.type === 'ack');
  let seq = 0;
  for await (const b of readRecordingStream(rec, 'ae')) {
    if (b.rowOffset >= seconds * 10_000) break;
    p.send({ type: 'data', session, seq: seq++, aeStartIndex: b.rowOffset, ae: Object.values(b.columns) });
  }
  await p.waitForAck(seq - 1, 20_000);
  p.send({ type: 'end', session, seq });
  return seq;
}

/** A server on a free port with the test model; returns it and its ws:// base address. */
async function serverWithModel(archive: string) {
  const app = await buildApp(
    { ...defaultServerOptions(), port: 0, producerToken: 't', archiveDir: join(root, archive), modelsDir: join(root, 'none'), recordingsDir: join(root, 'no-recordings'), flushIntervalMs: 5, maxFrameBytes: 8 << 20 },
    { models: [await testModel()] },
  );
  return { app, base: (await app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws') };
}

test('predictions stream to dashboards: contiguous, each sample once, friction around its mean', async () => {
  const { app, base } = await serverWithModel('a1');
  const dash = await subscriber(`${base}/stream`);
  const p = await TestProducer.connect(`${base}/ingest`, 't');
  await streamRecording(p, 'live1', 20);
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(dash.frames[0].type, 'hello');
  const preds = dash.frames.filter((f) => f.type === 'prediction') as { startIndex: number; mean: Float32Array; std: Float32Array; target: string }[];
  assert.ok(preds.length > 5, `${preds.length} prediction frames`);
  let next = preds[0].startIndex;
  let samples = 0;
  for (const f of preds) {
    assert.equal(f.target, 'friction');
    assert.equal(f.startIndex, next, 'contiguous, no sample twice');
    assert.ok(f.mean instanceof Float32Array && f.std instanceof Float32Array);
    next += f.mean.length;
    samples += f.mean.length;
  }
  assert.ok(samples > 1500, `${samples} samples of 20 s at 100 Hz`);
  const status = (await app.inject('/status')).json();
  assert.equal(status.pipelineErrors, 0);
  assert.ok(status.latencyMs.live1.count > 5 && status.latencyMs.live1.p99 >= 0, JSON.stringify(status.latencyMs));
  const inf = status.stages.live1.infer.friction;
  assert.equal(status.stages.live1.framesIn, 20);
  assert.equal(inf.windowsIn, inf.windowsOut, 'every window inferred');
  assert.ok(inf.windowsIn > 80 && inf.batches >= 1, JSON.stringify(inf));
  p.close();
  dash.ws.close();
  await app.close();
  // every prediction the dashboard saw is archived with the session
  const { columns } = await readWholeStream(join(root, 'a1', 'live1', 'pred_friction.arrows'));
  assert.equal(columns.index.length, samples);
  assert.equal(columns.index[0], preds[0].startIndex);
  assert.deepEqual(columns.mean, Float32Array.from(preds.flatMap((f) => Array.from(f.mean))));
});

test('a subscriber that stops reading slows neither ingest nor the other subscriber', async () => {
  const { app, base } = await serverWithModel('a2');
  const fast = await subscriber(`${base}/stream`);
  const slow = await subscriber(`${base}/stream`);
  // stop reading: the kernel buffers fill, then the server's socket buffer grows
  (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  const p = await TestProducer.connect(`${base}/ingest`, 't');
  const frames = await streamRecording(p, 'live2', 40);
  await new Promise((r) => setTimeout(r, 500));
  const status = (await app.inject('/status')).json();
  assert.equal(status.ingest.framesAccepted, frames, 'every frame was ingested and acknowledged');
  const fastPreds = fast.frames.filter((f) => f.type === 'prediction');
  assert.ok(fastPreds.length > 10, `the reading subscriber got ${fastPreds.length} frames`);
  const slowPreds = slow.frames.filter((f) => f.type === 'prediction');
  assert.ok(slowPreds.length < fastPreds.length, `the paused one got ${slowPreds.length}`);
  p.close();
  fast.ws.close();
  slow.ws.terminate();
  await app.close();
});

test('the hub decimates, then drops with a reason, a subscriber whose socket backs up', async () => {
  const { Hub } = await import('../../server/stream/hub.ts');
  const app = (await import('fastify')).default();
  await app.register((await import('@fastify/websocket')).default);
  const hub = new Hub({ decimateAboveBytes: 1 << 20, dropAboveBytes: 4 << 20 });
  app.register(async (scope) => scope.get('/s', { websocket: true }, (socket) => hub.add(socket, { type: 'hello', models: [] })));
  const base = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');
  const reader = await subscriber(`${base}/s`);
  const paused = await subscriber(`${base}/s`);
  (paused.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  await new Promise((r) => setTimeout(r, 50));
  const big = { type: 'prediction' as const, session: 's', target: 'friction', startIndex: 0, rateHz: 100, mean: new Float32Array(256 * 1024), std: new Float32Array(0) }; // 1 MB
  for (let i = 0; i < 60 && !hub.stats.dropped['too-slow']; i++) {
    hub.publish(big);
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(hub.stats.framesSkipped >= 1, 'decimated first');
  assert.equal(hub.stats.dropped['too-slow'], 1, 'then dropped');
  assert.equal(hub.stats.subscribers, 1, 'the reader is still subscribed');
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(reader.frames.length > 5, `the reader got ${reader.frames.length} frames`);
  reader.ws.close();
  paused.ws.terminate();
  await app.close();
});
