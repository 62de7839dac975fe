/** GET /status (counters, latency, alert scores per session), /alerts (alert history), /models (manifests). */
import type { FastifyPluginAsync } from 'fastify';
import type { ServingModel } from '../../pipeline/pipeline.ts';
import type { StatusBody } from '../../shared/rest/contracts.ts';
import type { IngestStats } from '../ingest/stats.ts';
import type { Monitors } from '../monitors.ts';
import type { Hub } from '../stream/hub.ts';

export interface StatusSources {
  models: ServingModel[];
  backend: string;
  ingest: IngestStats;
  hub: Hub;
  monitors: Monitors;
}

export const statusRoutes: FastifyPluginAsync<StatusSources> = async (app, src) => {
  const started = Date.now();
  const perSession = <T>(f: (m: Monitors['bySession'] extends Map<string, infer M> ? M : never) => T) => Object.fromEntries([...src.monitors.bySession].map(([id, m]) => [id, f(m)]));
  app.get('/status', async (): Promise<StatusBody & Record<string, unknown>> => ({
    uptimeS: (Date.now() - started) / 1000,
    ingest: { ...src.ingest, rejected: src.ingest.rejected as Record<string, number> },
    stream: src.hub.stats,
    models: src.models.map((m) => ({ name: m.manifest.name, target: m.manifest.target, preset: m.manifest.preset.id })),
    pipelineErrors: src.monitors.pipelineErrors,
    alertScores: perSession((m) => m.scores()),
    latencyMs: perSession((m) => m.latencyMs.summary()),
    nowcastLatencyMs: perSession((m) => m.nowcastLatencyMs.summary()),
    normalisation: perSession((m) => m.normalisation),
    stages: perSession((m) => ({ framesIn: m.framesIn, infer: m.stages })),
    backend: src.backend,
  }));
  app.get('/alerts', async () => perSession((m) => m.alertHistory));
  app.get('/models', async () => src.models.map((m) => m.manifest));
};
