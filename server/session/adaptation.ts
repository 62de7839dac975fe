/**
 * Live adaptation of one session (issue 13 item 5): the session's AE conditioned at the model rate
 * and its measured friction are kept from the start; once the measured friction has shown
 * `afterCycles` complete cycles (slips from StreamingFailureDetector, reported by the monitor), each
 * served model is cross-trained on them in a worker thread (server/inference/adapt-model.ts,
 * training/adapt.ts: latent space only), validated on the newest cycle, and handed back to the
 * monitor to hot-swap only when it scores better there. Models adapt one after another (friction,
 * then TTF) so that at most one training thread competes with inference. Then it adapts again
 * every `readaptEveryCycles` new cycles, on the newest `afterCycles` (from the model served then):
 * an experiment whose load steps up moves its friction level, and a model adapted once at the
 * first level serves the later ones worse than no adaptation (docs/results-live.md).
 */
import { join } from 'node:path';
import type { ModelManifest } from '../../model/manifest.ts';
import { type ConditionConfig, Conditioner } from '../../shared/signal/condition.ts';
import type { SessionSeries } from '../../training/adapt.ts';
import { type AdaptOutcome, adaptInWorker } from '../inference/adapt-model.ts';
import { type WorkerModel, workerModel } from '../inference/worker-model.ts';

export interface AdaptationConfig {
  enabled: boolean;
  /** complete cycles of measured friction before adapting (>= 2: the newest validates) */
  afterCycles: number;
  /** adapt again after this many new cycles, on the newest afterCycles (0: once per session) */
  readaptEveryCycles: number;
  epochs: number;
  /** the served models' folders, by manifest name (models without one cannot adapt) */
  modelDirs: ReadonlyMap<string, string>;
  /** inference runtime of an adapted model's worker */
  runtime: string;
}

export const DEFAULT_ADAPTATION: AdaptationConfig = { enabled: true, afterCycles: 6, readaptEveryCycles: 6, epochs: 15, modelDirs: new Map(), runtime: 'auto' };

/** What the monitor gives adaptation about one served model. */
export interface AdaptTarget {
  target: string;
  /** the manifest the session serves it with (normalisation included) */
  manifest: ModelManifest;
  /** the folder of the model the session started with */
  modelDir: string | undefined;
}

/** One adaptation's outcome, for the monitor to swap (model set) and report. */
export interface AdaptationReport {
  target: string;
  cycles: number;
  outcome: AdaptOutcome | null;
  /** the adapted model in its inference worker, when it scored better */
  model: WorkerModel | null;
  dir: string | null;
  reason?: string;
}

/** Series kept for adaptation at most (at the model rate, twice: AE and friction): an hour of 100 Hz is 2.9 MB. */
const MAX_SERIES_S = 3600;

/** Series at the model rate, growing from absolute index `start` (older samples can be dropped). */
class Series {
  start = -1;
  private parts: Float32Array[] = [];
  length = 0;
  push(startIndex: number, values: Float32Array): void {
    if (this.start < 0) this.start = startIndex;
    if (startIndex !== this.start + this.length) throw new Error(`live adaptation: series not contiguous at ${startIndex}`);
    this.parts.push(values);
    this.length += values.length;
  }
  /** samples of absolute indices [from, to) */
  slice(from: number, to: number): Float32Array {
    const all = new Float32Array(this.length);
    let off = 0;
    for (const p of this.parts) {
      all.set(p, off);
      off += p.length;
    }
    this.parts = [all];
    return all.slice(from - this.start, to - this.start);
  }
  get end(): number {
    return this.start + this.length;
  }
  /** Forget the samples before absolute index `from` (memory stays bounded across re-adaptations). */
  dropBefore(from: number): void {
    if (this.start < 0 || from <= this.start) return;
    const kept = this.slice(Math.min(from, this.end), this.end);
    this.parts = [kept];
    this.start = Math.min(from, this.end);
    this.length = kept.length;
  }
}

export class SessionAdaptation {
  private readonly aeConditioner: Conditioner;
  private readonly muConditioner: Conditioner;
  private readonly ae = new Series();
  private readonly mu = new Series();
  private readonly slipsS: number[] = [];
  /** collecting, adapting, or done (stopped, adapted once without re-adaptation, or no usable cycles within MAX_SERIES_S) */
  state: 'collecting' | 'adapting' | 'done' = 'collecting';
  /** adaptation rounds started, and the slips seen when the last one started */
  rounds = 0;
  private slipsAtLastRound = 0;
  /** the newest cycle must hold a few windows to validate on, samples */
  private readonly minCycleSamples: number;
  private stopCurrent: (() => Promise<void>) | null = null;
  private finished: Promise<void> = Promise.resolve();

  constructor(
    private readonly rateHz: number,
    ae: ConditionConfig,
    mechRateHz: number,
    private readonly config: AdaptationConfig,
    /** where adapted models are saved: the session's archive directory */
    private readonly saveDir: string,
    /** the models to adapt, asked at the moment adaptation starts */
    private readonly targets: () => AdaptTarget[],
    private readonly onReport: (r: AdaptationReport) => void,
    /** window length at the model rate */
    windowSamples: number,
  ) {
    this.minCycleSamples = 2 * windowSamples;
    this.aeConditioner = new Conditioner(ae);
    this.muConditioner = new Conditioner({ inputRateHz: mechRateHz, outputRateHz: rateHz, mode: 'lowpass', channels: 1, channelScales: [1] });
  }

  /** Raw AE as the pipelines receive it. */
  pushAe(startIndex: number, channels: readonly ArrayLike<number>[]): void {
    if (this.state === 'done') return;
    for (const c of this.aeConditioner.push(startIndex, channels)) if (c.kind === 'samples') this.ae.push(c.startIndex, c.values);
    this.maybeStart();
  }

  /** Measured friction at the mechanical rate. */
  pushFriction(startIndex: number, mu: Float32Array): void {
    if (this.state === 'done') return;
    for (const c of this.muConditioner.push(startIndex, [mu])) if (c.kind === 'samples') this.mu.push(c.startIndex, c.values);
    this.maybeStart();
  }

  /** A slip onset in the measured friction, s from the session start. */
  slip(onsetS: number): void {
    this.slipsS.push(onsetS);
    this.maybeStart();
  }

  get cycles(): number {
    return Math.max(0, this.slipsS.length - 1);
  }

  /** Once the cycles are there and both series reach the newest slip: adapt, in the background. */
  private maybeStart(): void {
    if (this.state !== 'collecting') return;
    if (Math.max(this.ae.length, this.mu.length) > MAX_SERIES_S * this.rateHz) {
      this.state = 'done'; // no usable cycles within the limit: give up, memory stays bounded
      return;
    }
    if (this.cycles < this.config.afterCycles) return;
    if (this.rounds > 0 && this.slipsS.length - this.slipsAtLastRound < this.config.readaptEveryCycles) return;
    const endIndex = Math.ceil(this.slipsS.at(-1)! * this.rateHz);
    // the newest cycle validates: it must hold a few windows (else wait for the next slip)
    if (endIndex - Math.round(this.slipsS.at(-2)! * this.rateHz) < this.minCycleSamples) return;
    if (this.targets().length === 0) return; // the pipelines wait for live normalisation's warm-up
    if (Math.min(this.ae.end, this.mu.end) < endIndex) return;
    this.state = 'adapting';
    this.rounds++;
    this.slipsAtLastRound = this.slipsS.length;
    // a re-adaptation trains on the newest afterCycles cycles only
    const first = this.rounds > 1 ? Math.round(this.slipsS.at(-1 - this.config.afterCycles)! * this.rateHz) : -Infinity;
    const from = Math.max(this.ae.start, this.mu.start, first);
    const series: SessionSeries = { rateHz: this.rateHz, startIndex: from, ae: this.ae.slice(from, endIndex), mu: this.mu.slice(from, endIndex), slipsS: [...this.slipsS] };
    this.finished = this.adaptAll(series);
  }

  private async adaptAll(series: SessionSeries): Promise<void> {
    const cycles = series.slipsS.length - 1;
    for (const t of this.targets()) {
      if (this.stopped) return;
      if (!t.modelDir) continue; // a model given in-process (tests) has no weights on disk to train from
      const dir = join(this.saveDir, 'adapted-models', this.rounds > 1 ? `${t.target}-${this.rounds}` : t.target);
      const job = adaptInWorker({ modelDir: t.modelDir, manifest: t.manifest, series, outDir: dir, epochs: this.config.epochs });
      this.stopCurrent = job.stop;
      try {
        const outcome = await job.done;
        const model = outcome.better ? await workerModel(dir, outcome.manifest, { runtime: this.config.runtime }) : null;
        if (this.stopped) {
          await model?.close();
          return;
        }
        const reason = outcome.better ? undefined : `the adapted model scored R^2 ${outcome.after.r2.toFixed(3)} on the newest cycle, the served one ${outcome.before.r2.toFixed(3)}`;
        this.onReport({ target: t.target, cycles, outcome, model, dir: model ? dir : null, reason });
      } catch (e) {
        if (!this.stopped) this.onReport({ target: t.target, cycles, outcome: null, model: null, dir: null, reason: (e as Error).message });
      } finally {
        this.stopCurrent = null;
      }
    }
    if (this.stopped) return;
    if (this.config.readaptEveryCycles <= 0) {
      this.state = 'done';
      return;
    }
    // the next round starts from the newest slip at the earliest: older samples are not needed
    const next = this.slipsAtLastRound - 1 + this.config.readaptEveryCycles - this.config.afterCycles;
    const keepFrom = Math.round(this.slipsS[Math.max(0, Math.min(this.slipsAtLastRound - 1, next))] * this.rateHz);
    this.ae.dropBefore(keepFrom);
    this.mu.dropBefore(keepFrom);
    this.state = 'collecting';
    this.maybeStart();
  }

  /** the session ended (state is re-read after every await) */
  private get stopped(): boolean {
    return this.state === 'done';
  }

  /** The session ended: stop a training still running (its result would serve nothing). */
  async stop(): Promise<void> {
    const running = this.state === 'adapting';
    this.state = 'done';
    if (running) await this.stopCurrent?.();
    await this.finished.catch(() => {});
  }
}
