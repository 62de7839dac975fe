/**
 * The bus mode end to end on a real nats-server with JetStream: four rigs stream at once through
 * two gateways into conditioning (two workers), inference, alerts and archive workers and two
 * dashboard gateways, while a worker of every role is killed with SIGKILL and restarted and the
 * nats-server itself is killed and restarted. Every acknowledged frame must be stored,
 * conditioned, predicted and archived exactly once, the predictions and alerts must equal the
 * embedded mode's for the same recording, and a dashboard must receive each prediction once.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { BusClient } from '../../bus/client.ts';
import { CLAIM_ROLES, STREAMS } from '../../bus/config.ts';
import { buildGateway } from '../../bus/gateway.ts';
import { replay } from '../../producer/replay.ts';
import { defaultServerOptions } from '../../server/config.ts';
import { sleep, startServer, TOKEN } from '../server/helpers/server.ts';
import { DashboardClient } from './dashboard-client.ts';
import { freePort, NatsServer, WorkerProcess } from './helpers.ts';
import { archivedPredictions, conditionedFrames, framesOfSession, outputsOfSession } from './read-back.ts';

const RECORDING = resolve('fixtures/data/p4677-mini');
const RIGS = ['rig-a', 'rig-b', 'rig.c', 'rig_d'];
const root = mkdtempSync(join(tmpdir(), 'slipwatch-bus-'));
// the shipped 2 s models and forecaster, apart: a model added to trained-models later changes nothing here
const MODELS = join(root, 'models');
for (const name of ['friction', 'ttf', 'alerting']) cpSync(resolve('trained-models', name), join(MODELS, name), { recursive: true });
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

function worker(role: string, extra: string[] = []): WorkerProcess {
  const w = new WorkerProcess(['--role', role, '--bus', nats.url, '--models', MODELS, '--archive', join(root, 'archive'), '--sessions', '4', ...extra]);
  workers.push(w);
  return w;
}

/** SIGKILL a worker and start another with the same arguments (not waiting for it to be ready). */
async function killAndRestart(w: WorkerProcess): Promise<WorkerProcess> {
  await w.kill('SIGKILL');
  const again = new WorkerProcess(w.args);
  workers.push(again);
  return again;
}

/** Waits until fn is true (polling), or fails with what it was waiting for. */
async function until(fn: () => Promise<boolean>, what: string, timeoutMs = 40_000): Promise<void> {
  const t0 = Date.now();
  console.error(`bus test: ${Math.round(performance.now())} ms: waiting for ${what}`);
  // a busy server may answer an info request late: that is no answer yet, not a failure
  while (!(await fn().catch(() => false))) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}; workers said:\n${workers.map((w) => w.output.slice(-1500)).join('\n--\n')}`);
    await sleep(100);
  }
}

/** Each target's samples as one run from its first index, no repeat and no gap. */
function assertOnceInOrder(index: number[], what: string): void {
  assert.deepEqual(index, index.map((_, k) => k + index[0]), what);
}

test('four rigs through two gateways survive a SIGKILLed worker of every role and a restarted nats-server: every frame stored, conditioned, predicted and archived once, predictions and alerts equal the embedded mode, dashboards get each prediction once', { timeout: 240_000 }, async () => {
  const urls = [await gateway(), await gateway()];
  const dashPorts = [await freePort(), await freePort()];
  let conditioning = worker('conditioning', ['--sessions', '2']);
  const conditioning2 = worker('conditioning', ['--sessions', '2']);
  let inference = worker('inference');
  let alerts = worker('alerts');
  let archiver = worker('archive');
  let dash = worker('dashboard', ['--port', String(dashPorts[0])]);
  const dash2 = worker('dashboard', ['--port', String(dashPorts[1])]);
  // while they start: the embedded mode's predictions of the same recording, the reference
  const embeddedArchive = join(root, 'embedded');
  const embedded = await startServer(root, embeddedArchive, { modelsDir: MODELS });
  await replay({ recordingDir: RECORDING, url: embedded.url, token: TOKEN, session: 'reference', speed: 'max' });
  await embedded.app.close();
  const reference = await archivedPredictions(join(embeddedArchive, 'reference'));
  assert.ok(reference.friction.mean.length > 1000 && reference.ttf.mean.length > 1000, 'the embedded mode predicted');
  assert.ok(reference.alerts.length > 0, 'the embedded mode raised alerts (the alerts role has something to match)');
  await Promise.all([conditioning, conditioning2, inference, alerts, archiver, dash, dash2].map((w) => w.ready()));
  // two dashboards watching from the start: one through the gateway that stays, one through the one killed
  const steady = new DashboardClient();
  const moved = new DashboardClient();
  await Promise.all([steady.connect(`ws://127.0.0.1:${dashPorts[1]}/stream`), moved.connect(`ws://127.0.0.1:${dashPorts[0]}/stream`)]);
  const bus = await BusClient.connect(nats.url, 'test-observer');
  const count = async (stream: string) => (await bus.jsm.streams.info(stream)).state.messages;

  const rigs = Promise.all(RIGS.map((session, i) => replay({ recordingDir: RECORDING, url: urls[i % 2], token: TOKEN, session, speed: 'max', window: 16 })));
  // mid-stream, a worker of every role: conditioning and alerts once conditioning has begun,
  // inference once it has published, archive and a dashboard gateway next, then the server
  await until(async () => (await count(STREAMS.cond)) > 100, 'the first conditioned frames');
  [conditioning, alerts] = await Promise.all([killAndRestart(conditioning), killAndRestart(alerts)]);
  // (late enough that each session has predictions past its first window: the restart resumes there)
  await until(async () => (await count(STREAMS.out)) > 240, 'predictions past the first windows');
  inference = await killAndRestart(inference);
  await until(async () => (await count(STREAMS.out)) > 480, 'predictions after the restart');
  const movedClosed = moved.closed();
  [archiver, dash] = await Promise.all([killAndRestart(archiver), killAndRestart(dash)]);
  await movedClosed;
  await nats.restart();
  await dash.ready();
  await moved.connect(`ws://127.0.0.1:${dashPorts[0]}/stream`); // as the browser's worker reconnects
  const sent = await rigs;
  assert.ok(sent.every((s) => s.frames === sent[0].frames && s.frames > 100));

  // done when every role's claim consumer has nothing pending or unacked. (Not "SW_CLAIMS is empty":
  // a claim acked just before the server's SIGKILL can stay in the work-queue stream with the
  // consumer already past it; docs/scale-out.md.)
  const open = async () => {
    const left: string[] = [];
    for (const role of CLAIM_ROLES) {
      const c = await bus.jsm.consumers.info(STREAMS.claims, `claims-${role}`);
      if (c.num_pending + c.num_ack_pending > 0) left.push(`${role}: ${c.num_pending} pending, ${c.num_ack_pending} unacked`);
    }
    return left;
  };
  await until(async () => (await open()).length === 0, 'every session conditioned, predicted, alerted and archived to its end', 90_000).catch(async (e: Error) => {
    throw new Error(`claims open: ${(await open()).join('; ')}\n${e.message}`);
  });
  await sleep(500); // the last frames on their way to the dashboards
  for (const session of RIGS) {
    const frames = await framesOfSession(bus, session);
    assert.deepEqual(frames, [...Array(sent[0].frames).keys()], `${session}: each frame stored once, in order`);
    assert.deepEqual(await conditionedFrames(bus, session), frames, `${session}: each frame conditioned once, in order`);
    const out = await outputsOfSession(bus, session);
    const archived = await archivedPredictions(join(root, 'archive', session));
    assert.deepEqual(archived.frameSeqs, frames, `${session}: each frame archived once`);
    for (const target of ['friction', 'ttf'] as const) {
      assertOnceInOrder(out[target].index, `${session} ${target}: predicted once, no gap`);
      assert.deepEqual(archived[target].index, out[target].index, `${session} ${target}: archived once`);
      assert.deepEqual(out[target].index, reference[target].index, `${session} ${target}: the embedded mode's samples`);
      const worst = Math.max(...out[target].mean.map((v, k) => Math.abs(v - reference[target].mean[k])));
      assert.ok(worst < 1e-4 * Math.max(1, Math.abs(reference[target].mean[0])), `${session} ${target}: predictions equal the embedded mode's (worst difference ${worst})`);
      // the dashboard that watched throughout got every prediction once; the other, once each of what it saw
      assert.deepEqual(steady.predictions.get(`${session}/${target}`)?.index, out[target].index, `${session} ${target}: the steady dashboard got each prediction once`);
      const seen = moved.predictions.get(`${session}/${target}`)?.index ?? [];
      assert.equal(new Set(seen).size, seen.length, `${session} ${target}: the dashboard on the restarted gateway got no prediction twice`);
    }
    assert.deepEqual(out.alerts, reference.alerts, `${session}: the embedded mode's alerts, once each`);
    assert.deepEqual(steady.alerts.get(session), reference.alerts, `${session}: the steady dashboard got each alert once`);
  }
  assert.ok((steady.kinds.get('envelope') ?? 0) > 0 && (steady.kinds.get('nowcast') ?? 0) > 0 && (steady.kinds.get('tile') ?? 0) > 0, 'views reach the dashboards');
  assert.ok([...moved.predictions.values()].some((s) => s.index.length > 0), 'the restarted dashboard gateway fans out again');
  assert.match(workers.map((w) => w.output).join('\n'), /inference: session \S+ resumes at model-rate index [1-9]/, 'a restarted inference worker resumed from the checkpoint, not from the session start');
  steady.close();
  moved.close();
  await bus.close();
});
