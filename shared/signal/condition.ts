/**
 * Streaming conditioning of raw channels to the model rate.
 *
 *   envelope mode (AE):   e[i] = sum_c (scale_c x_c[i])^2  (the squared norm of the channels; seed 000
 *                         uses the norm of the two AE channels), low-passed and decimated, then
 *                         sqrt: the RMS envelope of the channel norm
 *   lowpass mode (friction): one channel, low-passed and decimated as it is
 *   energy mode (a non-negative energy proxy such as kinetic energy): one channel, smoothed and
 *                         decimated with the envelope's non-negative kernel
 *   feature mode (AE already reduced to a variance series by the lab, e.g. at 10 Hz): the
 *                         channels' variances summed (scale_c x_c, a power like the envelope's
 *                         squared norm), smoothed or interpolated to the output rate, then sqrt: the
 *                         same RMS-amplitude quantity as the envelope, so envelope-trained models
 *                         can be cross-trained on it
 *
 * An input slower than the output (10 Hz features, 10 Hz mechanical data, for a 100 Hz model) is
 * interpolated linearly instead (shared/signal/upsample.ts); the output rate must then be a whole
 * multiple of the input rate. Waveform AE (envelope mode) is never upsampled.
 *
 * A sharp low-pass rings below zero after a burst; on a squared signal that would put envelope
 * values below the digitiser's noise floor (before the sqrt they were clamped to 0, i.e. -inf in
 * log). The envelope and energy modes therefore smooth with a Gaussian kernel (all taps >= 0), so
 * every output lies between the smallest and largest boxcar means it covers: never below the
 * noise floor of a noisy channel. Its response is -60 dB at the output Nyquist rate, like the
 * sinc's stopband, at the price of a softer passband (-3 dB at 0.11 x the output rate).
 *
 * Decimation by D = inputRate / outputRate runs in two stages so its cost per input sample is one
 * addition whatever D is: a centred boxcar mean over D1 samples (D1 odd, the largest odd divisor
 * of D), whose nulls at multiples of the intermediate rate suppress what would alias, then a
 * linear-phase windowed-sinc (Blackman) FIR at the intermediate rate, evaluated only at the D2 =
 * D / D1 decimated points. Both stages are centred, so output sample k sits exactly at input
 * sample k D: no delay to correct, and AE and friction conditioned from different input rates
 * stay aligned. The price is latency: output k needs input up to k D + latencySamples.
 *
 * State carries across chunks, so the output does not depend on how the input is chunked. A chunk
 * that does not start where the last one ended is a gap: the filter restarts and a gap marker
 * says which output samples are missing. Nothing is bridged.
 */
import { designLowpass, designSmoothing, splitDecimation } from './decimation-filters.ts';
import { Upsampler } from './upsample.ts';

export type ConditionMode = 'envelope' | 'lowpass' | 'energy' | 'feature';

/** Modes whose per-sample value is a power (summed over channels) and whose output is its sqrt. */
export const isPowerMode = (mode: ConditionMode): boolean => mode === 'envelope' || mode === 'feature';

export interface ConditionConfig {
  inputRateHz: number;
  outputRateHz: number;
  mode: ConditionMode;
  /** physical units per stored unit, per channel (e.g. volts per count); default 1 */
  channelScales?: number[];
  /** channels expected in every chunk */
  channels: number;
}

export type ConditionedChunk =
  | { kind: 'samples'; /** output-rate index of values[0] */ startIndex: number; values: Float32Array }
  | { kind: 'gap'; /** first missing output index */ fromIndex: number; /** first output index after the gap */ toIndex: number };

export class Conditioner {
  readonly decimation: number;
  readonly d1: number;
  readonly d2: number;
  readonly taps: Float64Array;
  /** input samples after output k's centre (k D) needed before output k exists */
  readonly latencySamples: number;
  private readonly half: number;
  private readonly scales: Float64Array;
  private readonly ring: Float64Array;
  private readonly upsampler: Upsampler | null = null;
  // stream position, all in absolute input-sample indices
  private nextInput = Number.NaN;
  private blockIndex = 0; // intermediate sample being accumulated (centred at blockIndex * d1)
  private blockSum = 0;
  private nextOutput = 0; // next output index to produce

  constructor(readonly config: ConditionConfig) {
    const { inputRateHz, outputRateHz, mode, channels } = config;
    if (!(inputRateHz > 0) || !(outputRateHz > 0)) throw new RangeError(`rates must be > 0 Hz, got ${inputRateHz} and ${outputRateHz}`);
    if (!isPowerMode(mode) && channels !== 1) throw new RangeError(`${mode} conditioning takes one channel, got ${channels}`);
    if (!(channels >= 1)) throw new RangeError(`need at least one channel, got ${channels}`);
    if (config.channelScales && config.channelScales.length !== channels)
      throw new RangeError(`${config.channelScales.length} channel scales for ${channels} channels`);
    this.scales = Float64Array.from(config.channelScales ?? new Array<number>(channels).fill(1));
    const d = inputRateHz / outputRateHz;
    if (d < 1) {
      // slower input than output: linear interpolation, no filter (nothing above the input's Nyquist exists)
      this.upsampler = new Upsampler(inputRateHz, outputRateHz, mode, (chs, i) => sampleValue(mode, chs, i, this.scales));
      this.decimation = d;
      this.d1 = this.d2 = 1;
      this.taps = Float64Array.of(1);
      this.half = 0;
      this.latencySamples = this.upsampler.latencySamples;
      this.ring = new Float64Array(1);
      return;
    }
    if (!Number.isInteger(d)) throw new RangeError(`input rate ${inputRateHz} Hz must be a whole multiple of the output rate ${outputRateHz} Hz`);
    this.decimation = d;
    ({ d1: this.d1, d2: this.d2 } = splitDecimation(d));
    this.taps = mode === 'lowpass' ? designLowpass(this.d2) : designSmoothing(this.d2);
    this.half = (this.taps.length - 1) / 2;
    this.latencySamples = this.half * this.d1 + (this.d1 - 1) / 2;
    this.ring = new Float64Array(this.taps.length);
  }

  /** Output-rate latency in seconds: how long after a moment its conditioned sample can exist. */
  get latencyS(): number {
    return this.latencySamples / this.config.inputRateHz;
  }

  /**
   * Condition one chunk: channels[c][i] is channel c at absolute input index startIndex + i.
   * Returns the output samples it completes (and a gap marker first if it does not continue the
   * previous chunk).
   */
  push(startIndex: number, channels: readonly ArrayLike<number>[]): ConditionedChunk[] {
    const { config } = this;
    if (channels.length !== config.channels) throw new RangeError(`chunk has ${channels.length} channels, expected ${config.channels}`);
    const len = channels[0].length;
    for (const c of channels) if (c.length !== len) throw new RangeError('channels of a chunk differ in length');
    if (!Number.isInteger(startIndex)) throw new RangeError(`startIndex must be an integer, got ${startIndex}`);
    if (this.upsampler) return this.upsampler.push(startIndex, channels);
    const out: ConditionedChunk[] = [];
    if (startIndex !== this.nextInput) {
      if (startIndex < this.nextInput) throw new RangeError(`input went back in time: index ${startIndex} after ${this.nextInput}`);
      const wasRunning = !Number.isNaN(this.nextInput);
      const missingFrom = this.nextOutput;
      this.restart(startIndex);
      if (wasRunning) out.push({ kind: 'gap', fromIndex: missingFrom, toIndex: this.nextOutput });
    }
    const values: number[] = [];
    const firstOutput = this.nextOutput;
    const { d1, scales } = this;
    const mode = config.mode;
    const half1 = (d1 - 1) / 2;
    for (let i = 0; i < len; i++) {
      const e = sampleValue(mode, channels, i, scales);
      const idx = startIndex + i;
      // boxcar: block b spans input [b d1 - half1, b d1 + half1]; samples of a segment before its
      // first whole block belong to no block
      if (idx < this.blockIndex * d1 - half1) continue;
      this.blockSum += e;
      if (idx === this.blockIndex * d1 + half1) {
        this.pushIntermediate(this.blockIndex, this.blockSum / d1, values);
        this.blockIndex++;
        this.blockSum = 0;
      }
    }
    this.nextInput = startIndex + len;
    if (values.length) out.push({ kind: 'samples', startIndex: firstOutput, values: Float32Array.from(values) });
    return out;
  }

  private pushIntermediate(b: number, v: number, values: number[]): void {
    const T = this.taps.length;
    this.ring[b % T] = v;
    // output k (centred at intermediate k d2) needs intermediate samples k d2 - H .. k d2 + H
    const k = this.nextOutput;
    if (b !== k * this.d2 + this.half) return;
    let acc = 0;
    const base = k * this.d2 - this.half;
    for (let t = 0; t < T; t++) acc += this.taps[t] * this.ring[(base + t) % T];
    // taps >= 0 in the power modes: acc >= 0 up to rounding, the clamp only guards -1e-30
    values.push(isPowerMode(this.config.mode) ? Math.sqrt(Math.max(0, acc)) : acc);
    this.nextOutput++;
  }

  private restart(startIndex: number): void {
    const { d1, d2, half } = this;
    const half1 = (d1 - 1) / 2;
    // first block entirely inside the new segment, then the first output whose taps all are
    const firstBlock = Math.ceil((startIndex + half1) / d1);
    this.blockIndex = firstBlock;
    this.blockSum = 0;
    this.nextOutput = Math.ceil((firstBlock + half) / d2);
    this.ring.fill(0);
    this.nextInput = startIndex;
  }
}

/** One input sample's value: the squared norm (envelope), the summed variances (feature), or the scaled channel. */
function sampleValue(mode: ConditionMode, channels: readonly ArrayLike<number>[], i: number, scales: Float64Array): number {
  if (mode === 'envelope') {
    let e = 0;
    for (let c = 0; c < channels.length; c++) {
      const v = channels[c][i] * scales[c];
      e += v * v;
    }
    return e;
  }
  if (mode === 'feature') {
    let e = 0;
    for (let c = 0; c < channels.length; c++) e += channels[c][i] * scales[c];
    return e;
  }
  return channels[0][i] * scales[0];
}

/** Condition whole arrays at once (offline): the same code as streaming, in one chunk. */
export function conditionAll(config: ConditionConfig, channels: readonly ArrayLike<number>[], startIndex = 0): { startIndex: number; values: Float32Array } {
  const c = new Conditioner(config);
  const chunks = c.push(startIndex, channels).filter((x) => x.kind === 'samples');
  if (chunks.length === 0) return { startIndex: Math.ceil(startIndex / c.decimation - 1e-9), values: new Float32Array(0) };
  const first = chunks[0] as Extract<ConditionedChunk, { kind: 'samples' }>;
  return { startIndex: first.startIndex, values: first.values };
}
