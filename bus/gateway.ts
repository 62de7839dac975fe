/**
 * The ingest gateway of the bus mode (`npm run serve -- --bus nats://HOST:PORT`): producers'
 * ws /ingest exactly as in the embedded mode (server/ingest/: validation, sessions, fencing, flow
 * control), with JetStream as the store: a frame is acknowledged once JetStream stored it. The
 * gateway runs no models; it reads their manifests only, to check start frames and to tell the
 * workers what a session's archive holds.
 */
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ServingModel } from '../pipeline/pipeline.ts';
import type { ServerOptions } from '../server/config.ts';
import { registerErrorHandler } from '../server/errors.ts';
import { BusSessionStore } from '../server/ingest/bus-store.ts';
import { registerIngest } from '../server/ingest/route.ts';
import { newIngestStats } from '../server/ingest/stats.ts';
import { healthRoutes } from '../server/routes/health.ts';
import { modelFolders } from '../server/inference/load-models.ts';
import { modelsFor } from '../server/session/monitor.ts';
import { BusClient } from './client.ts';

/** The models' manifests under dir (one subdirectory each), as models that cannot infer. */
export function manifestsOnly(dir: string): ServingModel[] {
  return modelFolders(dir).map(({ manifest }) => ({ manifest, infer: () => Promise.reject(new Error('the gateway runs no models')) }));
}

/** What a session's archive holds besides its signals (as the embedded server decides it). */
export function outputsOf(models: ServingModel[]) {
  return (start: Parameters<typeof modelsFor>[0]) => {
    const usable = modelsFor(start, models);
    return { rateHz: usable[0]?.manifest.preset.sampleRateHz ?? 1, targets: usable.map((m) => m.manifest.target) };
  };
}

export async function buildGateway(opts: ServerOptions & { bus: string }, extras: { models?: ServingModel[]; replicas?: number } = {}): Promise<FastifyInstance> {
  const bus = await BusClient.connect(opts.bus, `slipwatch-gateway-${process.pid}`);
  await bus.ensureStreams(extras.replicas);
  const models = extras.models ?? manifestsOnly(opts.modelsDir);
  const app = Fastify({ logger: opts.log, requestTimeout: opts.requestTimeoutMs, connectionTimeout: opts.requestTimeoutMs });
  registerErrorHandler(app);
  await app.register(websocket, { options: { maxPayload: opts.maxFrameBytes } });
  await app.register(healthRoutes);
  const ingest = newIngestStats();
  app.get('/status', async () => ({ mode: 'bus-gateway', bus: opts.bus, ingest }));
  let drain: () => Promise<void> = async () => {};
  await app.register(async (scope) => {
    ({ drain } = registerIngest(scope, opts, ingest, {
      outputs: outputsOf(models),
      openStore: (start, outputs) => BusSessionStore.open(bus, start, outputs),
      // the workers predict: nothing runs here, so the producer is never held back by this process
      onStart: () => ({ push: () => undefined, end: async () => undefined }),
    }));
  });
  app.addHook('onClose', async () => {
    await drain();
    await bus.close();
  });
  return app;
}
