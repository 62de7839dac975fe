/**
 * The prediction flow, top to bottom in one place:
 *   raw AE chunks -> condition -> windows (log10) -> scalograms (normalised) -> infer (batched)
 *   -> overlap average (de-normalised mean +- std, each sample once)
 * Every number comes from the model's manifest: preset, conditioning, statistics.
 */
import { pipe, type OperatorFunction } from 'rxjs';
import type * as tfTypes from '@tensorflow/tfjs';
import type { ModelManifest } from '../../shared/model/manifest.ts';
import type { AveragedSamples } from '../../shared/signal/overlap-average.ts';
import { cwtPlanFor, windowGeometry } from '../../shared/windows.ts';
import { seriesPredictor } from '../../shared/node/model/evaluate.ts';
import { createInference, type InferenceOptions } from '../../shared/node/model/inference.ts';
import { condition, infer, type InferBatch, type InferStats, overlapAverage, type RawChunk, scalograms, windows } from './stages.ts';

export interface ServingModel {
  manifest: ModelManifest;
  infer: InferBatch;
}

/** A model run in this thread (tests, offline replays); the server uses worker threads. */
export async function inProcessModel(model: tfTypes.LayersModel, manifest: ModelManifest, options: InferenceOptions = {}): Promise<ServingModel & { backend: string }> {
  const plan = cwtPlanFor(manifest.preset);
  const inference = await createInference(model, options);
  return { manifest, backend: inference.name, infer: seriesPredictor(inference, manifest.preset, plan.scales, plan.n) };
}

export interface PipelineOptions {
  aeRateHz: number;
  /** physical units per stored unit of each AE channel */
  channelScales: number[];
  model: ServingModel;
  maxBatch?: number;
  /** filled in as the pipeline runs (status) */
  stats?: InferStats;
}

/** Raw AE in, averaged predictions out. */
export function predictionPipeline(o: PipelineOptions): OperatorFunction<RawChunk, AveragedSamples> {
  const m = o.model.manifest;
  const { windowSamples, stepSamples } = windowGeometry(m.preset);
  const toInput = m.input.log10 ? (x: Float32Array) => Float32Array.from(x, (v) => Math.log10(Math.max(v, 1e-12))) : (x: Float32Array) => x;
  return pipe(
    condition({ inputRateHz: o.aeRateHz, outputRateHz: m.preset.sampleRateHz, mode: m.input.conditioning, channels: o.channelScales.length, channelScales: o.channelScales }),
    windows(windowSamples, stepSamples, toInput),
    scalograms(cwtPlanFor(m.preset), m.input.stats),
    infer(o.model.infer, windowSamples, o.maxBatch ?? 32, o.stats),
    overlapAverage(windowSamples, m.output.stats),
  );
}
