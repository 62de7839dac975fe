/**
 * Training and evaluation data from recordings, through the same signal core the live pipeline
 * uses: condition AE and friction to the preset's rate, label time to failure, normalise, cut
 * windows on the preset's grid, and transform each window to a scalogram.
 */
import { detectFailures } from '../shared/labels.ts';
import { columnsOf } from '../shared/recording-meta.ts';
import { Conditioner, type ConditionMode } from '../shared/signal/condition.ts';
import { computeStats, type NormStats } from '../shared/signal/normalise.ts';
import { windowsOf } from '../shared/signal/sliding-windows.ts';
import { cwtPlanFor, type WindowPreset, windowGeometry } from '../shared/signal/window-preset.ts';
import type { Target } from '../model/manifest.ts';
import { openRecording, readRecordingStream } from '../recording/recording.ts';

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
}

async function conditionStream(dir: string, stream: 'ae' | 'mech', rateHz: number) {
  const rec = await openRecording(dir);
  const spec = rec.meta.streams[stream];
  if (!spec) throw new Error(`${dir}: no ${stream} stream`);
  const waveforms = columnsOf(spec, 'acoustic-emission');
  const columns = stream === 'mech' ? columnsOf(spec, 'friction') : waveforms.length ? waveforms : columnsOf(spec, 'kinetic-energy');
  if (columns.length === 0) throw new Error(`${dir}: ${stream} stream has no ${stream === 'mech' ? 'friction' : 'AE or kinetic-energy'} column`);
  const mode: ConditionMode = stream === 'ae' && waveforms.length ? 'envelope' : 'lowpass';
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
  return { startIndex: first + Math.round(spec.startTimeS * rateHz), values, mode, spec, rec };
}

/** Condition a recording's AE and friction to rateHz, align them, and label time to failure. */
export async function conditionRecording(dir: string, rateHz: number): Promise<ConditionedRecording> {
  const ae = await conditionStream(dir, 'ae', rateHz);
  const mu = await conditionStream(dir, 'mech', rateHz);
  const start = Math.max(ae.startIndex, mu.startIndex);
  const end = Math.min(ae.startIndex + ae.values.length, mu.startIndex + mu.values.length);
  // failures from the friction at its own rate (1 kHz), not the decimated one
  const mech = mu.rec.meta.streams.mech;
  const raw = new Float32Array(mu.rec.streams.mech.rows);
  const muName = columnsOf(mech, 'friction')[0].name;
  for await (const b of readRecordingStream(mu.rec, 'mech')) raw.set(b.columns[muName], b.rowOffset);
  const failuresS = detectFailures(raw, mech.sampleRateHz, mech.startTimeS).map((e) => e.onsetTimeS);
  const ttf = new Float32Array(end - start);
  let next = 0;
  for (let k = 0; k < ttf.length; k++) {
    const t = (start + k) / rateHz;
    while (next < failuresS.length && failuresS[next] < t) next++;
    ttf[k] = next < failuresS.length ? failuresS[next] - t : Number.NaN;
  }
  return {
    id: ae.rec.meta.experimentId,
    rateHz,
    startIndex: start,
    conditioning: ae.mode,
    ae: ae.values.slice(start - ae.startIndex, end - ae.startIndex),
    mu: mu.values.slice(start - mu.startIndex, end - mu.startIndex),
    ttf,
    failuresS,
  };
}

/** The input series the model sees before normalisation: log10 of the conditioned AE. */
export function inputSeries(r: ConditionedRecording, log10: boolean): Float32Array {
  if (!log10) return r.ae;
  return Float32Array.from(r.ae, (v) => Math.log10(Math.max(v, 1e-12)));
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

/** A sample range [from, to) of a conditioned recording, as fractions of its length. */
export function fractionRange(r: ConditionedRecording, from: number, to: number): [number, number] {
  return [Math.floor(from * r.ae.length), Math.floor(to * r.ae.length)];
}

/** Normalisation statistics of input and target over a sample range (the training data). */
export function statsOver(r: ConditionedRecording, range: [number, number], target: Target, log10: boolean): { input: NormStats; output: NormStats } {
  return {
    input: computeStats(inputSeries(r, log10).subarray(range[0], range[1])),
    output: computeStats(targetSeries(r, target).subarray(range[0], range[1])),
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
 * Cut the windows of a sample range and transform them. Windows whose target is undefined
 * anywhere (time to failure after the last failure) are left out.
 */
export function makeWindows(
  r: ConditionedRecording,
  range: [number, number],
  preset: WindowPreset,
  target: Target,
  stats: { input: NormStats; output: NormStats },
  log10: boolean,
): WindowSet {
  const { windowSamples, stepSamples } = windowGeometry(preset);
  const plan = cwtPlanFor(preset);
  const input = inputSeries(r, log10);
  const out = targetSeries(r, target);
  const base = r.startIndex;
  const xs = windowsOf(input.subarray(range[0], range[1]), windowSamples, stepSamples, base + range[0]);
  const kept = xs.filter((w) => {
    for (let i = 0; i < windowSamples; i++) if (!Number.isFinite(out[w.startIndex - base + i])) return false;
    return true;
  });
  const size = plan.scales * windowSamples;
  const x = new Float32Array(kept.length * size);
  const y = new Float32Array(kept.length * size);
  const yMean = new Float32Array(kept.length);
  const ySeries = new Float32Array(kept.length * windowSamples);
  const zi = new Float64Array(windowSamples);
  const zo = new Float64Array(windowSamples);
  kept.forEach((w, k) => {
    let sum = 0;
    for (let i = 0; i < windowSamples; i++) {
      zi[i] = (w.values[i] - stats.input.mean) / stats.input.std;
      zo[i] = (out[w.startIndex - base + i] - stats.output.mean) / stats.output.std;
      sum += zo[i];
    }
    yMean[k] = sum / windowSamples;
    ySeries.set(zo, k * windowSamples);
    plan.transform(zi, x.subarray(k * size, (k + 1) * size));
    plan.transform(zo, y.subarray(k * size, (k + 1) * size));
  });
  return { x, y, yMean, ySeries, starts: kept.map((w) => w.startIndex), scales: plan.scales, samples: windowSamples, count: kept.length };
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
