/**
 * What flows between the pipeline's operators (pipeline.ts composes them): raw AE chunks in,
 * windows and scalograms in between, averaged series out. A Gap travels with the data so that
 * nothing before a break in the stream is ever combined with anything after it.
 */

/** Raw AE of one data frame: channels at the AE rate from an absolute sample index. */
export interface RawChunk {
  startIndex: number;
  channels: ArrayLike<number>[];
}

/** Marks a break in the stream: nothing before it and after it may be combined. */
export interface Gap {
  kind: 'gap';
  fromIndex: number;
  toIndex: number;
}

/** A model-rate window of the input series (after the spec's input transform). */
export interface InputWindow {
  startIndex: number;
  values: Float32Array;
}

/** A model-rate window with the model's input scalogram. */
export interface ScalogramWindow {
  startIndex: number;
  scalogram: Float32Array;
}

/** A window's predicted series in physical units, and the centre columns of its predicted scalogram. */
export interface SeriesWindow {
  startIndex: number;
  series: Float32Array;
  tile?: Float32Array;
}

/** What the model returns for a batch of n windows. */
export interface InferResult {
  /** n x samples series in physical units (the model spec's reconstruction, de-normalised) */
  series: Float32Array;
  /** n x scales x tile columns of the predicted scalograms (CED models; head models have none) */
  tiles: Float32Array | null;
}

/** The model behind the infer operator: a batch of scalograms in, series (and tiles) out. */
export type InferBatch = (scalograms: Float32Array, count: number) => Promise<InferResult>;

/** The infer operator's counters, filled in as it runs (status; `queued` drives flow control). */
export interface InferStats {
  windowsIn: number;
  windowsOut: number;
  batches: number;
  /** windows waiting now, and the most that ever waited */
  queued: number;
  maxQueued: number;
}

export const isGap = (x: object): x is Gap => 'kind' in x && (x as Gap).kind === 'gap';
