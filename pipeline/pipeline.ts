/**
 * The prediction flow, top to bottom in one place:
 *   raw AE chunks -> condition -> windows (log10) -> scalograms (normalised) -> infer (batched)
 *   -> overlap average (de-normalised mean +- std, each sample once)
 * Every number comes from the model's manifest: preset, conditioning, statistics.
 */
import { pipe, tap, type OperatorFunction } from 'rxjs';
import type * as tfTypes from '@tensorflow/tfjs';
import type { ModelManifest } from '../model/manifest.ts';
import { type ConditionConfig, Conditioner } from '../shared/signal/condition.ts';
import type { AveragedSamples } from '../shared/signal/overlap-average.ts';
import { extractColumns } from '../shared/tiles.ts';
import { cwtPlanFor, tileColumns, windowGeometry } from '../shared/signal/window-preset.ts';
import { createInference, type InferenceOptions } from '../model/runtime/inference.ts';
import { servingPredictor } from '../model/runtime/serving-predictor.ts';
import { condition, infer, type InferBatch, type InferStats, overlapAverage, type RawChunk, scalograms, windows } from './stages.ts';

export interface ServingModel {
  manifest: ModelManifest;
  infer: InferBatch;
}

/** A model run in this thread (tests, offline replays); the server uses worker threads. */
export async function inProcessModel(model: tfTypes.LayersModel, manifest: ModelManifest, options: InferenceOptions = {}): Promise<ServingModel & { backend: string }> {
  const inference = await createInference(model, options);
  return { manifest, backend: inference.name, infer: servingPredictor(inference, manifest) };
}

export interface PipelineOptions {
  aeRateHz: number;
  /** physical units per stored unit of each AE channel */
  channelScales: number[];
  model: ServingModel;
  maxBatch?: number;
  /** filled in as the pipeline runs (status) */
  stats?: InferStats;
  /** side views for the dashboard; they see the data, never change it */
  taps?: PipelineTaps;
}

export interface PipelineTaps {
  /** when it says false (no dashboard watching), the taps are skipped and their data never made */
  active?: () => boolean;
  /** the conditioned AE at the model rate */
  conditioned?: (startIndex: number, values: Float32Array) => void;
  /** the input scalogram's centre columns (tileColumns) of each window, from the first column's index */
  inputTile?: (startIndex: number, tile: Float32Array) => void;
  /** the predicted scalogram's centre columns of each window */
  outputTile?: (startIndex: number, tile: Float32Array) => void;
}

function conditionConfig(o: Pick<PipelineOptions, 'aeRateHz' | 'channelScales' | 'model'>): ConditionConfig {
  const m = o.model.manifest;
  return { inputRateHz: o.aeRateHz, outputRateHz: m.preset.sampleRateHz, mode: m.input.conditioning, channels: o.channelScales.length, channelScales: o.channelScales };
}

/**
 * How long after a moment its conditioned sample can exist (the anti-aliasing filter's delay):
 * a window is complete once the AE this much past its last sample has arrived.
 */
export function conditioningDelayS(o: Pick<PipelineOptions, 'aeRateHz' | 'channelScales' | 'model'>): number {
  return new Conditioner(conditionConfig(o)).latencyS;
}

/** Raw AE in, averaged predictions out. */
export function predictionPipeline(o: PipelineOptions): OperatorFunction<RawChunk, AveragedSamples> {
  const m = o.model.manifest;
  const { windowSamples, stepSamples } = windowGeometry(m.preset);
  const toInput = m.input.log10 ? (x: Float32Array) => Float32Array.from(x, (v) => Math.log10(Math.max(v, 1e-12))) : (x: Float32Array) => x;
  const plan = cwtPlanFor(m.preset);
  const cols = tileColumns(m.preset);
  const taps = o.taps ?? {};
  const on = () => taps.active?.() ?? true;
  return pipe(
    condition(conditionConfig(o)),
    tap((c) => {
      if (c.kind !== 'gap' && taps.conditioned && on()) taps.conditioned(c.startIndex, c.values);
    }),
    windows(windowSamples, stepSamples, toInput),
    scalograms(plan, m.input.stats),
    tap((w) => {
      if (!('kind' in w) && taps.inputTile && on()) taps.inputTile(w.startIndex + cols.from, extractColumns(w.scalogram, 1, plan.scales, plan.n, cols.from, cols.count));
    }),
    infer(o.model.infer, windowSamples, o.maxBatch ?? 32, o.stats),
    tap((w) => {
      if (!('kind' in w) && w.tile && taps.outputTile && on()) taps.outputTile(w.startIndex + cols.from, w.tile);
    }),
    overlapAverage(windowSamples, m.output.stats),
  );
}
