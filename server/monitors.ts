/**
 * The monitors of the running sessions: each producer session's monitor (pipelines, alerts, slips, views), wired
 * to the dashboards (hub), its archive and the metrics. Ingest starts them; /status, /alerts and
 * /metrics read them.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { ServingModel } from '../pipeline/pipeline.ts';
import type { AlertingModel } from '../shared/alerts/hazard.ts';
import type { StartFrame } from '../shared/protocol/frames.ts';
import type { ServerOptions } from './config.ts';
import { modelFolders } from './inference/load-models.ts';
import type { SessionArchive } from './ingest/archive.ts';
import type { ServerMetrics } from './metrics.ts';
import { type AdaptationConfig, DEFAULT_ADAPTATION } from './session/adaptation.ts';
import { SessionPredictor } from './session/monitor.ts';
import type { Hub } from './stream/hub.ts';

/** Ended sessions kept for /status and /alerts (the running ones are always kept). */
export const DEFAULT_KEEP_ENDED = 8;

export class Monitors {
  readonly bySession = new Map<string, SessionPredictor>();
  /** ended sessions, oldest first: past keepEnded, the oldest is forgotten (its archive stays) */
  private readonly ended: { session: string; monitor: SessionPredictor }[] = [];
  pipelineErrors = 0;
  keepEnded = DEFAULT_KEEP_ENDED;
  /** live normalisation: each session's own statistics over its first this-many seconds (0: the manifests'); issue 13 */
  liveNormalisationS = 0;
  /** live adaptation (issue 13): on for sessions with measured friction, once configure() has the models' folders */
  adaptation: AdaptationConfig = DEFAULT_ADAPTATION;

  constructor(
    private readonly models: ServingModel[],
    private readonly hub: Hub,
    private readonly metrics: ServerMetrics,
    private readonly log: FastifyBaseLogger,
    /** the failure forecaster that raises warnings (null: a threshold on the TTF model's nowcast) */
    private readonly alerting: AlertingModel | null = null,
  ) {}

  /** The server's options for sessions: retention, live normalisation and live adaptation (its models' folders). */
  configure(opts: ServerOptions): void {
    this.keepEnded = opts.keepEndedSessions;
    this.liveNormalisationS = opts.liveNormalisationS;
    const modelDirs = new Map(modelFolders(opts.modelsDir).map((m) => [m.manifest.name, m.dir]));
    this.adaptation = { enabled: opts.liveAdaptation, afterCycles: Math.max(2, opts.adaptAfterCycles), readaptEveryCycles: Math.max(0, opts.readaptEveryCycles), epochs: opts.adaptEpochs, modelDirs, runtime: opts.runtime };
  }

  /** A session starts or resumes: a new monitor replaces the old one's entry. */
  start(start: StartFrame, archive: SessionArchive): SessionPredictor {
    const monitor = new SessionPredictor(
      start,
      this.models,
      (f) => {
        // alerts and model swaps are never skipped for a slow dashboard; everything else may be
        this.hub.publish(f, f.type !== 'alert' && f.type !== 'adapted');
        // every prediction and alert is archived with the session (the rest is derived data)
        if (f.type === 'prediction') {
          this.metrics.prediction(f.target, f.mean.length);
          archive.appendPrediction(f.target, f.startIndex, f.mean, f.std);
        } else if (f.type === 'alert') {
          this.metrics.alert(f.event);
          archive.appendAlert(f.alert.id, f.event === 'on', f.event === 'on' ? f.alert.onS : f.alert.offS!, f.alert.predictedTtfS);
        }
      },
      (e) => {
        this.pipelineErrors++;
        this.log.error(e);
      },
      () => this.hub.stats.subscribers > 0,
      this.alerting,
      { warmupS: this.liveNormalisationS, adaptation: this.adaptation, saveDir: archive.dir },
    );
    monitor.onLatency = (kind, ms) => this.metrics.latency(kind, ms);
    this.bySession.set(start.session, monitor);
    const end = monitor.end.bind(monitor);
    monitor.end = () => end().finally(() => this.forgetBeyondLimit(start.session, monitor));
    return monitor;
  }

  private forgetBeyondLimit(session: string, monitor: SessionPredictor): void {
    this.ended.push({ session, monitor });
    while (this.ended.length > this.keepEnded) {
      const old = this.ended.shift()!;
      // a session resumed meanwhile has a new monitor, which stays
      if (this.bySession.get(old.session) === old.monitor) this.bySession.delete(old.session);
    }
  }

  /** The monitors of sessions that ended (still listed until forgotten). */
  endedMonitors(): SessionPredictor[] {
    return this.ended.map((e) => e.monitor);
  }

  /** Per session: frames in and the inference stage counters of each model (metrics). */
  *stages(): Iterable<[string, number, SessionPredictor['stages']]> {
    for (const [id, m] of this.bySession) yield [id, m.framesIn, m.stages];
  }
}
