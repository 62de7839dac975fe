/**
 * buildApp: the Fastify instance with every route; main.ts only listens. Tests build their own
 * app on port 0.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import type { ServerOptions } from './config.ts';
import { registerIngest } from './ingest/route.ts';
import { newIngestStats } from './ingest/stats.ts';
import type { ServingModel } from '../pipeline/pipeline.ts';
import { loadServingModels } from './inference/load-models.ts';
import { modelsFor, SessionPredictor } from './session/monitor.ts';
import { ReplayManager } from './replay/manager.ts';
import { registerClient } from './static/client-bundle.ts';
import { Hub, type HubLimits } from './stream/hub.ts';
import type { HelloFrame, StartFrame } from '../shared/protocol/frames.ts';
import { extractColumns, TILE_RANGE } from '../shared/tiles.ts';
import { cwtPlanFor, tileColumns } from '../shared/signal/window-preset.ts';

export interface AppExtras {
  /** models to predict with (default: loaded from opts.modelsDir) */
  models?: ServingModel[];
  hubLimits?: HubLimits;
}

/** The first frame a dashboard gets: the models, and how to draw their scalogram tiles. */
function helloFrame(models: ServingModel[]): HelloFrame {
  return {
    type: 'hello',
    models: models.map((m) => {
      const { preset } = m.manifest;
      const plan = cwtPlanFor(preset);
      const cols = tileColumns(preset);
      return {
        name: m.manifest.name,
        target: m.manifest.target,
        preset: { id: preset.id, windowS: preset.windowS, stepS: preset.stepS, sampleRateHz: preset.sampleRateHz },
        tiles: { scales: plan.scales, columns: cols.count, coi: Uint8Array.from(extractColumns(Float32Array.from(plan.coneOfInfluence()), 1, plan.scales, plan.n, cols.from, cols.count)), periodsS: plan.periodsS(), range: TILE_RANGE },
      };
    }),
  };
}

export async function buildApp(opts: ServerOptions, extras: AppExtras = {}): Promise<FastifyInstance> {
  const app = Fastify({ logger: opts.log });
  await app.register(websocket, { options: { maxPayload: opts.maxFrameBytes } });
  const workers = extras.models ? [] : await loadServingModels(opts.modelsDir, { runtime: opts.runtime });
  const models: ServingModel[] = extras.models ?? workers;
  const hub = new Hub(extras.hubLimits);
  const ingest = newIngestStats();
  const started = Date.now();
  let pipelineErrors = 0;
  const predictors = new Map<string, SessionPredictor>();
  app.get('/health', { schema: { response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } } } }, async () => ({ ok: true }));
  app.get('/status', async () => ({
    uptimeS: (Date.now() - started) / 1000,
    ingest,
    stream: hub.stats,
    models: models.map((m) => ({ name: m.manifest.name, target: m.manifest.target, preset: m.manifest.preset.id })),
    pipelineErrors,
    alertScores: Object.fromEntries([...predictors].map(([id, p]) => [id, p.scores()])),
    latencyMs: Object.fromEntries([...predictors].map(([id, p]) => [id, p.latencyMs.summary()])),
    stages: Object.fromEntries([...predictors].map(([id, p]) => [id, { framesIn: p.framesIn, infer: p.stages }])),
    backend: workers[0]?.backend ?? (extras.models ? 'in-process' : 'none'),
  }));
  registerClient(app);
  app.get('/alerts', async () => Object.fromEntries([...predictors].map(([id, p]) => [id, p.alerts.history])));
  app.get('/models', async () => models.map((m) => m.manifest));
  // replays into this server's own ingest
  let ingestUrl = '';
  app.addHook('onListen', async () => {
    const a = app.server.address();
    if (a && typeof a === 'object') ingestUrl = `ws://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}/ingest`;
  });
  const replays = new ReplayManager(opts.recordingsDir, () => ingestUrl, opts.producerToken, opts.archiveDir);
  const errorSchema = { type: 'object', properties: { error: { type: 'string' } } };
  app.get('/recordings', async () => ({ recordings: replays.recordingInfos() }));
  app.get('/replay', async () => ({ replays: replays.list() }));
  app.post<{ Body: { recording: string; speed?: number | 'max'; fromS?: number; preset?: string; models?: string[] } }>(
    '/replay',
    {
      schema: {
        body: {
          type: 'object',
          required: ['recording'],
          properties: {
            recording: { type: 'string' },
            speed: { anyOf: [{ type: 'number', exclusiveMinimum: 0 }, { const: 'max' }] },
            fromS: { type: 'number', minimum: 0 },
            preset: { type: 'string' },
            models: { type: 'array', items: { type: 'string' }, minItems: 1 },
          },
        },
        response: { 400: errorSchema },
      },
    },
    async (req, reply) => {
      try {
        const { recording, speed = 1, fromS = 0, preset, models: chosen } = req.body;
        modelsFor({ preset, models: chosen, aeRateHz: 0 } as unknown as StartFrame, models); // refuse unknown presets and names now, not in the replay
        return replays.start(recording, speed, fromS, preset, chosen);
      } catch (e) {
        return reply.code(400).send({ error: (e as Error).message });
      }
    },
  );
  app.post<{ Params: { id: string; action: string } }>('/replay/:id/:action', { schema: { response: { 400: errorSchema } } }, async (req, reply) => {
    const { id, action } = req.params;
    if (action !== 'pause' && action !== 'resume' && action !== 'stop') return reply.code(400).send({ error: `action must be pause, resume or stop, got ${action}` });
    try {
      return replays.control(id, action);
    } catch (e) {
      return reply.code(400).send({ error: (e as Error).message });
    }
  });
  // Prometheus text exposition
  app.get('/metrics', async (_req, reply) => {
    const lines = [
      '# HELP slipwatch_ingest_frames_total Data frames accepted.',
      '# TYPE slipwatch_ingest_frames_total counter',
      `slipwatch_ingest_frames_total ${ingest.framesAccepted}`,
      '# HELP slipwatch_ingest_samples_total AE samples accepted (all channels).',
      '# TYPE slipwatch_ingest_samples_total counter',
      `slipwatch_ingest_samples_total ${ingest.samplesAccepted}`,
      '# HELP slipwatch_ingest_rejected_total Frames refused, by reason.',
      '# TYPE slipwatch_ingest_rejected_total counter',
      ...Object.entries(ingest.rejected).map(([code, n]) => `slipwatch_ingest_rejected_total{reason="${code}"} ${n}`),
      '# HELP slipwatch_sessions Active producer sessions.',
      '# TYPE slipwatch_sessions gauge',
      `slipwatch_sessions ${ingest.activeSessions}`,
      '# HELP slipwatch_subscribers Connected dashboards.',
      '# TYPE slipwatch_subscribers gauge',
      `slipwatch_subscribers ${hub.stats.subscribers}`,
      '# HELP slipwatch_stream_frames_total Frames sent to dashboards, and skipped for slow ones.',
      '# TYPE slipwatch_stream_frames_total counter',
      `slipwatch_stream_frames_total{outcome="sent"} ${hub.stats.framesSent}`,
      `slipwatch_stream_frames_total{outcome="skipped"} ${hub.stats.framesSkipped}`,
      '# HELP slipwatch_pipeline_errors_total Errors in prediction pipelines.',
      '# TYPE slipwatch_pipeline_errors_total counter',
      `slipwatch_pipeline_errors_total ${pipelineErrors}`,
    ];
    return reply.type('text/plain; version=0.0.4').send(`${lines.join('\n')}\n`);
  });
  let ingestDrain: () => Promise<void> = async () => {};
  await app.register(async (scope) => {
    ({ drain: ingestDrain } = registerIngest(scope, opts, ingest, {
      outputs: (start) => {
        const usable = modelsFor(start, models);
        return { rateHz: usable[0]?.manifest.preset.sampleRateHz ?? 1, targets: usable.map((m) => m.manifest.target) };
      },
      onStart: (start, archive) => {
        const p = new SessionPredictor(
          start,
          models,
          (f) => {
            // alerts are never skipped for a slow dashboard; everything else may be
            hub.publish(f, f.type !== 'alert');
            // every prediction and alert is archived with the session (the rest is derived data)
            if (f.type === 'prediction') archive.appendPrediction(f.target, f.startIndex, f.mean, f.std);
            else if (f.type === 'alert') archive.appendAlert(f.alert.id, f.event === 'on', f.event === 'on' ? f.alert.onS : f.alert.offS!, f.alert.predictedTtfS);
          },
          (e) => {
            pipelineErrors++;
            app.log.error(e);
          },
          () => hub.stats.subscribers > 0,
        );
        predictors.set(start.session, p);
        return p;
      },
    }));
    // dashboards: read-only, no token
    scope.get('/stream', { websocket: true }, (socket) => {
      hub.add(socket, helloFrame(models));
    });
  });
  app.addHook('onClose', async () => {
    replays.stopAll();
    // sessions first: their pipelines still need the inference workers to finish
    await ingestDrain();
    hub.closeAll();
    await Promise.all(workers.map((w) => w.close()));
  });
  return app;
}
