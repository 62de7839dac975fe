/**
 * Evaluation through the serving path: a recording's raw AE goes, as RawChunks, through the same
 * predictionPipeline the live monitor runs (same operators, same model spec, the manifest's
 * normalisation), and the averaged series is scored against the truth (shared/metrics.ts).
 */
import { firstValueFrom, from, Subject, toArray } from 'rxjs';
import type { ModelManifest } from '../model/manifest.ts';
import type { Inference } from '../model/runtime/inference.ts';
import { servingPredictor } from '../model/runtime/serving-predictor.ts';
import { overlapAverage } from '../pipeline/overlap-average.ts';
import { type InferStats, predictionPipeline, type RawChunk, type ServingModel } from '../pipeline/pipeline.ts';
import type { SeriesWindow } from '../pipeline/types.ts';
import { openRecording, readRecordingStream } from '../recording/recording.ts';
import { type ScoreOptions, type SeriesScores, scoreSeries } from '../shared/metrics.ts';
import type { AveragedSamples } from '../shared/signal/overlap-average.ts';
import type { Truth } from './dataset.ts';
import { aeColumnsOf, sameAeKind } from './sources.ts';

/** An averaged prediction on the truth's clock: mean[0] is at absolute model-rate index startIndex. */
export interface AveragedPrediction {
  startIndex: number;
  mean: Float32Array;
  std: Float32Array;
  count: Uint16Array;
}

/** A recording's AE as the replay producer sends it: the waveform columns (or the energy proxy of a simulation). */
export async function aeSourceOf(dir: string) {
  const rec = await openRecording(dir);
  const spec = rec.meta.streams.ae;
  const { columns, mode: conditioning } = aeColumnsOf(spec, dir);
  /** the chunks of rows [fromRow, toRow), indexed from the stream's row 0 as the monitor indexes frames */
  async function* chunks(fromRow = 0, toRow = Number.POSITIVE_INFINITY): AsyncGenerator<RawChunk> {
    for await (const b of readRecordingStream(rec, 'ae')) {
      const a = Math.max(fromRow, b.rowOffset);
      const e = Math.min(toRow, b.rowOffset + b.rows);
      if (a < e) yield { startIndex: a, channels: columns.map((c) => b.columns[c.name].subarray(a - b.rowOffset, e - b.rowOffset)) };
    }
  }
  return { aeRateHz: spec.sampleRateHz, startTimeS: spec.startTimeS, channelScales: columns.map((c) => c.scale ?? 1), conditioning, chunks };
}

/** Averaged pieces, which must be contiguous, as one prediction shifted by offset samples. */
export function concatAveraged(parts: AveragedSamples[], offset = 0): AveragedPrediction {
  const total = parts.reduce((s, p) => s + p.mean.length, 0);
  const start = parts[0]?.startIndex ?? 0;
  const out: AveragedPrediction = { startIndex: start + offset, mean: new Float32Array(total), std: new Float32Array(total), count: new Uint16Array(total) };
  let off = 0;
  for (const p of parts) {
    if (p.startIndex !== start + off) throw new Error(`averaged series not contiguous at ${start + off} (next piece starts at ${p.startIndex})`);
    out.mean.set(p.mean, off);
    out.std.set(p.std, off);
    out.count.set(p.count, off);
    off += p.mean.length;
  }
  return out;
}

/** The serving model of an inference runtime under a manifest (its spec and normalisation). */
export function servingModel(inference: Inference, manifest: ModelManifest): ServingModel {
  return { manifest, infer: servingPredictor(inference, manifest) };
}

export interface PredictOptions {
  /** AE seconds [fromS, toS) of the recording to feed (default all) */
  fromS?: number;
  toS?: number;
  maxBatch?: number;
}

/**
 * A recording replayed through predictionPipeline, exactly as the monitor receives it. Reading
 * waits while more than a few batches are queued for inference (flow control, as the server's
 * ingest does), so memory stays flat on long recordings.
 */
export async function predictRecording(model: ServingModel, dir: string, o: PredictOptions = {}): Promise<AveragedPrediction> {
  const src = await aeSourceOf(dir);
  if (!sameAeKind(src.conditioning, model.manifest.input.conditioning))
    throw new Error(`${model.manifest.name} conditions its AE in ${model.manifest.input.conditioning} mode; ${dir} needs ${src.conditioning} (cross-train it on this kind of recording first)`);
  const maxBatch = o.maxBatch ?? 32;
  const stats: InferStats = { windowsIn: 0, windowsOut: 0, batches: 0, queued: 0, maxQueued: 0 };
  const input = new Subject<RawChunk>();
  const done = firstValueFrom(input.pipe(predictionPipeline({ aeRateHz: src.aeRateHz, channelScales: src.channelScales, model, maxBatch, stats }), toArray()));
  // fromS and toS are experiment seconds; rows count from the stream's start
  const fromRow = Math.max(0, Math.round(((o.fromS ?? src.startTimeS) - src.startTimeS) * src.aeRateHz));
  const toRow = o.toS === undefined ? Number.POSITIVE_INFINITY : Math.round((o.toS - src.startTimeS) * src.aeRateHz);
  for await (const chunk of src.chunks(fromRow, toRow)) {
    input.next(chunk);
    while (stats.queued > 4 * maxBatch) await new Promise((r) => setImmediate(r));
  }
  input.complete();
  // the truth's clock counts from the experiment's start; the stream's from its first row
  return concatAveraged(await done, Math.round(src.startTimeS * model.manifest.preset.sampleRateHz));
}

/** Overlap-average series windows already reconstructed (the reference rows) with the pipeline's operator. */
export async function averageWindows(windows: SeriesWindow[], windowSamples: number): Promise<AveragedPrediction> {
  return concatAveraged(await firstValueFrom(from(windows).pipe(overlapAverage(windowSamples), toArray())));
}

/** The prediction and the truth over a truth sample range [from, to), sample for sample. */
export function alignedOver(p: AveragedPrediction, truth: Truth, range: [number, number]): { truth: Float32Array; predicted: Float32Array } {
  const from = Math.max(range[0] + truth.startIndex, p.startIndex);
  const to = Math.min(range[1] + truth.startIndex, p.startIndex + p.mean.length);
  if (to <= from) return { truth: new Float32Array(0), predicted: new Float32Array(0) };
  return { truth: truth.values.slice(from - truth.startIndex, to - truth.startIndex), predicted: p.mean.slice(from - p.startIndex, to - p.startIndex) };
}

/** Scores of a prediction over a truth range (the samples both cover). */
export function scoreOver(p: AveragedPrediction, truth: Truth, range: [number, number], o: ScoreOptions = {}): SeriesScores {
  const a = alignedOver(p, truth, range);
  return scoreSeries(a.truth, a.predicted, o);
}
