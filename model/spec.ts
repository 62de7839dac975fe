/**
 * The model spec: the one owner of every transform between a series and the model, built from a
 * manifest (or, during training, from the numbers that will become one). Training datasets, the
 * live pipeline and evaluation all call these functions, so nothing can drift between them:
 *   input   conditioned AE -> log10 (LOG10_FLOOR) -> z-score (input stats) -> CWT (the preset's plan)
 *   output  model outputs -> inverse CWT + window mean -> de-normalise (output stats)
 * Overlap-averaging the windows' series is the pipeline's last operator (pipeline/overlap-average.ts).
 */
import type { CwtPlan } from '../shared/signal/cwt.ts';
import type { NormStats } from '../shared/signal/normalise.ts';
import { cwtPlanFor, type WindowPreset, windowGeometry } from '../shared/signal/window-preset.ts';
import type { ModelManifest } from './manifest.ts';

/**
 * log10's floor: the envelope of a silent channel is 0, whose log is -inf. 1e-12 is far below any
 * AE amplitude the recordings hold (int16 counts times a scale), so it only ever replaces zeros.
 */
export const LOG10_FLOOR = 1e-12;

/** What a spec is built from: a manifest's preset and normalisation. */
export type SpecSource = Pick<ModelManifest, 'preset' | 'input' | 'output'>;

/** The CED's input dimensions for a preset: scales x window samples (one source: the preset). */
export function cedShape(preset: WindowPreset): { scales: number; samples: number } {
  return { scales: preset.scales.count, samples: windowGeometry(preset).windowSamples };
}

/** The input series before normalisation: log10 of the conditioned AE when the model takes logs. */
export function inputSeries(ae: Float32Array, log10: boolean): Float32Array {
  return log10 ? Float32Array.from(ae, (v) => Math.log10(Math.max(v, LOG10_FLOOR))) : ae;
}

/** z = (x - mean) / std of one window into out (float64: the CWT's precision). */
export function zScore(x: ArrayLike<number>, stats: NormStats, out: Float64Array): Float64Array {
  for (let i = 0; i < out.length; i++) out[i] = (x[i] - stats.mean) / stats.std;
  return out;
}

/** The scalogram of one window's series, z-scored with stats, into out (scales x samples). */
export function windowScalogram(values: ArrayLike<number>, stats: NormStats, plan: CwtPlan, out: Float32Array = new Float32Array(plan.scales * plan.n), z: Float64Array = new Float64Array(plan.n)): Float32Array {
  plan.transform(zScore(values, stats, z), out);
  return out;
}

/**
 * A window's normalised series from a scalogram and a window mean (in place into series): the
 * inverse CWT gives the content within the scale range, the mean output the rest.
 */
export function scalogramSeries(scalogram: Float32Array, mean: number, plan: CwtPlan, series: Float32Array): Float32Array {
  plan.inverse(scalogram, series);
  let m = 0;
  for (let i = 0; i < series.length; i++) m += series[i];
  m /= series.length;
  for (let i = 0; i < series.length; i++) series[i] += mean - m;
  return series;
}

/** Normalised series (n x samples) from the scalograms and means of n windows. */
export function seriesFromScalograms(scalograms: Float32Array, means: ArrayLike<number>, plan: CwtPlan): Float32Array {
  const size = plan.scales * plan.n;
  const out = new Float32Array(means.length * plan.n);
  for (let k = 0; k < means.length; k++) scalogramSeries(scalograms.subarray(k * size, (k + 1) * size), means[k], plan, out.subarray(k * plan.n, (k + 1) * plan.n));
  return out;
}

/** Normalised series of n windows from a model's outputs: [scalograms, means] (a CED) or [series] (a head model). */
export function seriesFromOutputs(outs: Float32Array[], plan: CwtPlan): Float32Array {
  return outs.length === 2 ? seriesFromScalograms(outs[0], outs[1], plan) : outs[0];
}

/** x = z std + mean, in place. */
export function denormalise(z: Float32Array, stats: NormStats): Float32Array {
  for (let i = 0; i < z.length; i++) z[i] = z[i] * stats.std + stats.mean;
  return z;
}

export interface ModelSpec {
  readonly preset: WindowPreset;
  readonly plan: CwtPlan;
  readonly windowSamples: number;
  readonly stepSamples: number;
  readonly scales: number;
  /** conditioned AE -> the series windows are cut from (log10 or identity) */
  input(ae: Float32Array): Float32Array;
  /** one window of input() -> the model's input scalogram */
  scalogram(values: ArrayLike<number>, out?: Float32Array): Float32Array;
  /** one window of the target in physical units -> its normalised scalogram and mean (training targets) */
  targetScalogram(values: ArrayLike<number>, out?: Float32Array): { scalogram: Float32Array; mean: number; series: Float64Array };
  /** the model's outputs for n windows -> their series in physical units (n x samples) */
  reconstruct(outs: Float32Array[]): Float32Array;
}

/** The spec of a model: its preset's geometry and plan, its log10 and its statistics. */
export function modelSpec(m: SpecSource): ModelSpec {
  const plan = cwtPlanFor(m.preset);
  const { windowSamples, stepSamples } = windowGeometry(m.preset);
  const z = new Float64Array(windowSamples);
  return {
    preset: m.preset,
    plan,
    windowSamples,
    stepSamples,
    scales: plan.scales,
    input: (ae) => inputSeries(ae, m.input.log10),
    scalogram: (values, out) => windowScalogram(values, m.input.stats, plan, out, z),
    targetScalogram: (values, out) => {
      const series = zScore(values, m.output.stats, new Float64Array(windowSamples));
      let sum = 0;
      for (const v of series) sum += v;
      const scalogram = out ?? new Float32Array(plan.scales * windowSamples);
      plan.transform(series, scalogram);
      return { scalogram, mean: sum / windowSamples, series };
    },
    reconstruct: (outs) => denormalise(seriesFromOutputs(outs, plan), m.output.stats),
  };
}
