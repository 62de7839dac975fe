/**
 * Training data from recordings: condition AE and friction to the preset's rate, label time to
 * failure, and cut windows on the preset's grid, transformed by the model spec (model/spec.ts:
 * the live pipeline's log10, z-score and CWT).
 */
import { timeToFailure } from '../shared/labels.ts';
import { Conditioner, type ConditionMode } from '../shared/signal/condition.ts';
import { computeStats } from '../shared/signal/normalise.ts';
import { windowsOf } from '../shared/signal/sliding-windows.ts';
import type { ModelManifest, Target } from '../model/manifest.ts';
import { inputSeries, type ModelSpec } from '../model/spec.ts';
import { type OpenedRecording, openRecording, readRecordingStream } from '../recording/recording.ts';
import { aeColumnsOf, failuresOf, type FrictionSource, frictionColumnOf, type LabelSource } from './sources.ts';

/** A recording conditioned to one rate: AE, friction and time to failure, sample for sample. */
export interface ConditionedRecording {
  id: string;
  rateHz: number;
  /** experiment-time index of sample 0 at rateHz (sample k is at (startIndex + k) / rateHz s) */
  startIndex: number;
  /** how the AE was conditioned: envelope of waveforms, or lowpass of an energy proxy */
  conditioning: ConditionMode;
  ae: Float32Array;
  mu: Float32Array;
  /** time to the next failure, s; NaN after the last one */
  ttf: Float32Array;
  /** failure onsets, s */
  failuresS: number[];
  /** what `mu` holds: friction, shear stress (MPa) where friction is unknown, or nothing (NaN) */
  frictionSource?: FrictionSource;
  /** where the failures come from */
  labelSource?: LabelSource;
}

async function conditionStream(rec: OpenedRecording, stream: 'ae' | 'mech', rateHz: number) {
  const dir = rec.dir;
  const spec = rec.meta.streams[stream];
  const { columns, mode } = stream === 'ae' ? aeColumnsOf(spec, dir) : { columns: [frictionColumnOf(spec).column!], mode: 'lowpass' as ConditionMode };
  const c = new Conditioner({
    inputRateHz: spec.sampleRateHz,
    outputRateHz: rateHz,
    mode,
    channels: columns.length,
    channelScales: columns.map((col) => col.scale ?? 1),
  });
  const parts: Float32Array[] = [];
  let first = -1;
  for await (const b of readRecordingStream(rec, stream)) {
    for (const chunk of c.push(b.rowOffset, columns.map((col) => b.columns[col.name]))) {
      if (chunk.kind === 'gap') throw new Error(`${dir}: gap in the ${stream} stream; datasets need contiguous recordings`);
      if (first < 0) first = chunk.startIndex;
      parts.push(chunk.values);
    }
  }
  const values = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) {
    values.set(p, off);
    off += p.length;
  }
  // output index k sits at stream time startTimeS + k / rateHz
  return { startIndex: first + Math.round(spec.startTimeS * rateHz), values, mode };
}

/**
 * Condition a recording's AE and friction (or shear stress) to rateHz, align them, and label time
 * to failure (training/sources.ts: which columns, which labels). Without friction or shear stress
 * the friction target is NaN (only TTF can be trained).
 */
export async function conditionRecording(dir: string, rateHz: number): Promise<ConditionedRecording> {
  const rec = await openRecording(dir);
  const ae = await conditionStream(rec, 'ae', rateHz);
  const mech = rec.meta.streams.mech;
  const { column, source } = frictionColumnOf(mech);
  const mu = column ? await conditionStream(rec, 'mech', rateHz) : { startIndex: ae.startIndex, values: new Float32Array(ae.values.length).fill(Number.NaN) };
  const start = Math.max(ae.startIndex, mu.startIndex);
  const end = Math.min(ae.startIndex + ae.values.length, mu.startIndex + mu.values.length);
  // failures from the friction at its own rate (1 kHz), not the resampled one
  let raw: Float32Array | null = null;
  if (column) {
    raw = new Float32Array(rec.streams.mech.rows);
    for await (const b of readRecordingStream(rec, 'mech')) raw.set(b.columns[column.name], b.rowOffset);
  }
  const { failuresS, labelSource } = failuresOf(raw, source, mech?.sampleRateHz ?? rateHz, mech?.startTimeS ?? 0, rec.meta);
  const ttf = timeToFailure(failuresS, start, rateHz, end - start);
  return {
    id: rec.meta.experimentId,
    rateHz,
    startIndex: start,
    conditioning: ae.mode,
    ae: ae.values.slice(start - ae.startIndex, end - ae.startIndex),
    mu: mu.values.slice(start - mu.startIndex, end - mu.startIndex),
    ttf,
    failuresS,
    frictionSource: source,
    labelSource,
  };
}

export function targetSeries(r: ConditionedRecording, target: Target): Float32Array {
  return target === 'friction' ? r.mu : r.ttf;
}

/** A reference series with its absolute start index, to score predictions against. */
export interface Truth {
  values: Float32Array;
  startIndex: number;
}

export function truthOf(r: ConditionedRecording, target: Target): Truth {
  return { values: targetSeries(r, target), startIndex: r.startIndex };
}

/**
 * The normalisation of a model trained on a sample range (what its manifest will carry): the
 * statistics of its input series (the spec's log10) and of its target over that range.
 */
export function normalisationOver(r: ConditionedRecording, range: [number, number], target: Target, log10 = true): Pick<ModelManifest, 'input' | 'output'> {
  return {
    input: { conditioning: r.conditioning, log10, stats: computeStats(inputSeries(r.ae, log10).subarray(range[0], range[1])) },
    output: { stats: computeStats(targetSeries(r, target).subarray(range[0], range[1])) },
  };
}

/** Windows ready for a model: scalograms of the normalised input and target. */
export interface WindowSet {
  /** scalograms, windows x scales x samples, float32 */
  x: Float32Array;
  y: Float32Array;
  /** each window's mean of the normalised target (what the scalogram cannot carry) */
  yMean: Float32Array;
  /** the normalised target series, windows x samples (the target of head models) */
  ySeries: Float32Array;
  /**
   * each window's first sample as an absolute model-rate index (the recording's startIndex + its
   * position): windows sit on the preset's grid of absolute indices, as the live pipeline's do
   */
  starts: number[];
  scales: number;
  samples: number;
  count: number;
}

/**
 * Cut the windows of a sample range and transform them with the model spec (the live pipeline's
 * transforms). Windows whose target is undefined anywhere (TTF after the last failure) are left out.
 */
export function makeWindows(r: ConditionedRecording, range: [number, number], spec: ModelSpec, target: Target): WindowSet {
  const { windowSamples, stepSamples, scales } = spec;
  const out = targetSeries(r, target);
  const base = r.startIndex;
  const xs = windowsOf(spec.input(r.ae).subarray(range[0], range[1]), windowSamples, stepSamples, base + range[0]);
  const kept = xs.filter((w) => {
    for (let i = 0; i < windowSamples; i++) if (!Number.isFinite(out[w.startIndex - base + i])) return false;
    return true;
  });
  const size = scales * windowSamples;
  const set: WindowSet = { x: new Float32Array(kept.length * size), y: new Float32Array(kept.length * size), yMean: new Float32Array(kept.length), ySeries: new Float32Array(kept.length * windowSamples), starts: kept.map((w) => w.startIndex), scales, samples: windowSamples, count: kept.length };
  kept.forEach((w, k) => {
    spec.scalogram(w.values, set.x.subarray(k * size, (k + 1) * size));
    const t = spec.targetScalogram(out.subarray(w.startIndex - base, w.startIndex - base + windowSamples), set.y.subarray(k * size, (k + 1) * size));
    set.yMean[k] = t.mean;
    set.ySeries.set(t.series, k * windowSamples);
  });
  return set;
}

/** Windows [from, to) of a set (shares no memory with it). */
export function subsetWindows(set: WindowSet, from: number, to: number): WindowSet {
  const size = set.scales * set.samples;
  return {
    x: set.x.slice(from * size, to * size),
    y: set.y.slice(from * size, to * size),
    yMean: set.yMean.slice(from, to),
    ySeries: set.ySeries.slice(from * set.samples, to * set.samples),
    starts: set.starts.slice(from, to),
    scales: set.scales,
    samples: set.samples,
    count: to - from,
  };
}
