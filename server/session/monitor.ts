/**
 * Predictions for one producer session: its AE goes through one prediction pipeline per model
 * (friction, time to failure); each window's nowcast (causal, the newest step) and every averaged
 * result (acausal, seed 000's mean +- std) are published to the dashboards. Warnings come from
 * the failure forecaster (session/alerting.ts) when the server has one, otherwise from the TTF
 * model's nowcast under a threshold; either way stamped with the time they were issued.
 */
import { Subject, type Subscription } from 'rxjs';
import { type Alert, AlertDetector, type AlertEvent, type AlertScores, scoreAlerts } from '../../shared/alerts.ts';
import type { AlertingModel } from '../../shared/alerts/hazard.ts';
import { StreamingFailureDetector } from '../../shared/labels.ts';
import { RecentSamples } from '../../shared/percentiles.ts';
import { type AdaptedFrame, type AlertFrame, type DataFrame, type EnvelopeFrame, type ForecastFrame, type MeasuredFrame, type NowcastFrame, type PredictionFrame, type SlipFrame, type StartFrame, type TileFrame } from '../../shared/protocol/frames.ts';
import { SessionAlerting } from './alerting.ts';
import { type SessionNormalisation, sessionModel, WarmupStats } from './live-normalisation.ts';
import { type AdaptationConfig, SessionAdaptation } from './adaptation.ts';
import { modelsFor } from './models-for.ts';
import { ServedModels, type ServedModelInfo } from './served-models.ts';
import { quantizeTile } from '../../shared/tiles.ts';
import { windowGeometry } from '../../shared/signal/window-preset.ts';
import { conditioningDelayS, type PipelineTaps, predictionPipeline, type ServingModel } from '../../pipeline/pipeline.ts';
import type { InferStats, RawChunk } from '../../pipeline/pipeline.ts';

// the model choice lives in models-for.ts; server/app.ts, routes and tests import it from here too
export { defaultPreset, modelsFor, modelsOfChoice, takesAe } from './models-for.ts';

/** Frames a session publishes to the dashboards (and, predictions and alerts, to its archive). */
export type SessionFrame = PredictionFrame | NowcastFrame | AlertFrame | EnvelopeFrame | MeasuredFrame | TileFrame | SlipFrame | ForecastFrame | AdaptedFrame;

/** Measured friction is sent to dashboards at about this rate (a display needs no more). */
const MEASURED_DISPLAY_HZ = 100;

export class SessionPredictor {
  private readonly input = new Subject<RawChunk>();
  private readonly subs: Subscription[] = [];
  private readonly finished: Promise<void>[] = [];
  /** warnings: the forecaster's, or (without one) a threshold on the TTF model's nowcast */
  private readonly forecaster: SessionAlerting | null;
  private readonly ttfThreshold = new AlertDetector();
  /** slips in the measured friction, when the producer sends it (they score the alerts) */
  private readonly slips: StreamingFailureDetector | null;
  readonly slipsS: number[] = [];
  /** arrival time of recent data frames, by the AE index they end at */
  private readonly arrivals: { aeEnd: number; ms: number }[] = [];
  /** latency from the arrival of the frame that completes a window to its prediction leaving, ms */
  readonly latencyMs = new RecentSamples(1000);
  /** the same for the nowcast of a window's last sample (what warnings can act on), ms */
  readonly nowcastLatencyMs = new RecentSamples(1000);
  /** session time of the newest AE received: the issue time of anything computed now, s */
  private clockS = 0;
  /** per model: windows into and out of inference, batches, queue depth */
  readonly stages: Record<string, InferStats> = {};
  /** per model: seconds of AE one window step covers (turns queued windows into a backlog in s) */
  private readonly stepsS: Record<string, number> = {};
  framesIn = 0;
  private readonly channelScales: number[];
  private readonly usable: ServingModel[];
  /** per usable model while warming up; null once the pipelines run */
  private warmup: WarmupStats[] | null = null;
  private readonly held: RawChunk[] = [];

  constructor(
    readonly start: StartFrame,
    models: ServingModel[],
    private readonly publish: (f: SessionFrame) => void,
    private readonly onError: (e: unknown) => void,
    /** whether any dashboard is connected: the views below are only made for one */
    private readonly watched: () => boolean = () => true,
    alerting: AlertingModel | null = null,
    /**
     * live normalisation: estimate the session's statistics over its first warmupS seconds (0: the
     * manifests'); live adaptation (with measured friction): its config and where adapted models go
     */
    live: { warmupS?: number; adaptation?: AdaptationConfig; saveDir?: string } = {},
  ) {
    this.slips = start.mech?.channels.includes('mu') ? new StreamingFailureDetector(start.mech.rateHz) : null;
    this.forecaster = alerting ? new SessionAlerting(start, alerting) : null;
    const usable = modelsFor(start, models);
    this.channelScales = start.aeChannels.map((c) => c.scale);
    this.usable = usable;
    this.served = new ServedModels(start.session);
    if (live.adaptation?.enabled && this.slips && live.saveDir && usable.some((u) => live.adaptation!.modelDirs.has(u.manifest.name))) this.adaptation = this.adaptationOf(live.adaptation, live.saveDir);
    if (live.warmupS) {
      // live normalisation: the pipelines start once the warm-up statistics exist; until then the raw chunks wait here
      for (const m of usable) this.normalisation[m.manifest.target] = { source: 'warming up', warmupS: live.warmupS };
      this.warmup = usable.map((model) => new WarmupStats(model, { inputRateHz: start.aeRateHz, outputRateHz: model.manifest.preset.sampleRateHz, mode: model.manifest.input.conditioning, channels: this.channelScales.length, channelScales: this.channelScales }, live.warmupS));
    } else for (const model of usable) this.startPipeline(model, model === usable[0]);
  }

  /** The statistics each model serves with (status): the manifest's, or the session's after its warm-up. */
  readonly normalisation: Record<string, SessionNormalisation | { source: 'manifest' } | { source: 'warming up'; warmupS: number }> = {};

  /** live adaptation: the served models (their folders by manifest name), hot-swapped when better */
  private adaptation: SessionAdaptation | null = null;
  private readonly served: ServedModels;

  private adaptationOf(config: AdaptationConfig, saveDir: string): SessionAdaptation {
    const m = this.usable[0].manifest;
    const condition = { inputRateHz: this.start.aeRateHz, outputRateHz: m.preset.sampleRateHz, mode: m.input.conditioning, channels: this.channelScales.length, channelScales: this.channelScales };
    // the model served now: the one the session started with, or the last adapted one (a re-adaptation starts from it)
    const targets = () => Object.values(this.served.byTarget).map((sw) => ({ target: sw.manifest.target, manifest: sw.serving.manifest, modelDir: this.served.dirOf(sw.manifest.target) ?? config.modelDirs.get(sw.manifest.name) }));
    return new SessionAdaptation(m.preset.sampleRateHz, condition, this.start.mech!.rateHz, config, saveDir, targets, (r) => this.publish(this.served.apply(r)), windowGeometry(m.preset).windowSamples);
  }

  /** Per target, the model the session serves now: name, version (0: as loaded; 1: adapted), folder, statistics. */
  servedModels(): Record<string, ServedModelInfo> {
    return this.served.info(this.normalisation, this.adaptation);
  }

  private startPipeline(served: ServingModel, first: boolean): void {
    const { start, publish, watched, channelScales } = this;
    const model = this.served.wrap(served);
    this.normalisation[model.manifest.target] ??= { source: 'manifest' };
    const stats: InferStats = { windowsIn: 0, windowsOut: 0, batches: 0, queued: 0, maxQueued: 0 };
    this.stages[model.manifest.target] = stats;
    this.stepsS[model.manifest.target] = model.manifest.preset.stepS;
    const rateHz = model.manifest.preset.sampleRateHz;
    const session = start.session;
    // the dashboard's views: the input (conditioned AE, its scalogram) once, from the first
    // model; the predicted scalogram of the friction model
    // (publish encodes a frame at once, so the arrays need no copy)
    const taps: PipelineTaps = {
      active: watched,
      conditioned: first ? (startIndex, values) => publish({ type: 'envelope', session, startIndex, rateHz, values }) : undefined,
      inputTile: first ? (startIndex, tile) => publish({ type: 'tile', session, of: 'input', startIndex, rateHz, data: quantizeTile(tile) }) : undefined,
      outputTile: model.manifest.target === 'friction' ? (startIndex, tile) => publish({ type: 'tile', session, of: 'friction', startIndex, rateHz, data: quantizeTile(tile) }) : undefined,
    };
    const isTtf = model.manifest.target === 'ttf';
    const windowSamples = windowGeometry(model.manifest.preset).windowSamples;
    const decimation = start.aeRateHz / rateHz;
    // a window is complete when the AE its last conditioned sample needs has arrived
    const delayAe = Math.ceil(conditioningDelayS({ aeRateHz: start.aeRateHz, channelScales, model }) * start.aeRateHz);
    const onNowcast = (n: { startIndex: number; values: Float32Array }) => {
      model.windowOut(n.startIndex + n.values.length - windowSamples);
      publish({ type: 'nowcast', session, target: model.manifest.target, startIndex: n.startIndex, rateHz, values: n.values });
      this.recordLatency((n.startIndex + n.values.length) * decimation + delayAe, this.nowcastLatencyMs);
      if (isTtf && !this.forecaster) for (let i = 0; i < n.values.length; i++) this.raise(this.ttfThreshold.push(this.clockS, n.values[i]));
    };
    const pipeline = predictionPipeline({ aeRateHz: start.aeRateHz, channelScales, model, stats, taps, onNowcast });
    let done!: () => void;
    this.finished.push(new Promise<void>((r) => (done = r)));
    this.subs.push(
      this.input.pipe(pipeline).subscribe({
        complete: () => done(),
        next: (avg) => {
          publish({ type: 'prediction', session: start.session, target: model.manifest.target, startIndex: avg.startIndex, rateHz, mean: avg.mean, std: avg.std });
          // these samples became final when the window starting right after them completed
          this.recordLatency((avg.startIndex + avg.mean.length + windowSamples) * decimation + delayAe, this.latencyMs);
        },
        error: (e) => {
          this.onError(e);
          done();
        },
      }),
    );
  }

  /** also told every latency (the server's metrics histogram) */
  onLatency: (kind: 'nowcast' | 'averaged', ms: number) => void = () => {};

  private recordLatency(aeIndex: number, into: RecentSamples): void {
    const a = this.arrivals.find((x) => x.aeEnd >= aeIndex);
    if (!a) return;
    const ms = performance.now() - a.ms;
    into.add(ms);
    this.onLatency(into === this.latencyMs ? 'averaged' : 'nowcast', ms);
  }

  private raise(events: AlertEvent[]): void {
    for (const e of events) this.publish({ type: 'alert', session: this.start.session, event: e.kind, alert: { ...e.alert } });
  }

  /** Every warning so far, issue and clear times included. */
  get alertHistory(): readonly Alert[] {
    return this.forecaster ? this.forecaster.history : this.ttfThreshold.history;
  }

  push(frame: DataFrame): void {
    this.framesIn++;
    const aeEnd = frame.aeStartIndex + frame.ae[0].length;
    this.clockS = aeEnd / this.start.aeRateHz;
    this.arrivals.push({ aeEnd, ms: performance.now() });
    if (this.arrivals.length > 2000) this.arrivals.splice(0, 1000);
    if (this.forecaster) {
      this.raise(this.forecaster.push(frame, this.clockS));
      const f = this.forecaster.takeForecast();
      if (f && this.watched()) this.publish({ type: 'forecast', session: this.start.session, ...f });
    }
    this.feed({ startIndex: frame.aeStartIndex, channels: frame.ae }, frame.mech?.values.mu);
    this.adaptation?.pushAe(frame.aeStartIndex, frame.ae);
    const mu = frame.mech?.values.mu;
    if (mu && this.slips) {
      this.adaptation?.pushFriction(frame.mech!.startIndex, mu);
      for (const e of this.slips.push(frame.mech!.startIndex, mu)) {
        this.slipsS.push(e.onsetTimeS);
        this.adaptation?.slip(e.onsetTimeS);
        this.publish({ type: 'slip', session: this.start.session, tS: e.onsetTimeS, dropMu: e.dropMu });
        if (this.forecaster) this.raise(this.forecaster.slip(e.onsetTimeS, this.clockS));
      }
      if (this.watched()) this.publishMeasured(frame.mech!.startIndex, mu);
    }
  }

  /** AE into the pipelines, or, while warming up, into the statistics and the hold (replayed when they start). */
  private feed(chunk: RawChunk, mu: Float32Array | undefined): void {
    if (!this.warmup) return this.input.next(chunk);
    for (const w of this.warmup) {
      w.pushAe(chunk.startIndex, chunk.channels);
      if (mu) w.pushFriction(mu);
    }
    this.held.push({ startIndex: chunk.startIndex, channels: chunk.channels.map((c) => Float32Array.from(c)) });
    if (this.warmup.every((w) => w.ready)) this.endWarmup();
  }

  /** Start the pipelines under the session's statistics and replay what was held: no prediction lost. */
  private endWarmup(): void {
    const w = this.warmup!;
    this.warmup = null;
    this.usable.forEach((model, k) => {
      const stats = w[k].result();
      this.normalisation[model.manifest.target] = stats;
      this.startPipeline(sessionModel(model, stats), k === 0);
    });
    for (const c of this.held.splice(0)) this.input.next(c);
  }

  /** Every k-th measured sample on the absolute grid (k = mech rate / display rate): a frame's worth. */
  private publishMeasured(startIndex: number, mu: Float32Array): void {
    const rate = this.start.mech!.rateHz;
    const k = Math.max(1, Math.round(rate / MEASURED_DISPLAY_HZ));
    const first = Math.ceil(startIndex / k) * k;
    if (first >= startIndex + mu.length) return;
    const out = new Float32Array(Math.floor((startIndex + mu.length - 1 - first) / k) + 1);
    for (let i = 0; i < out.length; i++) out[i] = mu[first + i * k - startIndex];
    this.publish({ type: 'measured', session: this.start.session, startIndex: first / k, rateHz: rate / k, mu: out });
  }

  /** The alerts scored against the slips in the measured friction so far (null without it). */
  scores(): AlertScores | null {
    if (!this.slips) return null;
    return scoreAlerts(this.alertHistory, this.slipsS, this.clockS);
  }

  /** Seconds of AE waiting for inference in the slowest pipeline (ingest's flow control reads it). */
  backlogS(): number {
    let s = 0;
    for (const [target, st] of Object.entries(this.stages)) s = Math.max(s, st.queued * this.stepsS[target]);
    return s;
  }

  /** End of the session: the pipelines flush what they hold; resolves once they have. */
  async end(): Promise<void> {
    await this.adaptation?.stop(); // a training still running would serve nothing now
    if (this.warmup) this.endWarmup(); // a session shorter than its warm-up: its own statistics so far
    this.input.complete();
    await Promise.all(this.finished);
    await this.served.close();
    // a warning still on when the session ends is closed with it
    this.raise(this.forecaster ? this.forecaster.close(this.clockS) : this.ttfThreshold.close(this.clockS));
  }
}

export type { ServedModelInfo } from './served-models.ts';
