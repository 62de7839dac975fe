/**
 * The fault test (issue 10): 20 rounds of SIGKILL at a random moment while two producers stream
 * and one of them races a duplicate start from a second connection; after each kill the archive
 * must hold every acknowledged frame exactly once, with the bytes of the producer it was acked to.
 * The server is the real one (cli/serve.ts) in a child process. Servers are started ahead of their
 * round (an idle server touches no archive until a start frame), so startup overlaps the rounds.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { readWholeStream } from '../../recording/arrow-stream.ts';
import { Rng } from '../../shared/random.ts';
import { startFrame, taggedFrame, TestProducer } from './helpers/producer.ts';
import { sleep, TOKEN } from './helpers/server.ts';

const ROUNDS = 20;
const root = mkdtempSync(join(tmpdir(), 'slipwatch-fault-'));
const archive = join(root, 'archive');
const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

function spawnServer(): Promise<{ child: ChildProcess; url: string }> {
  const serve = join(import.meta.dirname, '..', '..', 'cli', 'serve.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', serve, '--port', '0', '--token', TOKEN, '--archive', archive, '--models', join(root, 'no-models'), '--flush-ms', '5'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  child.once('exit', () => children.delete(child));
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

/** seq -> tag of the connection it was acknowledged to, per session */
const ackedTo: Record<string, Map<number, number>> = { fa: new Map(), fb: new Map() };
let tags = 1;

/** One producer connection: start, resume where the server says, stream tagged frames until closed. */
async function produce(url: string, session: string, stop: { now: boolean; acks: number }): Promise<void> {
  const tag = tags++;
  const p = await TestProducer.connect(url, TOKEN).catch(() => null);
  if (!p) return;
  p.send(startFrame(session));
  const first = (await p.waitFor((f) => f.type === 'ack', 3000).catch(() => null)) as { seq: number; aeSamples: number } | null;
  if (first) {
    assert.equal(first.aeSamples, (first.seq + 1) * 1000, 'the start ack says where AE resumes');
    p.ws.on('message', () => stop.acks++);
    for (let k = first.seq + 1; !p.closed && !stop.now; k++) {
      p.send(taggedFrame(session, k, tag));
      if (k % 4 === 0) await sleep(2);
    }
    const mine = ackedTo[session];
    const acks = p.received.filter((f) => f.type === 'ack').map((f) => (f as { seq: number }).seq);
    for (let s = first.seq + 1; s <= Math.max(-1, ...acks); s++) {
      assert.ok(!mine.has(s) || mine.get(s) === tag, `${session} frame ${s} acked to connections ${mine.get(s)} and ${tag}`);
      mine.set(s, tag);
    }
  }
  p.ws.terminate();
}

/** The archive after a kill: the index's frames are contiguous from 0 and every acked frame holds its bytes. */
async function checkArchive(session: string): Promise<number> {
  if (!existsSync(join(archive, session, 'recording.json'))) {
    assert.equal(ackedTo[session].size, 0, `${session}: frames acked but no archive`);
    return 0;
  }
  const { columns: idx } = await readWholeStream(join(archive, session, 'frames.arrows'));
  const { columns: ae } = await readWholeStream(join(archive, session, 'ae.arrows'));
  const { columns: mech } = await readWholeStream(join(archive, session, 'mech.arrows'));
  const n = idx.seq.length;
  for (let i = 0; i < n; i++) {
    assert.equal(idx.seq[i], i, `${session}: index row ${i}`);
    assert.equal(idx.ae_end_index[i], (i + 1) * 1000);
  }
  for (const [seq, tag] of ackedTo[session]) {
    assert.ok(seq < n, `${session}: acked frame ${seq} missing (${n} stored)`);
    const f = taggedFrame(session, seq, tag);
    assert.deepEqual(ae.ae0.subarray(seq * 1000, (seq + 1) * 1000), f.ae[0], `${session} frame ${seq} ae0`);
    assert.deepEqual(ae.ae1.subarray(seq * 1000, (seq + 1) * 1000), f.ae[1], `${session} frame ${seq} ae1`);
    assert.deepEqual(mech.mu.subarray(seq * 100, (seq + 1) * 100), f.mech.values.mu, `${session} frame ${seq} mu`);
  }
  return n;
}

test(`${ROUNDS} rounds of SIGKILL while two producers stream and one races a duplicate start: every acked frame once, intact`, async () => {
  const rng = new Rng(10);
  const rand = () => rng.uniform();
  const pool = [spawnServer()];
  let stored = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const server = await pool.shift()!;
    pool.push(spawnServer());
    const stop = { now: false, acks: 0 };
    const racer = (async () => {
      await sleep(rand() * 150);
      await produce(server.url, 'fa', stop); // takes 'fa' over from the first connection
    })();
    const runs = [produce(server.url, 'fa', stop), produce(server.url, 'fb', stop), racer];
    // kill at a random point once data flows (a loaded machine may take a while to get there)
    for (let i = 0; i < 300 && stop.acks < 2; i++) await sleep(10);
    await sleep(rand() * 400);
    server.child.kill('SIGKILL');
    await new Promise((r) => server.child.once('exit', r));
    stop.now = true;
    await Promise.all(runs);
    stored = (await checkArchive('fa')) + (await checkArchive('fb'));
  }
  for (const s of await Promise.all(pool)) s.child.kill('SIGKILL');
  const acked = ackedTo.fa.size + ackedTo.fb.size;
  assert.ok(acked > 100, `${acked} frames acknowledged over ${ROUNDS} rounds (${stored} stored)`);
});
