/**
 * Predictions for one producer session: its AE goes through one prediction pipeline per model
 * (friction, time to failure), and every averaged result is published to the dashboards.
 */
import { Subject, type Subscription } from 'rxjs';
import { type Alert, AlertDetector, type AlertScores, scoreAlerts } from '../../shared/alerts.ts';
import { detectFailures } from '../../shared/labels.ts';
import { RecentSamples } from '../../shared/percentiles.ts';
import { type DataFrame, ProtocolError, type StartFrame } from '../../shared/protocol.ts';
import { windowGeometry } from '../../shared/windows.ts';
import { predictionPipeline, type ServingModel } from '../pipeline/pipeline.ts';
import type { InferStats, RawChunk } from '../pipeline/stages.ts';

export interface PredictionFrame {
  type: 'prediction';
  session: string;
  target: string;
  /** model-rate index of mean[0]; time = startIndex / rateHz from the session start */
  startIndex: number;
  rateHz: number;
  mean: Float32Array;
  std: Float32Array;
}

export interface AlertFrame {
  type: 'alert';
  session: string;
  event: 'on' | 'off';
  alert: Alert;
}

export class SessionPredictor {
  private readonly input = new Subject<RawChunk>();
  private readonly subs: Subscription[] = [];
  private readonly finished: Promise<void>[] = [];
  readonly alerts = new AlertDetector();
  /** measured friction, when the producer sends it (scores the alerts) */
  private measured = new Float32Array(0);
  private measuredCount = 0;
  private lastTimeS = 0;
  /** arrival time of recent data frames, by the AE index they end at */
  private readonly arrivals: { aeEnd: number; ms: number }[] = [];
  /** latency from the arrival of the frame that completes a window to its prediction leaving, ms */
  readonly latencyMs = new RecentSamples(1000);
  /** per model: windows into and out of inference, batches, queue depth */
  readonly stages: Record<string, InferStats> = {};
  framesIn = 0;

  constructor(
    private readonly start: StartFrame,
    models: ServingModel[],
    publish: (f: PredictionFrame | AlertFrame) => void,
    onError: (e: unknown) => void,
  ) {
    const usable = models.filter((m) => m.manifest.preset.id === start.preset);
    if (models.length > 0 && usable.length === 0)
      throw new ProtocolError('bad-frame', `no model for preset ${start.preset}; the server's models use ${[...new Set(models.map((m) => m.manifest.preset.id))].join(', ')}`);
    for (const model of usable) {
      const stats: InferStats = { windowsIn: 0, windowsOut: 0, batches: 0, queued: 0, maxQueued: 0 };
      this.stages[model.manifest.target] = stats;
      const pipeline = predictionPipeline({ aeRateHz: start.aeRateHz, channelScales: start.aeChannels.map((c) => c.scale), model, stats });
      const rateHz = model.manifest.preset.sampleRateHz;
      const isTtf = model.manifest.target === 'ttf';
      const decimation = start.aeRateHz / rateHz;
      const windowSamples = windowGeometry(model.manifest.preset).windowSamples;
      let done!: () => void;
      this.finished.push(new Promise<void>((r) => (done = r)));
      this.subs.push(
        this.input.pipe(pipeline).subscribe({
          complete: () => done(),
          next: (avg) => {
            publish({ type: 'prediction', session: start.session, target: model.manifest.target, startIndex: avg.startIndex, rateHz, mean: avg.mean, std: avg.std });
            // these samples became final when the window starting right after them completed
            this.recordLatency((avg.startIndex + avg.mean.length + windowSamples) * decimation);
            if (!isTtf) return;
            for (let i = 0; i < avg.mean.length; i++) {
              const t = (avg.startIndex + i) / rateHz;
              this.lastTimeS = t;
              for (const e of this.alerts.push(t, avg.mean[i])) publish({ type: 'alert', session: start.session, event: e.kind, alert: { ...e.alert } });
            }
          },
          error: (e) => {
            onError(e);
            done();
          },
        }),
      );
    }
  }

  private recordLatency(aeIndex: number): void {
    const a = this.arrivals.find((x) => x.aeEnd >= aeIndex);
    if (a) this.latencyMs.add(performance.now() - a.ms);
  }

  push(frame: DataFrame): void {
    this.framesIn++;
    this.arrivals.push({ aeEnd: frame.aeStartIndex + frame.ae[0].length, ms: performance.now() });
    if (this.arrivals.length > 2000) this.arrivals.splice(0, 1000);
    this.input.next({ startIndex: frame.aeStartIndex, channels: frame.ae });
    const mu = frame.mech?.values.mu;
    if (mu && this.start.mech) {
      const end = frame.mech!.startIndex + mu.length;
      if (end > this.measured.length) {
        const grown = new Float32Array(Math.max(end, this.measured.length * 2));
        grown.set(this.measured);
        this.measured = grown;
      }
      this.measured.set(mu, frame.mech!.startIndex);
      this.measuredCount = Math.max(this.measuredCount, end);
    }
  }

  /** The alerts scored against the slips in the measured friction so far (null without it). */
  scores(): AlertScores | null {
    if (!this.start.mech || this.measuredCount === 0) return null;
    const slips = detectFailures(this.measured.subarray(0, this.measuredCount), this.start.mech.rateHz).map((e) => e.onsetTimeS);
    return scoreAlerts(this.alerts.history, slips, this.lastTimeS);
  }

  /** End of the session: the pipelines flush what they hold; resolves once they have. */
  end(): Promise<void> {
    this.input.complete();
    return Promise.all(this.finished).then(() => undefined);
  }
}
