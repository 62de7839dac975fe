/**
 * The prediction flow, top to bottom in one place, one operator per file:
 *   raw AE chunks -> condition -> windows (spec: log10) -> scalograms (spec: z-score, CWT)
 *   -> infer (batched; spec: inverse CWT + window mean, de-normalise) -> overlap average (mean +- std)
 *                                                                    \-> nowcast (onNowcast: the newest step, causal)
 * Every number comes from the model's manifest through its spec (model/spec.ts). The live monitor
 * and `npm run evaluate` both run this function, so the report describes the product.
 */
import { pipe, tap, type OperatorFunction } from 'rxjs';
import type * as tfTypes from '@tensorflow/tfjs';
import type { ModelManifest } from '../model/manifest.ts';
import { modelSpec } from '../model/spec.ts';
import { type ConditionConfig, type ConditionedChunk, Conditioner } from '../shared/signal/condition.ts';
import type { AveragedSamples } from '../shared/signal/overlap-average.ts';
import { extractColumns } from '../shared/tiles.ts';
import { tileColumns } from '../shared/signal/window-preset.ts';
import { createInference, type InferenceOptions } from '../model/runtime/inference.ts';
import { servingPredictor } from '../model/runtime/serving-predictor.ts';
import { condition } from './condition.ts';
import { infer } from './infer.ts';
import { type Nowcast, nowcastOf } from './nowcast.ts';
import { overlapAverage } from './overlap-average.ts';
import { scalograms } from './scalograms.ts';
import { type InferBatch, type InferStats, isGap, type RawChunk } from './types.ts';
import { windows } from './windows.ts';

export type { Gap, InferBatch, InferResult, InferStats, RawChunk } from './types.ts';
export type { Nowcast } from './nowcast.ts';

export interface ServingModel {
  manifest: ModelManifest;
  infer: InferBatch;
}

/** A model run in this thread (tests, evaluation, offline replays); the server uses worker threads. */
export async function inProcessModel(model: tfTypes.LayersModel, manifest: ModelManifest, options: InferenceOptions = {}): Promise<ServingModel & { backend: string; dispose: () => Promise<void> }> {
  const inference = await createInference(model, options);
  return { manifest, backend: inference.name, infer: servingPredictor(inference, manifest), dispose: () => inference.dispose() };
}

export interface PipelineOptions {
  aeRateHz: number;
  /** physical units per stored unit of each AE channel */
  channelScales: number[];
  model: ServingModel;
  maxBatch?: number;
  /** filled in as the pipeline runs (status) */
  stats?: InferStats;
  /**
   * the causal nowcast: each window's newest step, called as soon as the window is inferred (before
   * overlap averaging); alerts must use this, never the averaged series, which is ~1 window late
   */
  onNowcast?: (n: Nowcast) => void;
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

/** How a model's input is conditioned from a session's AE (the condition step's settings). */
export function conditionConfig(o: Pick<PipelineOptions, 'aeRateHz' | 'channelScales' | 'model'>): ConditionConfig {
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

/** Raw AE in, averaged predictions (physical units) out. */
export function predictionPipeline(o: PipelineOptions): OperatorFunction<RawChunk, AveragedSamples> {
  const taps = o.taps ?? {};
  const on = () => taps.active?.() ?? true;
  return pipe(
    condition(conditionConfig(o)),
    tap((c) => {
      if (c.kind !== 'gap' && taps.conditioned && on()) taps.conditioned(c.startIndex, c.values);
    }),
    conditionedPipeline(o),
  );
}

/**
 * The same pipeline after its condition step: model-rate conditioned chunks in (the bus mode's
 * conditioning role makes them with the same `condition` operator, conditionConfig), averaged
 * predictions out.
 */
export function conditionedPipeline(o: Omit<PipelineOptions, 'aeRateHz' | 'channelScales'>): OperatorFunction<ConditionedChunk, AveragedSamples> {
  const spec = modelSpec(o.model.manifest);
  const cols = tileColumns(spec.preset);
  const taps = o.taps ?? {};
  const on = () => taps.active?.() ?? true;
  return pipe(
    windows(spec.windowSamples, spec.stepSamples, spec.input),
    scalograms(spec),
    tap((w) => {
      if (!isGap(w) && taps.inputTile && on()) taps.inputTile(w.startIndex + cols.from, extractColumns(w.scalogram, 1, spec.scales, spec.windowSamples, cols.from, cols.count));
    }),
    infer(o.model.infer, spec.windowSamples, o.maxBatch ?? 32, o.stats),
    tap((w) => {
      if (isGap(w)) return;
      if (o.onNowcast) o.onNowcast(nowcastOf(w, spec.stepSamples));
      if (w.tile && taps.outputTile && on()) taps.outputTile(w.startIndex + cols.from, w.tile);
    }),
    overlapAverage(spec.windowSamples),
  );
}
