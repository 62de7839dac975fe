/**
 * Recordings as the live monitor sees them, for the alerting model and its baselines: the AE
 * level (log10 of the conditioned AE at the model rate, the pipeline's own conditioning) with the
 * time each sample was *issued* (its time plus the conditioning filter's delay), and slips as a
 * streaming detector reports them (onset plus the detector's margin). Scored spans stay within a
 * load level: labels never count down across a load step.
 */
import { join } from 'node:path';
import { readRecordingMeta } from '../recording/recording.ts';
import { timeToFailure } from '../shared/labels.ts';
import { Conditioner } from '../shared/signal/condition.ts';
import { LOG10_FLOOR } from '../model/spec.ts';
import { conditionRecording } from './dataset.ts';
import { aeColumnsOf } from './sources.ts';
import { levelRanges, SPLITS } from './splits.ts';

/** StreamingFailureDetector's default margin: a slip is reported this long after its onset, s. */
export const SLIP_REPORT_DELAY_S = 0.5;

export interface AlertStream {
  id: string;
  rateHz: number;
  /** time of sample 0, s */
  startS: number;
  /** log10 of the conditioned AE */
  level: Float32Array;
  /** a sample at t is issued at t + delayS */
  delayS: number;
  /** slip onsets (measured friction), s */
  onsetsS: number[];
}

/** A scored span [fromS, toS) of a stream; one load level at most. */
export interface Span {
  label: string;
  fromS: number;
  toS: number;
}

export async function alertStream(dir: string, rateHz = 100): Promise<AlertStream> {
  const r = await conditionRecording(dir, rateHz);
  const spec = readRecordingMeta(dir).streams.ae;
  const { columns: cols, mode } = aeColumnsOf(spec, dir);
  const delayS = new Conditioner({ inputRateHz: spec.sampleRateHz, outputRateHz: rateHz, mode, channels: cols.length, channelScales: cols.map((c) => c.scale ?? 1) }).latencyS;
  return { id: r.id, rateHz, startS: r.startIndex / rateHz, level: Float32Array.from(r.ae, (v) => Math.log10(Math.max(v, LOG10_FLOOR))), delayS, onsetsS: r.failuresS };
}

/** The stream's load levels (steady parts: each level after the settling transient), or its whole length. */
export function levelSpans(s: AlertStream, dir: string): Span[] {
  const schedule = readRecordingMeta(dir).normalStressSchedule ?? [];
  const endS = s.startS + s.level.length / s.rateHz;
  if (schedule.length <= 1) return [{ label: s.id, fromS: s.startS, toS: endS }];
  const fake = { rateHz: s.rateHz, startIndex: Math.round(s.startS * s.rateHz), ae: s.level } as Parameters<typeof levelRanges>[0];
  return levelRanges(fake, schedule).map(({ normalStressMPa, range }) => ({ label: `${s.id} @ ${normalStressMPa} MPa`, fromS: s.startS + range[0] / s.rateHz, toS: s.startS + range[1] / s.rateHz }));
}

/** A lab split (seed 000's fractions of the recording) as a span. */
export function splitSpan(s: AlertStream, split: keyof (typeof SPLITS)['lab']): Span {
  const [a, b] = SPLITS.lab[split];
  const n = s.level.length;
  return { label: `${s.id} ${split}`, fromS: s.startS + Math.floor(a * n) / s.rateHz, toS: s.startS + Math.floor(b * n) / s.rateHz };
}

/**
 * Time to failure within a span, on the stream's grid: only the span's own onsets count, so the
 * samples after its last slip are NaN (unknown) instead of counting down across a load step.
 */
export function ttfWithin(s: AlertStream, span: Span): { fromIndex: number; ttf: Float32Array } {
  const from = Math.max(0, Math.round((span.fromS - s.startS) * s.rateHz));
  const to = Math.min(s.level.length, Math.round((span.toS - s.startS) * s.rateHz));
  const onsets = s.onsetsS.filter((t) => t >= span.fromS && t < span.toS);
  return { fromIndex: from, ttf: timeToFailure(onsets, from + Math.round(s.startS * s.rateHz), s.rateHz, Math.max(0, to - from)) };
}

export const recordingDir = (root: string, id: string) => join(root, id);
