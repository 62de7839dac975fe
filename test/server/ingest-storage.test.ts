/**
 * Storage errors on a real size-limited tmpfs (skipped where the machine cannot mount one): a full
 * archive disk is reported to the producer with its cause, counted, never crashes the server
 * (predictions included), and the session resumes once space is back; a read-only archive says
 * EROFS, not ENOENT. Failed on the old main (SIGABRT; misleading ENOENT).
 */
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readWholeStream } from '../../recording/arrow-stream.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/frames.ts';
import { testModel } from './helpers/model.ts';
import { dataFrame, startFrame, TestProducer } from './helpers/producer.ts';
import { mountTmpfs, resizeTmpfs, sleep, startServer, TOKEN } from './helpers/server.ts';

const root = mkdtempSync(join(tmpdir(), 'slipwatch-storage-'));
const unmounts: (() => void)[] = [];
after(() => {
  for (const u of unmounts) u();
  rmSync(root, { recursive: true, force: true });
});
function tmpfs(name: string, kb: number, ro = false): string | null {
  const dir = join(root, name);
  const u = mountTmpfs(dir, kb, ro);
  if (!u) return null;
  unmounts.push(u);
  return dir;
}

/** Fill a file system until it is full; returns the filler file. */
function fill(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  const chunk = new Uint8Array(64 << 10);
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    // ENOSPC: full
  }
  closeSync(fd);
  return path;
}

test('disk full: the producer hears ENOSPC, the server keeps serving, the session resumes once space is back', async (t) => {
  const disk = tmpfs('full', 384);
  if (!disk) return t.skip('cannot mount a tmpfs here (needs root)');
  const archive = join(disk, 'archive');
  const { app, url } = await startServer(root, archive);
  const p = await TestProducer.connect(url, TOKEN);
  p.send(startFrame('f1'));
  await p.waitFor((f) => f.type === 'ack');
  for (let k = 0; k < 400 && !p.closed && !p.received.some((f) => f.type === 'error'); k++) {
    p.send(dataFrame('f1', k));
    await sleep(1);
  }
  const err = (await p.waitFor((f) => f.type === 'error')) as { code: string; message: string };
  assert.equal(err.code, 'storage');
  assert.match(err.message, /^ENOSPC: no space left on the archive device \(write\) while storing frame/);
  assert.doesNotMatch(err.message, /\//, 'no server path');
  await sleep(100);
  assert.equal(p.closed?.code, 4010);
  const acked = Math.max(...p.received.filter((f) => f.type === 'ack').map((f) => (f as { seq: number }).seq));
  assert.equal((await app.inject('/health')).statusCode, 200);
  const st = (await app.inject('/status')).json().ingest;
  assert.ok(st.storageErrors.ENOSPC >= 1, JSON.stringify(st));

  resizeTmpfs(disk, 8192); // space is back
  const q = await TestProducer.connect(url, TOKEN);
  q.send(startFrame('f1'));
  const ack = (await q.waitFor((f) => f.type === 'ack')) as { seq: number; aeSamples: number };
  assert.ok(ack.seq >= acked, `resumes after ${ack.seq}, ${acked} was acknowledged`);
  assert.equal(ack.aeSamples, (ack.seq + 1) * 1000);
  const total = ack.seq + 21;
  for (let k = ack.seq + 1; k < total; k++) q.send(dataFrame('f1', k));
  await q.waitForAck(total - 1);
  q.close();
  await app.close();
  const { columns: ae } = await readWholeStream(join(archive, 'f1', 'ae.arrows'));
  const { columns: frames } = await readWholeStream(join(archive, 'f1', 'frames.arrows'));
  assert.deepEqual(Array.from(frames.seq), Array.from({ length: total }, (_, k) => k));
  for (let k = 0; k < total; k++) assert.deepEqual(ae.ae0.subarray(k * 1000, (k + 1) * 1000), dataFrame('f1', k).ae[0], `frame ${k}`);
});

test('a read-only archive is refused with EROFS, not a misleading ENOENT', async (t) => {
  const disk = tmpfs('ro', 64, true);
  if (!disk) return t.skip('cannot mount a tmpfs here (needs root)');
  const { app, url } = await startServer(root, join(disk, 'archive'));
  const p = await TestProducer.connect(url, TOKEN);
  p.send(startFrame('r1'));
  const err = (await p.waitFor((f) => f.type === 'error')) as { code: string; message: string };
  assert.equal(err.code, 'storage');
  assert.match(err.message, /^EROFS: the archive is on a read-only file system \(mkdir\)/);
  p.close();
  await app.close();
});

test('predictions that cannot be archived (disk full) are counted; the server does not crash', async (t) => {
  const disk = tmpfs('preds', 4096);
  if (!disk) return t.skip('cannot mount a tmpfs here (needs root)');
  const { app, url } = await startServer(root, join(disk, 'archive'), {}, { models: [await testModel()] });
  const p = await TestProducer.connect(url, TOKEN);
  p.send({ ...startFrame('m1'), mech: undefined, protocol: PROTOCOL_VERSION });
  await p.waitFor((f) => f.type === 'ack');
  const frame = (k: number) => ({ ...dataFrame('m1', k), mech: undefined });
  for (let k = 0; k < 60; k++) p.send(frame(k));
  await p.waitForAck(59, 20_000);
  const filler = fill(disk);
  // the pipeline's last predictions come out at the end, onto a full disk
  p.send({ type: 'end', session: 'm1', seq: 60 });
  for (let i = 0; i < 100 && (await app.inject('/status')).json().ingest.predictionsNotArchived === 0; i++) await sleep(50);
  const st = (await app.inject('/status')).json().ingest;
  assert.ok(st.predictionsNotArchived > 0, JSON.stringify(st));
  assert.ok(st.storageErrors.ENOSPC >= 1);
  assert.equal((await app.inject('/health')).statusCode, 200);
  rmSync(filler);
  p.close();
  await app.close();
});
