/**
 * nowcast: each window's newest step of its predicted series, emitted as soon as the window is
 * inferred, before any overlap averaging. Causal: the samples [start + window - step, start +
 * window) exist the moment the frame completing the window arrives, ~one window + one step
 * earlier than their averaged values. Consecutive windows' newest steps tile the stream.
 */
import type { SeriesWindow } from './types.ts';

export interface Nowcast {
  /** model-rate index of values[0] */
  startIndex: number;
  values: Float32Array;
}

/** The newest `stepSamples` of a window's series (a copy: the window's buffer is not kept). */
export function nowcastOf(w: SeriesWindow, stepSamples: number): Nowcast {
  const n = w.series.length;
  return { startIndex: w.startIndex + n - stepSamples, values: w.series.slice(n - stepSamples) };
}
