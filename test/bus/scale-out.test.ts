/**
 * The bus mode end to end on a real nats-server with JetStream: four rigs stream at once through
 * two gateways while the inference worker and the archive worker are killed with SIGKILL and
 * restarted and the nats-server itself is killed and restarted. Every acknowledged frame must be
 * stored, predicted and archived exactly once, and the predictions must equal the embedded mode's
 * for the same recording.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { BusClient } from '../../bus/client.ts';
import { STREAMS, subjects } from '../../bus/config.ts';
import { buildGateway } from '../../bus/gateway.ts';
import { replay } from '../../producer/replay.ts';
import { defaultServerOptions } from '../../server/config.ts';
import { sleep, startServer, TOKEN } from '../server/helpers/server.ts';
import { NatsServer, WorkerProcess } from './helpers.ts';
import { archivedPredictions, framesOfSession, outputsOfSession } from './read-back.ts';

const RECORDING = resolve('fixtures/data/p4677-mini');
const MODELS = resolve('trained-models');
const RIGS = ['rig-a', 'rig-b', 'rig.c', 'rig_d'];
const root = mkdtempSync(join(tmpdir(), 'slipwatch-bus-'));
let nats: NatsServer;
const gateways: FastifyInstance[] = [];
const workers: WorkerProcess[] = [];

before(async () => {
  nats = await NatsServer.start(join(root, 'js'));
});
after(async () => {
  await Promise.all(workers.map((w) => w.kill('SIGTERM')));
  await Promise.all(gateways.map((g) => g.close()));
  await nats.stop();
  rmSync(root, { recursive: true, force: true });
});

async function gateway(): Promise<string> {
  const app = await buildGateway({ ...defaultServerOptions(), port: 0, producerToken: TOKEN, modelsDir: MODELS, flushIntervalMs: 5, maxFrameBytes: 8 << 20, bus: nats.url });
  gateways.push(app);
  return `${(await app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws')}/ingest`;
}

function worker(role: 'inference' | 'archive'): WorkerProcess {
  const w = new WorkerProcess(['--role', role, '--bus', nats.url, '--models', MODELS, '--archive', join(root, 'archive'), '--sessions', '4']);
  workers.push(w);
  return w;
}

/** Waits until fn is true (polling), or fails with what it was waiting for. */
async function until(fn: () => Promise<boolean>, what: string, timeoutMs = 40_000): Promise<void> {
  const t0 = Date.now();
  // a busy server may answer an info request late: that is no answer yet, not a failure
  while (!(await fn().catch(() => false))) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}; workers said:\n${workers.map((w) => w.output.slice(-1500)).join('\n--\n')}`);
    await sleep(100);
  }
}

test('four rigs through two gateways survive SIGKILLed workers and a restarted nats-server: every frame stored, predicted and archived once, predictions equal the embedded mode', { timeout: 120_000 }, async () => {
  // the embedded mode's predictions of the same recording: the reference
  const embeddedArchive = join(root, 'embedded');
  const embedded = await startServer(root, embeddedArchive, { modelsDir: MODELS });
  await replay({ recordingDir: RECORDING, url: embedded.url, token: TOKEN, session: 'reference', speed: 'max' });
  await embedded.app.close();
  const reference = await archivedPredictions(join(embeddedArchive, 'reference'));
  assert.ok(reference.friction.mean.length > 1000 && reference.ttf.mean.length > 1000, 'the embedded mode predicted');

  const urls = [await gateway(), await gateway()];
  let inference = worker('inference');
  let archiver = worker('archive');
  await Promise.all([inference.ready(), archiver.ready()]);
  const bus = await BusClient.connect(nats.url, 'test-observer');
  const outMessages = async () => (await bus.jsm.streams.info(STREAMS.out)).state.messages;

  const rigs = Promise.all(RIGS.map((session, i) => replay({ recordingDir: RECORDING, url: urls[i % 2], token: TOKEN, session, speed: 'max', window: 16 })));
  // mid-stream: kill the inference worker once it has published, the archiver, then the server
  await until(async () => (await outMessages()) > 20, 'the first predictions');
  await inference.kill('SIGKILL');
  inference = worker('inference');
  await until(async () => (await outMessages()) > 60, 'predictions after the restart');
  await archiver.kill('SIGKILL');
  archiver = worker('archive');
  await nats.restart();
  const sent = await rigs;
  assert.ok(sent.every((s) => s.frames === sent[0].frames && s.frames > 100));

  console.error(`bus test: rigs done at ${Math.round(performance.now())} ms`);
  await until(async () => (await bus.jsm.streams.info(STREAMS.claims)).state.messages === 0, 'every session predicted and archived to its end', 60_000);
  console.error(`bus test: claims done at ${Math.round(performance.now())} ms`);
  for (const session of RIGS) {
    const frames = await framesOfSession(bus, session);
    assert.deepEqual(frames, [...Array(sent[0].frames).keys()], `${session}: each frame stored once, in order`);
    const out = await outputsOfSession(bus, session);
    const archived = await archivedPredictions(join(root, 'archive', session));
    assert.deepEqual(archived.frameSeqs, frames, `${session}: each frame archived once`);
    for (const target of ['friction', 'ttf'] as const) {
      assert.deepEqual(out[target].index, [...Array(out[target].index.length).keys()].map((k) => k + out[target].index[0]), `${session} ${target}: predicted once, no gap`);
      assert.deepEqual(archived[target].index, out[target].index, `${session} ${target}: archived once`);
      assert.deepEqual(out[target].index, reference[target].index, `${session} ${target}: the embedded mode's samples`);
      const worst = Math.max(...out[target].mean.map((v, k) => Math.abs(v - reference[target].mean[k])));
      assert.ok(worst < 1e-4 * Math.max(1, Math.abs(reference[target].mean[0])), `${session} ${target}: predictions equal the embedded mode's (worst difference ${worst})`);
    }
    assert.deepEqual(out.alerts, reference.alerts, `${session}: the embedded mode's alerts, once each`);
  }
  await bus.close();
});
