/**
 * buildApp: the Fastify instance, composed of plugins (routes, ingest, stream, dashboard); the
 * serve CLI only listens. Tests build their own app on port 0. The shutdown order matters:
 * replays stop, sessions drain their pipelines (which still need the inference workers), then
 * dashboards close, then the workers.
 */
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import type { ServingModel } from '../pipeline/pipeline.ts';
import type { AlertingModel } from '../shared/alerts/hazard.ts';
import type { ServerOptions } from './config.ts';
import { registerErrorHandler } from './errors.ts';
import { loadAlertingModel } from './inference/load-alerting.ts';
import { loadServingModels } from './inference/load-models.ts';
import { registerIngest } from './ingest/route.ts';
import { newIngestStats } from './ingest/stats.ts';
import { createMetrics } from './metrics.ts';
import { ReplayManager } from './replay/manager.ts';
import { healthRoutes } from './routes/health.ts';
import { metricsRoutes } from './routes/metrics.ts';
import { replayRoutes } from './routes/replay.ts';
import { statusRoutes } from './routes/status.ts';
import { streamRoutes } from './routes/stream.ts';
import { Monitors } from './monitors.ts';
import { modelsFor } from './session/monitor.ts';
import { registerClient } from './static/client-bundle.ts';
import { DEFAULT_HUB_LIMITS, Hub, type HubLimits } from './stream/hub.ts';

export interface AppExtras {
  /** models to predict with (default: loaded from opts.modelsDir) */
  models?: ServingModel[];
  /** the failure forecaster (default: loaded from opts.modelsDir; null: none) */
  alerting?: AlertingModel | null;
  hubLimits?: HubLimits;
}

export async function buildApp(opts: ServerOptions, extras: AppExtras = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.log,
    // a client that trickles its request is cut off; strict schemas: no coercion of arrays or booleans
    requestTimeout: opts.requestTimeoutMs,
    connectionTimeout: opts.requestTimeoutMs,
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, verbose: true } },
  });
  registerErrorHandler(app);
  await app.register(websocket, { options: { maxPayload: opts.maxFrameBytes } });
  const workers = extras.models ? [] : await loadServingModels(opts.modelsDir, { runtime: opts.runtime });
  const models: ServingModel[] = extras.models ?? workers;
  const hub = new Hub({ ...DEFAULT_HUB_LIMITS, pingIntervalMs: opts.pingIntervalMs, ...extras.hubLimits });
  const ingest = newIngestStats();
  let monitors!: Monitors;
  const metrics = createMetrics({ ingest, hub: hub.stats, stages: () => monitors.stages(), pipelineErrors: () => monitors.pipelineErrors });
  const alerting = extras.alerting !== undefined ? extras.alerting : loadAlertingModel(opts.modelsDir);
  monitors = new Monitors(models, hub, metrics, app.log, alerting);
  monitors.configure(opts);
  const replays = new ReplayManager(opts.recordingsDir, () => ingestUrlOf(app), opts.producerToken, opts.archiveDir, opts);
  const backend = workers[0]?.backend ?? (extras.models ? 'in-process' : 'none');

  await app.register(healthRoutes);
  await app.register(statusRoutes, { models, backend, ingest, hub, monitors, alerting });
  await app.register(metricsRoutes, { registry: metrics.registry });
  await app.register(replayRoutes, { replays, models });
  registerClient(app);
  let drainIngest: () => Promise<void> = async () => {};
  await app.register(async (scope) => {
    ({ drain: drainIngest } = registerIngest(scope, opts, ingest, {
      outputs: (start) => {
        const usable = modelsFor(start, models);
        return { rateHz: usable[0]?.manifest.preset.sampleRateHz ?? 1, targets: usable.map((m) => m.manifest.target) };
      },
      onStart: (start, archive) => monitors.start(start, archive),
    }));
  });
  await app.register(streamRoutes, { models, hub });
  app.addHook('onClose', async () => {
    replays.stopAll();
    await drainIngest();
    hub.closeAll();
    await Promise.all(workers.map((w) => w.close()));
  });
  return app;
}

/** ws://HOST:PORT/ingest of this server once it listens (its own replays stream there). */
function ingestUrlOf(app: FastifyInstance): string {
  const a = app.server.address();
  if (!a || typeof a !== 'object') return '';
  return `ws://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}/ingest`;
}
