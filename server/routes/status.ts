/** GET /status (counters, latency, alert scores per session), /alerts (alert history), /models (manifests). */
import type { FastifyPluginAsync } from 'fastify';
import type { ServingModel } from '../../pipeline/pipeline.ts';
import type { AlertingModel } from '../../shared/alerts/hazard.ts';
import type { AlertingInfo, SessionInfo, StatusBody } from '../../shared/rest/contracts.ts';
import type { IngestStats } from '../ingest/stats.ts';
import type { Monitors } from '../monitors.ts';
import type { Hub } from '../stream/hub.ts';

export interface StatusSources {
  models: ServingModel[];
  backend: string;
  ingest: IngestStats;
  hub: Hub;
  monitors: Monitors;
  /** the failure forecaster (its alert rule is what the dashboard draws as thresholds) */
  alerting?: AlertingModel | null;
}

/** Numbers as a reader wants them: at most 4 decimals (counters stay whole), recursively. */
export function rounded<T>(v: T): T {
  if (typeof v === 'number') return (Number.isInteger(v) || !Number.isFinite(v) ? v : Math.round(v * 1e4) / 1e4) as T;
  if (Array.isArray(v)) return v.map(rounded) as T;
  if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, rounded(x)])) as T;
  return v;
}

export function alertingInfo(a: AlertingModel | null | undefined): AlertingInfo | null {
  return a ? { horizonS: a.alert.horizonS, onAbove: a.alert.onAbove, offBelow: a.alert.offBelow, minDurationS: a.alert.minDurationS, clearAfterS: a.alert.clearAfterS ?? 0 } : null;
}

type Monitor = Monitors['bySession'] extends Map<string, infer M> ? M : never;

/** What a dashboard needs to put a session in experiment time (the monitor keeps its start frame). */
function sessionInfo(m: Monitor, running: boolean): SessionInfo {
  const { start } = m;
  return { experimentId: start.experimentId, experimentStartS: start.experimentStartS ?? 0, normalStressSchedule: start.normalStressSchedule ?? [], running };
}

export const statusRoutes: FastifyPluginAsync<StatusSources> = async (app, src) => {
  const started = Date.now();
  const perSession = <T>(f: (m: Monitor) => T) => Object.fromEntries([...src.monitors.bySession].map(([id, m]) => [id, f(m)]));
  const ended = () => new Set(src.monitors.endedMonitors());
  app.get('/status', async (): Promise<StatusBody & Record<string, unknown>> => {
    const gone = ended();
    return rounded({
      uptimeS: (Date.now() - started) / 1000,
      ingest: { ...src.ingest, rejected: src.ingest.rejected as Record<string, number> },
      stream: src.hub.stats,
      models: src.models.map((m) => ({ name: m.manifest.name, target: m.manifest.target, preset: m.manifest.preset.id })),
      alerting: alertingInfo(src.alerting),
      pipelineErrors: src.monitors.pipelineErrors,
      sessions: perSession((m) => sessionInfo(m, !gone.has(m))),
      servedModels: perSession((m) => m.servedModels()),
      alertScores: perSession((m) => m.scores()),
      latencyMs: perSession((m) => m.latencyMs.summary()),
      nowcastLatencyMs: perSession((m) => m.nowcastLatencyMs.summary()),
      stages: perSession((m) => ({ framesIn: m.framesIn, backlogS: m.backlogS(), infer: m.stages })),
      backend: src.backend,
    });
  });
  app.get('/alerts', async () => rounded(perSession((m) => m.alertHistory)));
  app.get('/models', async () => src.models.map((m) => m.manifest));
};
