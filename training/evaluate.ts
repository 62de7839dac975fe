/**
 * Offline evaluation through the serving path: predict each window's scalogram, invert it to a
 * series, de-normalise, overlap-average (mean +- std per sample), and score against the truth.
 * The live pipeline calls the same pieces, so offline scores describe what the monitor shows.
 */
import { type AveragedSamples, OverlapAverager } from '../shared/signal/overlap-average.ts';
import type { NormStats } from '../shared/signal/normalise.ts';
import type { WindowPreset } from '../shared/signal/window-preset.ts';
import { type Truth, type WindowSet } from './dataset.ts';
import { cwtPlanFor } from '../shared/signal/window-preset.ts';
import type { Inference } from '../model/runtime/inference.ts';

export interface AveragedPrediction {
  /** absolute model-rate index of mean[0] */
  startIndex: number;
  mean: Float32Array;
  std: Float32Array;
  count: Uint16Array;
}

/** Normalised series predicted for windows [start, start + n): n x samples values. */
export type Predictor = (start: number, n: number) => Promise<Float32Array>;

/**
 * A window's normalised series from a scalogram and a window mean (in place into series): the
 * inverse CWT gives the content within the scale range, the mean output the rest.
 */
export function scalogramSeries(scalogram: Float32Array, mean: number, preset: WindowPreset, series: Float32Array): Float32Array {
  cwtPlanFor(preset).inverse(scalogram, series);
  let m = 0;
  for (let i = 0; i < series.length; i++) m += series[i];
  m /= series.length;
  for (let i = 0; i < series.length; i++) series[i] += mean - m;
  return series;
}

/** Series from scalograms and means of many windows. */
export function seriesFromScalograms(scalograms: Float32Array, means: ArrayLike<number>, preset: WindowPreset, scales: number, samples: number): Float32Array {
  const n = means.length;
  const out = new Float32Array(n * samples);
  for (let k = 0; k < n; k++) {
    scalogramSeries(scalograms.subarray(k * scales * samples, (k + 1) * scales * samples), means[k], preset, out.subarray(k * samples, (k + 1) * samples));
  }
  return out;
}

/**
 * A model as a function of a batch of scalograms (n x scales x samples) to normalised series
 * (n x samples): a CED (a scalogram and a window mean per window) or a head model (the series
 * directly, seed 003's application layers). The live pipeline goes through seriesFromOutputs too
 * (server/predict/serving-predictor.ts).
 */
export function seriesPredictor(inference: Inference, preset: WindowPreset, scales: number, samples: number): (x: Float32Array, n: number) => Promise<Float32Array> {
  return async (x, n) => seriesFromOutputs(await inference.run(x, n), preset, scales, samples);
}

/** The normalised series of n windows from a model's outputs: [scalograms, means] (a CED) or [series] (a head model). */
export function seriesFromOutputs(outs: Float32Array[], preset: WindowPreset, scales: number, samples: number): Float32Array {
  return outs.length === 2 ? seriesFromScalograms(outs[0], outs[1], preset, scales, samples) : outs[0];
}

/** The predictor of a model (through an inference runtime) on a window set. */
export function modelPredictor(inference: Inference, set: WindowSet, preset: WindowPreset): Predictor {
  const size = set.scales * set.samples;
  const run = seriesPredictor(inference, preset, set.scales, set.samples);
  return (start, n) => run(set.x.subarray(start * size, (start + n) * size), n);
}

/** Predict every window of a set, de-normalise, and overlap-average. */
export async function predictSeries(predict: Predictor, set: WindowSet, outputStats: NormStats, batchSize = 32): Promise<AveragedPrediction> {
  const avg = new OverlapAverager(set.samples);
  const parts: AveragedSamples[] = [];
  const series = new Float32Array(set.samples);
  for (let start = 0; start < set.count; start += batchSize) {
    const n = Math.min(batchSize, set.count - start);
    const out = await predict(start, n);
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < set.samples; i++) series[i] = out[k * set.samples + i] * outputStats.std + outputStats.mean;
      const done = avg.add(set.starts[start + k], series);
      if (done) parts.push(done);
    }
  }
  const last = avg.flush();
  if (last) parts.push(last);
  const total = parts.reduce((s, p) => s + p.mean.length, 0);
  const result: AveragedPrediction = { startIndex: parts[0]?.startIndex ?? 0, mean: new Float32Array(total), std: new Float32Array(total), count: new Uint16Array(total) };
  let off = 0;
  for (const p of parts) {
    if (p.startIndex !== result.startIndex + off) throw new Error('evaluation windows must be contiguous');
    result.mean.set(p.mean, off);
    result.std.set(p.std, off);
    result.count.set(p.count, off);
    off += p.mean.length;
  }
  return result;
}

/** Mean absolute percentage error (%) of a prediction against the truth it covers (finite truth only). */
export function mape(p: AveragedPrediction, truth: Truth): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < p.mean.length; i++) {
    const t = truth.values[p.startIndex - truth.startIndex + i];
    if (!Number.isFinite(t) || t === 0) continue;
    sum += Math.abs((p.mean[i] - t) / t);
    n++;
  }
  return (100 * sum) / n;
}

/** Mean absolute error and R^2 of a prediction against the truth it covers (finite truth only). */
export function maeR2(p: AveragedPrediction, truth: Truth): { mae: number; r2: number } {
  const at = (i: number) => truth.values[p.startIndex - truth.startIndex + i];
  let sae = 0;
  let n = 0;
  let st = 0;
  for (let i = 0; i < p.mean.length; i++) {
    const t = at(i);
    if (!Number.isFinite(t)) continue;
    sae += Math.abs(p.mean[i] - t);
    st += t;
    n++;
  }
  const mean = st / n;
  let ssRes = 0;
  let ssTot = 0;
  for (let i = 0; i < p.mean.length; i++) {
    const t = at(i);
    if (!Number.isFinite(t)) continue;
    ssRes += (p.mean[i] - t) ** 2;
    ssTot += (t - mean) ** 2;
  }
  return { mae: sae / n, r2: 1 - ssRes / ssTot };
}
