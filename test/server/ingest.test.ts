/**
 * The ingest endpoint over real sockets: storage and acknowledgement, every kind of bad input, a
 * producer that drops and resumes, and a server killed with SIGKILL mid-stream.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.ts';
import { defaultServerOptions } from '../../server/config.ts';
import { readWholeStream } from '../../recording/arrow-stream.ts';
import { dataFrame, startFrame, TestProducer } from './helpers/producer.ts';

const root = mkdtempSync(join(tmpdir(), 'slipwatch-ingest-'));
after(() => rmSync(root, { recursive: true, force: true }));
const TOKEN = 'test-token';
let n = 0;

async function server(maxFrameBytes = 8 << 20): Promise<{ app: FastifyInstance; url: string; archive: string }> {
  const archive = join(root, `archive-${n++}`);
  const app = await buildApp({ ...defaultServerOptions(), port: 0, producerToken: TOKEN, archiveDir: archive, modelsDir: join(root, 'no-models'), recordingsDir: join(root, 'no-recordings'), flushIntervalMs: 5, maxFrameBytes });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url: `${address.replace('http', 'ws')}/ingest`, archive };
}

/** Assert that the archive of a session holds frames 0..count-1 exactly once, in order. */
async function assertArchived(archive: string, session: string, count: number): Promise<void> {
  const { columns: ae } = await readWholeStream(join(archive, session, 'ae.arrows'));
  const { columns: mech } = await readWholeStream(join(archive, session, 'mech.arrows'));
  const { columns: frames } = await readWholeStream(join(archive, session, 'frames.arrows'));
  assert.equal(ae.ae0.length, count * 1000);
  assert.equal(mech.mu.length, count * 100);
  assert.deepEqual(Array.from(frames.seq), Array.from({ length: count }, (_, k) => k));
  for (let k = 0; k < count; k++) {
    const f = dataFrame(session, k);
    assert.deepEqual(ae.ae0.subarray(k * 1000, (k + 1) * 1000), f.ae[0], `frame ${k} ae0`);
    assert.deepEqual(ae.ae1.subarray(k * 1000, (k + 1) * 1000), f.ae[1], `frame ${k} ae1`);
    assert.deepEqual(mech.mu.subarray(k * 100, (k + 1) * 100), f.mech.values.mu, `frame ${k} mu`);
  }
}

test('a session is stored, acknowledged after it is durable, and closed by its end frame', async () => {
  const { app, url, archive } = await server();
  const p = await TestProducer.connect(url, TOKEN);
  p.send(startFrame('s1'));
  await p.waitFor((f) => f.type === 'ack' && f.seq === -1);
  for (let k = 0; k < 20; k++) p.send(dataFrame('s1', k));
  await p.waitForAck(19);
  p.send({ type: 'end', session: 's1', seq: 20 });
  await new Promise((r) => setTimeout(r, 50));
  await assertArchived(archive, 's1', 20);
  const status = (await app.inject('/status')).json();
  assert.equal(status.ingest.framesAccepted, 20);
  assert.equal(status.ingest.samplesAccepted, 40_000);
  p.close();
  await app.close();
});

test('every bad input gets a clear error and a counted reason; the server keeps serving others', async () => {
  const { app, url, archive } = await server();
  const anon = await TestProducer.connect(url, null);
  await anon.waitFor((f) => f.type === 'error' && f.code === 'unauthorized');
  const wrong = await TestProducer.connect(url, 'nope');
  await wrong.waitFor((f) => f.type === 'error' && f.code === 'unauthorized');

  const bad = await TestProducer.connect(url, TOKEN);
  const expectError = async (code: string, send: () => void) => {
    const before = bad.received.length;
    send();
    await bad.waitFor((f) => f.type === 'error' && f.code === code && bad.received.indexOf(f) >= before);
  };
  await expectError('malformed', () => bad.sendRaw(Uint8Array.from([0x92, 0x01])));
  await expectError('malformed', () => bad.sendRaw('{"type":"start"}'));
  await expectError('unknown-session', () => bad.send(dataFrame('ghost', 0)));
  await expectError('bad-frame', () => bad.send({ ...startFrame('b1'), preset: '7 s' }));
  bad.send(startFrame('b1'));
  await bad.waitFor((f) => f.type === 'ack');
  await expectError('non-finite', () => bad.send({ ...dataFrame('b1', 0), ae: [Float32Array.of(Number.NaN), Float32Array.of(1)] }));
  await expectError('bad-frame', () => bad.send({ ...dataFrame('b1', 0), ae: [Float32Array.of(1), Float32Array.of(1)] })); // session is int16
  await expectError('out-of-order', () => bad.send(dataFrame('b1', 3)));
  bad.send(dataFrame('b1', 0));
  await bad.waitForAck(0);
  await expectError('duplicate', () => bad.send(dataFrame('b1', 0)));
  await expectError('bad-frame', () => bad.send({ ...dataFrame('b1', 1), aeStartIndex: 5000 }));
  await expectError('too-large', () => bad.send({ ...dataFrame('b1', 1), ae: [new Int16Array((1 << 20) + 1), new Int16Array((1 << 20) + 1)] }));
  // a message over the server's byte limit is refused by the WebSocket layer: closed with 1009
  const huge = await TestProducer.connect(url, TOKEN);
  huge.sendRaw(new Uint8Array(9 << 20));
  await assert.rejects(huge.waitFor(() => false), /socket closed \(1009/);

  // meanwhile a good producer is served normally
  const good = await TestProducer.connect(url, TOKEN);
  good.send(startFrame('g1'));
  for (let k = 0; k < 5; k++) good.send(dataFrame('g1', k));
  await good.waitForAck(4);
  await assertArchived(archive, 'g1', 5);

  const rejected = (await app.inject('/status')).json().ingest.rejected;
  for (const code of ['unauthorized', 'malformed', 'unknown-session', 'bad-frame', 'non-finite', 'out-of-order', 'duplicate', 'too-large']) {
    assert.ok(rejected[code] >= 1, `${code} counted`);
  }
  const metrics = (await app.inject('/metrics')).body;
  assert.match(metrics, /slipwatch_ingest_rejected_total\{reason="duplicate"\} 1/);
  assert.match(metrics, /slipwatch_ingest_frames_total 6/);
  for (const p of [anon, wrong, bad, good, huge]) p.close();
  await app.close();
});

test('a producer that drops and resumes loses and duplicates nothing', async () => {
  const { app, url, archive } = await server();
  const first = await TestProducer.connect(url, TOKEN);
  first.send(startFrame('r1'));
  for (let k = 0; k < 10; k++) first.send(dataFrame('r1', k));
  await first.waitForAck(9);
  first.ws.terminate(); // no close handshake: a dropped link
  const second = await TestProducer.connect(url, TOKEN);
  second.send(startFrame('r1'));
  const ack = (await second.waitFor((f) => f.type === 'ack')) as { seq: number; aeSamples: number };
  assert.equal(ack.seq, 9, 'the server says where to resume');
  assert.equal(ack.aeSamples, 10_000);
  for (let k = ack.seq + 1; k < 25; k++) second.send(dataFrame('r1', k));
  await second.waitForAck(24);
  second.send({ type: 'end', session: 'r1', seq: 25 });
  await new Promise((r) => setTimeout(r, 50));
  await assertArchived(archive, 'r1', 25);
  second.close();
  await app.close();
});

function startServerProcess(archive: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', '..', 'cli', 'serve.ts'), '--port', '0', '--token', TOKEN, '--archive', archive, '--models', join(root, 'no-models'), '--flush-ms', '5'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/[^\s]+)/.exec(out);
      if (m) resolve({ child, url: `${m[1].replace('http', 'ws')}/ingest` });
    });
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
  });
}

test('kill -9 mid-stream, restart: the archive holds every acknowledged frame and the producer resumes', async () => {
  const archive = join(root, 'archive-kill');
  const one = await startServerProcess(archive);
  const p = await TestProducer.connect(one.url, TOKEN);
  p.send(startFrame('k1'));
  await p.waitFor((f) => f.type === 'ack');
  let sent = 0;
  // stream until at least 30 frames are acknowledged, then kill the server without warning
  while (!p.received.some((f) => f.type === 'ack' && f.seq >= 29)) {
    p.send(dataFrame('k1', sent++));
    if (sent % 5 === 0) await new Promise((r) => setTimeout(r, 5));
  }
  const acked = Math.max(...p.received.filter((f) => f.type === 'ack').map((f) => (f as { seq: number }).seq));
  one.child.kill('SIGKILL');
  await new Promise((r) => one.child.once('exit', r));
  p.ws.terminate();

  const two = await startServerProcess(archive);
  const q = await TestProducer.connect(two.url, TOKEN);
  q.send(startFrame('k1'));
  const ack = (await q.waitFor((f) => f.type === 'ack')) as { seq: number };
  assert.ok(ack.seq >= acked, `stored up to ${ack.seq}, acknowledged ${acked} before the kill`);
  for (let k = ack.seq + 1; k < ack.seq + 11; k++) q.send(dataFrame('k1', k));
  await q.waitForAck(ack.seq + 10);
  q.send({ type: 'end', session: 'k1', seq: ack.seq + 11 });
  await new Promise((r) => setTimeout(r, 100));
  await assertArchived(archive, 'k1', ack.seq + 11);
  q.close();
  two.child.kill('SIGTERM');
  await new Promise((r) => two.child.once('exit', r));
});
