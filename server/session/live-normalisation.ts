/**
 * Normalisation for a new experiment, live (issue 13 item 4): a model's manifest statistics are
 * those of the experiment it was trained on, and serving another experiment with them biases every
 * prediction (a variant at friction 0.55 instead of 0.6 scored R^2 -23.6). A session estimates its
 * own statistics over a warm-up period: the input's from the incoming AE (conditioned and log10'd
 * exactly as the pipeline does), the friction level and scale from the measured friction when the
 * stream carries it. The manifest's remain the fallback, labelled as such.
 *
 * The session model applies them without touching the inference worker: the pipeline z-scores the
 * input with the manifest it is given (main thread), and the worker de-normalises the output with
 * the model's own manifest; since de-normalising is affine (x = z std + mean), re-mapping the
 * worker's output to the session's statistics is exact.
 */
import type { ServingModel } from '../../pipeline/pipeline.ts';
import { inputSeries } from '../../model/spec.ts';
import { type ConditionConfig, Conditioner } from '../../shared/signal/condition.ts';
import type { NormStats } from '../../shared/signal/normalise.ts';

export interface SessionNormalisation {
  input: NormStats;
  output: NormStats;
  /** where each came from, for the status panel */
  source: { input: 'session warm-up' | 'manifest'; output: 'measured friction' | 'manifest' };
  warmupS: number;
}

/** Running mean and population std (Welford), finite values only. */
class Running {
  n = 0;
  private mean = 0;
  private m2 = 0;
  add(v: number): void {
    if (!Number.isFinite(v)) return;
    this.n++;
    const d = v - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (v - this.mean);
  }
  stats(): NormStats {
    const std = Math.sqrt(this.m2 / this.n);
    return { mean: this.mean, std: std > 0 ? std : 1 };
  }
}

/** Statistics of a session's first warmupS seconds (of conditioned AE, and of measured friction). */
export class WarmupStats {
  private readonly conditioner: Conditioner;
  private readonly input = new Running();
  private readonly friction = new Running();
  private readonly needed: number;

  constructor(
    private readonly model: ServingModel,
    condition: ConditionConfig,
    readonly warmupS = 30,
  ) {
    this.conditioner = new Conditioner(condition);
    this.needed = Math.round(warmupS * condition.outputRateHz);
  }

  /** Raw AE as the pipeline receives it. */
  pushAe(startIndex: number, channels: readonly ArrayLike<number>[]): void {
    for (const c of this.conditioner.push(startIndex, channels))
      if (c.kind === 'samples') for (const v of inputSeries(c.values, this.model.manifest.input.log10)) if (this.input.n < this.needed) this.input.add(v);
  }

  /** Measured friction samples (any rate). */
  pushFriction(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) this.friction.add(values[i]);
  }

  get ready(): boolean {
    return this.input.n >= this.needed;
  }

  /** The session's statistics: its own where it has them, the manifest's otherwise. */
  result(): SessionNormalisation {
    const m = this.model.manifest;
    const measured = m.target === 'friction' && this.friction.n > 1;
    return {
      input: this.input.n > 1 ? this.input.stats() : m.input.stats,
      output: measured ? this.friction.stats() : m.output.stats,
      source: { input: this.input.n > 1 ? 'session warm-up' : 'manifest', output: measured ? 'measured friction' : 'manifest' },
      warmupS: this.warmupS,
    };
  }
}

/** A serving model under a session's statistics: input z-scored with them, output re-mapped to them. */
export function sessionModel(model: ServingModel, s: SessionNormalisation): ServingModel {
  const from = model.manifest.output.stats;
  const gain = s.output.std / from.std;
  return {
    manifest: { ...model.manifest, input: { ...model.manifest.input, stats: s.input }, output: { stats: s.output } },
    infer: async (x, n) => {
      const r = await model.infer(x, n);
      const y = r.series;
      for (let i = 0; i < y.length; i++) y[i] = s.output.mean + gain * (y[i] - from.mean);
      return r;
    },
  };
}
