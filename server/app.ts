/**
 * buildApp: the Fastify instance with every route; main.ts only listens. Tests build their own
 * app on port 0.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import type { ServerOptions } from './config.ts';
import { registerIngest } from './ingest/route.ts';
import { newIngestStats } from './ingest/stats.ts';
import type { ServingModel } from './pipeline/pipeline.ts';
import { loadServingModels } from './predict/models.ts';
import { SessionPredictor } from './predict/session-predictor.ts';
import { Hub, type HubLimits } from './stream/hub.ts';

export interface AppExtras {
  /** models to predict with (default: loaded from opts.modelsDir) */
  models?: ServingModel[];
  hubLimits?: HubLimits;
}

export async function buildApp(opts: ServerOptions, extras: AppExtras = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.log });
  await app.register(websocket, { options: { maxPayload: opts.maxFrameBytes } });
  const workers = extras.models ? [] : await loadServingModels(opts.modelsDir);
  const models: ServingModel[] = extras.models ?? workers;
  const hub = new Hub(extras.hubLimits);
  const ingest = newIngestStats();
  const started = Date.now();
  let pipelineErrors = 0;
  app.get('/health', { schema: { response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } } } }, async () => ({ ok: true }));
  app.get('/status', async () => ({
    uptimeS: (Date.now() - started) / 1000,
    ingest,
    stream: hub.stats,
    models: models.map((m) => ({ name: m.manifest.name, target: m.manifest.target, preset: m.manifest.preset.id })),
    pipelineErrors,
  }));
  await app.register(async (scope) => {
    registerIngest(scope, opts, ingest, {
      onStart: (start) =>
        new SessionPredictor(start, models, (f) => hub.publish(f), (e) => {
          pipelineErrors++;
          app.log.error(e);
        }),
    });
    // dashboards: read-only, no token
    scope.get('/stream', { websocket: true }, (socket) => {
      hub.add(socket, { type: 'hello', models: models.map((m) => ({ name: m.manifest.name, target: m.manifest.target, preset: m.manifest.preset })) });
    });
  });
  app.addHook('onClose', async () => {
    hub.closeAll();
    await Promise.all(workers.map((w) => w.close()));
  });
  return app;
}
