/**
 * Flow control over real sockets with a real (in-process) model: a producer that sends as fast as
 * it can is held back while its pipeline is more than maxBacklogS behind, so the inference queue
 * stays bounded, and another session starts at once meanwhile. Slow dashboards see close code
 * 4008 with a reason. Failed on the old main (queue grew with the flood; 1006 with no reason).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import { testModel } from './helpers/model.ts';
import { startFrame, TestProducer } from './helpers/producer.ts';
import { sleep, startServer, TOKEN } from './helpers/server.ts';

const root = mkdtempSync(join(tmpdir(), 'slipwatch-flow-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Frame k of 1 s of noise-like AE (10 kHz, 2 channels). */
function second(session: string, k: number) {
  const ae = [new Int16Array(10_000), new Int16Array(10_000)];
  for (const a of ae) for (let i = 0; i < a.length; i++) a[i] = ((i * 7919 + k * 104729) % 2001) - 1000;
  return { type: 'data', session, seq: k, aeStartIndex: k * 10_000, ae };
}

test('a flooding producer is held to its pipeline pace; another session starts at once', async (t) => {
  const maxBacklogS = 1;
  const { app, url } = await startServer(root, join(root, 'a1'), { maxBacklogS }, { models: [await testModel()] });
  t.after(() => app.close());
  const flood = await TestProducer.connect(url, TOKEN);
  flood.send(startFrame('flood', { mech: undefined }));
  await flood.waitFor((f) => f.type === 'ack');
  for (let k = 0; k < 60; k++) flood.send(second('flood', k)); // 60 s of AE at once, no waiting for acks
  await sleep(1500);
  const t0 = performance.now();
  const other = await TestProducer.connect(url, TOKEN);
  other.send(startFrame('calm', { mech: undefined }));
  await other.waitFor((f) => f.type === 'ack', 5000);
  const startMs = performance.now() - t0;
  await flood.waitForAck(59, 120_000);
  const status = (await app.inject('/status')).json();
  const inf = status.stages.flood.infer.friction;
  // one frame (1 s = 5 windows at the 0.2 s step) may land on top of the limit
  assert.ok(inf.maxQueued * 0.2 <= maxBacklogS + 1.2, `at most ${inf.maxQueued} windows waited (limit ${maxBacklogS} s)`);
  assert.ok(status.ingest.holds >= 1, 'the producer was held back');
  assert.ok(startMs < 2000, `the other session started in ${startMs.toFixed(0)} ms`);
  flood.close();
  other.close();
});

test('a dashboard dropped for being slow sees close code 4008 and the reason once it reads again', async () => {
  const { Hub } = await import('../../server/stream/hub.ts');
  const hub = new Hub({ decimateAboveBytes: 1 << 20, dropAboveBytes: 4 << 20 });
  const fastify = (await import('fastify')).default();
  await fastify.register((await import('@fastify/websocket')).default);
  fastify.register(async (scope) => scope.get('/s', { websocket: true }, (socket) => hub.add(socket, { type: 'hello', models: [] })));
  const url = (await fastify.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');
  const ws = new WebSocket(`${url}/s`);
  let closed: { code: number; reason: string } | null = null;
  ws.on('close', (code, reason) => (closed = { code, reason: reason.toString() }));
  await new Promise((r) => ws.once('open', r));
  const raw = (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
  raw.pause();
  const big = { type: 'prediction' as const, session: 's', target: 'friction', startIndex: 0, rateHz: 100, mean: new Float32Array(256 * 1024), std: new Float32Array(0) };
  for (let i = 0; i < 80 && !hub.stats.dropped['too-slow']; i++) {
    hub.publish(big);
    await sleep(20);
  }
  assert.equal(hub.stats.dropped['too-slow'], 1);
  raw.resume(); // the dashboard catches up: it reads the backlog, then the close frame
  for (let i = 0; i < 200 && !closed; i++) await sleep(20);
  assert.deepEqual(closed && { code: (closed as { code: number }).code }, { code: 4008 });
  assert.match((closed as unknown as { reason: string }).reason, /^too slow: \d+ bytes waiting/);
  await fastify.close();
});

test('a dashboard that stops answering pings is dropped', async () => {
  const { app, base } = await startServer(root, join(root, 'a3'), {}, { hubLimits: { decimateAboveBytes: 1 << 20, dropAboveBytes: 8 << 20, pingIntervalMs: 100 } });
  const ws = new WebSocket(`${base}/stream`);
  await new Promise((r) => ws.once('open', r));
  await sleep(50);
  assert.equal((await app.inject('/status')).json().stream.subscribers, 1);
  (ws as unknown as { _socket: { pause(): void } })._socket.pause();
  await sleep(600);
  assert.equal((await app.inject('/status')).json().stream.subscribers, 0);
  ws.terminate();
  await app.close();
});
