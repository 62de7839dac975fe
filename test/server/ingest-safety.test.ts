/**
 * Hostile producers over real sockets and files (issue 10): path escapes, session leaks, racing
 * takeovers, poisoned metadata, half-stored frames and vanished peers. Each failed on the old main.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readWholeStream } from '../../recording/arrow-stream.ts';
import { isSessionName } from '../../shared/protocol/session-name.ts';
import { dataFrame, startFrame, taggedFrame, TestProducer } from './helpers/producer.ts';
import { fdCount, sleep, startServer, TOKEN } from './helpers/server.ts';

const root = mkdtempSync(join(tmpdir(), 'slipwatch-safety-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = () => join(root, `case-${n++}`);

async function lastError(p: TestProducer, before: number) {
  return (await p.waitFor((f) => f.type === 'error' && p.received.indexOf(f) >= before)) as { code: string; message: string };
}

test('session names never create anything outside the archive root', async () => {
  const parent = fresh();
  const archive = join(parent, 'archive');
  const { app, url } = await startServer(root, archive);
  const p = await TestProducer.connect(url, TOKEN);
  for (const name of ['..', '.', '../escape', 'a/b', '..\\x', '.hidden', 'x\0y', '']) {
    const before = p.received.length;
    p.send(startFrame(name));
    const e = await lastError(p, before);
    assert.equal(e.code, 'bad-frame', name);
    assert.match(e.message, /session must be 1-64 characters/);
  }
  p.send(startFrame('ok.1'));
  await p.waitFor((f) => f.type === 'ack');
  p.close();
  await app.close();
  assert.deepEqual(readdirSync(parent), ['archive'], 'nothing beside the archive');
  for (const d of readdirSync(archive)) {
    assert.ok(isSessionName(d) && statSync(join(archive, d)).isDirectory(), d);
  }
  assert.deepEqual(readdirSync(archive), ['ok.1']);
});

test('one session per connection; closing connections releases their sessions and file handles', async () => {
  const { app, url } = await startServer(root, fresh());
  // warm up (lazy modules, the first archive) so the baseline holds what stays open anyway
  const w = await TestProducer.connect(url, TOKEN);
  w.send(startFrame('warm'));
  await w.waitFor((f) => f.type === 'ack');
  w.close();
  await sleep(100);
  const baseline = fdCount();
  const p = await TestProducer.connect(url, TOKEN);
  p.send(startFrame('s0'));
  for (let i = 1; i < 40; i++) p.send(startFrame(`s${i}`));
  await p.waitFor((f) => f.type === 'error' && /already carries session s0/.test(f.message));
  await sleep(100);
  assert.equal(p.received.filter((f) => f.type === 'ack').length, 1, 'only the first start is acked');
  assert.equal((await app.inject('/status')).json().ingest.activeSessions, 1);
  p.close();
  for (let i = 0; i < 30; i++) {
    const q = await TestProducer.connect(url, TOKEN);
    q.send(startFrame(`c${i}`));
    q.send(dataFrame(`c${i}`, 0));
    await q.waitForAck(0);
    if (i % 2) q.ws.terminate();
    else q.close();
  }
  await sleep(300);
  assert.equal((await app.inject('/status')).json().ingest.activeSessions, 0);
  assert.ok(fdCount() <= baseline + 3, `file handles ${baseline} -> ${fdCount()}`);
  await app.close();
});

test('a racing duplicate start fences the old writer: no sequence number is acked to two producers', async () => {
  const archive = fresh();
  const { app, url } = await startServer(root, archive);
  const acked = new Map<number, number>(); // seq -> tag of the producer it was acked to
  const run = async (tag: number, delayMs: number) => {
    await sleep(delayMs);
    const p = await TestProducer.connect(url, TOKEN);
    p.send(startFrame('race'));
    const first = (await p.waitFor((f) => f.type === 'ack').catch(() => null)) as { seq: number } | null;
    if (!first) return;
    let k = first.seq + 1;
    while (!p.closed && k < first.seq + 60) {
      p.send(taggedFrame('race', k++, tag));
      await sleep(1);
    }
    await sleep(100);
    const acks = p.received.filter((f) => f.type === 'ack').map((f) => (f as { seq: number }).seq);
    for (let s = first.seq + 1; s <= Math.max(...acks); s++) {
      assert.ok(!acked.has(s), `frame ${s} acked to producers ${acked.get(s)} and ${tag}`);
      acked.set(s, tag);
    }
    p.close();
  };
  await Promise.all([run(1, 0), run(2, 0), run(3, 15), run(4, 30)]);
  await app.close();
  const { columns: frames } = await readWholeStream(join(archive, 'race', 'frames.arrows'));
  const { columns: ae } = await readWholeStream(join(archive, 'race', 'ae.arrows'));
  assert.deepEqual(Array.from(frames.seq), Array.from({ length: frames.seq.length }, (_, k) => k), 'each frame once, in order');
  assert.ok(acked.size > 0);
  for (const [seq, tag] of acked) assert.deepEqual(ae.ae0.subarray(seq * 1000, (seq + 1) * 1000), taggedFrame('race', seq, tag).ae[0], `frame ${seq} holds producer ${tag}'s bytes`);
});

test('poisoned start frames are refused; one damaged recording.json does not break GET /recordings', async () => {
  const archive = fresh();
  const { app, url } = await startServer(root, archive);
  const p = await TestProducer.connect(url, TOKEN);
  const bad = [
    startFrame('p1', { mech: { rateHz: Number.POSITIVE_INFINITY, channels: ['mu'] } }),
    startFrame('p1', { mech: { rateHz: 1e308, channels: ['mu'] } }),
    startFrame('p1', { aeChannels: [{ name: 'a', unit: 'V', scale: Number.POSITIVE_INFINITY }] }),
    startFrame('p1', { aeChannels: [{ name: 'a', unit: 'u'.repeat(1 << 20), scale: 1 }] }),
  ];
  for (const f of bad) {
    const before = p.received.length;
    p.send(f);
    assert.equal((await lastError(p, before)).code, 'bad-frame');
  }
  p.send(startFrame('good'));
  await p.waitFor((f) => f.type === 'ack');
  p.close();
  // a recording.json damaged some other way (hand-edited, written by an old server)
  mkdirSync(join(archive, 'damaged'));
  writeFileSync(join(archive, 'damaged', 'recording.json'), '{"format": "slipwatch-recording", "streams": {"ae": {"sampleRateHz": null}}}');
  const res = await app.inject('/recordings');
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json().recordings.map((r: { id: string }) => r.id), ['archive/good']);
  await app.close();
});

test('a frame is validated whole before any byte is stored; the correct retry is stored once', async () => {
  const archive = fresh();
  const { app, url } = await startServer(root, archive);
  const p = await TestProducer.connect(url, TOKEN);
  p.send(startFrame('h1', { mech: { rateHz: 1000, channels: ['mu', 'shear_stress_MPa'] } }));
  await p.waitFor((f) => f.type === 'ack');
  p.send(dataFrame('h1', 0));
  await p.waitForAck(0);
  const f1 = dataFrame('h1', 1);
  const cases = [
    { ...f1, mech: { startIndex: 100, values: { mu: f1.mech.values.mu, shear_stress_MPa: new Float32Array(50) } } },
    { ...f1, mech: { startIndex: 90, values: f1.mech.values } },
    { ...f1, mech: { startIndex: 100, values: { normal_stress_MPa: new Float32Array(100) } } },
    { ...f1, ae: [f1.ae[0], new Float32Array(1000)] },
  ];
  for (const bad of cases) {
    const before = p.received.length;
    p.send(bad);
    const e = await lastError(p, before);
    assert.equal(e.code, 'bad-frame', e.message);
    assert.doesNotMatch(e.message, /\//, 'no server path in the message');
  }
  for (let k = 1; k < 5; k++) p.send(dataFrame('h1', k));
  await p.waitForAck(4);
  p.close();
  await app.close();
  const { columns: ae } = await readWholeStream(join(archive, 'h1', 'ae.arrows'));
  const { columns: mech } = await readWholeStream(join(archive, 'h1', 'mech.arrows'));
  assert.equal(ae.ae0.length, 5000, 'five frames of AE, none twice');
  assert.equal(mech.mu.length, 500);
  assert.deepEqual(ae.ae0.subarray(1000, 2000), dataFrame('h1', 1).ae[0]);
});

test('a producer that stops answering pings is dropped and its session released', async () => {
  const { app, url } = await startServer(root, fresh(), { pingIntervalMs: 100 });
  const p = await TestProducer.connect(url, TOKEN);
  p.send(startFrame('quiet'));
  await p.waitFor((f) => f.type === 'ack');
  const alive = await TestProducer.connect(url, TOKEN); // answers pings: stays
  (p.ws as unknown as { _socket: { pause(): void } })._socket.pause(); // a vanished peer reads nothing
  await sleep(600);
  const st = (await app.inject('/status')).json().ingest;
  assert.equal(st.activeSessions, 0);
  assert.equal(st.keepaliveTimeouts, 1);
  assert.equal(alive.closed, null, 'a peer that answers is kept');
  alive.close();
  p.ws.terminate();
  await app.close();
});
