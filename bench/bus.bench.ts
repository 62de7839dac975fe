/**
 * npm run bench -- bus: the bus mode on a real nats-server (JetStream, file storage) next to the
 * embedded mode, in the same run: aggregate ingest throughput of 4 rigs through a gateway (acked
 * after JetStream stored each frame) vs the embedded archive, prediction throughput with 1 and 2
 * inference workers, the bus's cost per frame, and the cost of syncing every write to disk.
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BusClient } from '../bus/client.ts';
import { STREAMS } from '../bus/config.ts';
import { buildGateway } from '../bus/gateway.ts';
import { replay } from '../producer/replay.ts';
import { defaultServerOptions } from '../server/config.ts';
import { NatsServer, WorkerProcess } from '../test/bus/helpers.ts';
import { startServer, TOKEN } from '../test/server/helpers/server.ts';

const RECORDING = resolve('fixtures/data/p4677-mini');
const MODELS = resolve('trained-models');
const RIGS = 4;

/** 4 rigs at max speed into url; M samples/s over all of them. */
async function ingest(url: (i: number) => string, tag: string): Promise<{ s: number; frames: number; msps: number }> {
  const t0 = performance.now();
  const r = await Promise.all(Array.from({ length: RIGS }, (_, i) => replay({ recordingDir: RECORDING, url: url(i), token: TOKEN, session: `${tag}-${i}`, speed: 'max' })));
  const s = (performance.now() - t0) / 1000;
  const frames = r.reduce((a, x) => a + x.frames, 0);
  // p4677-mini: 40 s at 10 kHz, 1 AE channel per frame of 0.1 s
  return { s, frames, msps: (frames * 1000) / s / 1e6 };
}

/** Write 400 kB blocks, with and without an fsync after each: what `sync_interval: always` adds per message. */
function fsyncCost(dir: string): { plainMs: number; syncedMs: number } {
  const fd = openSync(join(dir, 'probe'), 'w');
  const block = Buffer.alloc(400_000, 7);
  const time = (sync: boolean) => {
    const t0 = performance.now();
    for (let i = 0; i < 50; i++) {
      writeSync(fd, block);
      if (sync) fsyncSync(fd);
    }
    return (performance.now() - t0) / 50;
  };
  const plainMs = time(false);
  const syncedMs = time(true);
  closeSync(fd);
  return { plainMs, syncedMs };
}

async function predictionRun(nats: NatsServer, workers: number, archive: string): Promise<number> {
  const procs = Array.from({ length: workers }, () => new WorkerProcess(['--role', 'inference', '--bus', nats.url, '--models', MODELS, '--sessions', String(Math.ceil(RIGS / workers))]));
  await Promise.all(procs.map((p) => p.ready()));
  const bus = await BusClient.connect(nats.url, 'bench');
  const gw = await buildGateway({ ...defaultServerOptions(), port: 0, producerToken: TOKEN, modelsDir: MODELS, flushIntervalMs: 5, maxFrameBytes: 8 << 20, bus: nats.url });
  const url = `${(await gw.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws')}/ingest`;
  const t0 = performance.now();
  await ingest(() => url, `pred${workers}`);
  // done when every inference claim of this run is acked (the archive claims stay: no archiver here)
  const claims = async () => (await bus.jsm.consumers.info(STREAMS.claims, 'claims-inference')).num_ack_pending + (await bus.jsm.consumers.info(STREAMS.claims, 'claims-inference')).num_pending;
  while ((await claims()) > 0) await new Promise((r) => setTimeout(r, 100));
  const s = (performance.now() - t0) / 1000;
  await Promise.all(procs.map((p) => p.kill('SIGTERM')));
  await gw.close();
  await bus.close();
  void archive;
  return (RIGS * 40) / s; // seconds of AE predicted per second
}

export async function benchBus(): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'slipwatch-bench-bus-'));
  const nats = await NatsServer.start(join(root, 'js'));
  try {
    const embedded = await startServer(root, join(root, 'embedded'));
    const emb = await ingest(() => embedded.url, 'emb');
    await embedded.app.close();
    const gws = await Promise.all([0, 1].map(async () => {
      const gw = await buildGateway({ ...defaultServerOptions(), port: 0, producerToken: TOKEN, modelsDir: join(root, 'no-models'), flushIntervalMs: 5, maxFrameBytes: 8 << 20, bus: nats.url });
      return { gw, url: `${(await gw.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws')}/ingest` };
    }));
    const one = await ingest(() => gws[0].url, 'bus1');
    const two = await ingest((i) => gws[i % 2].url, 'bus2');
    await Promise.all(gws.map((g) => g.gw.close()));
    const p1 = await predictionRun(nats, 1, root);
    const p2 = await predictionRun(nats, 2, root);
    const f = fsyncCost(root);
    const perFrameEmb = (emb.s * 1000) / emb.frames;
    const perFrameBus = (one.s * 1000) / one.frames;
    return [
      `${RIGS} rigs replaying p4677-mini (10 kHz, 1 AE channel, 0.1 s frames) as fast as acks allow, all processes on this machine, nats-server ${'2.9'} with file storage.`,
      '',
      '| run | wall s | frames | aggregate ingest, M samples/s | ratio to embedded |',
      '|---|---|---|---|---|',
      `| embedded (Arrow archive, fsync, no models) | ${emb.s.toFixed(2)} | ${emb.frames} | ${emb.msps.toFixed(2)} | 1.00 |`,
      `| bus, 1 gateway (ack after JetStream stored) | ${one.s.toFixed(2)} | ${one.frames} | ${one.msps.toFixed(2)} | ${(one.msps / emb.msps).toFixed(2)} |`,
      `| bus, 2 gateways in one process | ${two.s.toFixed(2)} | ${two.frames} | ${two.msps.toFixed(2)} | ${(two.msps / emb.msps).toFixed(2)} |`,
      '',
      `Prediction (friction + ttf models, conditioning included), seconds of AE predicted per second over the ${RIGS} rigs, ingest included: 1 inference worker ${p1.toFixed(1)} x real time, 2 workers ${p2.toFixed(1)} x real time (ratio ${(p2 / p1).toFixed(2)}).`,
      '',
      `Per frame at the producer (wall time / frames, ${RIGS} rigs in parallel): embedded ${perFrameEmb.toFixed(3)} ms, bus ${perFrameBus.toFixed(3)} ms: the bus costs ${(perFrameBus - perFrameEmb).toFixed(3)} ms per frame here.`,
      '',
      `Disk sync per 400 kB message on this disk (a proxy for \`sync_interval: always\`, which nats-server 2.9 does not have): write ${f.plainMs.toFixed(3)} ms, write + fsync ${f.syncedMs.toFixed(3)} ms.`,
    ].join('\n');
  } finally {
    await nats.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
