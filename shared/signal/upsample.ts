/**
 * The Conditioner's path for inputs slower than the model rate (AE features or mechanical data at
 * 10 Hz for a 100 Hz model): linear interpolation by a whole factor U = output / input. Output k
 * sits at input position k / U, as in the decimating path (output k at input k D), so channels
 * conditioned at different rates stay aligned. Interpolating a power (feature mode) keeps it
 * non-negative, so its sqrt is always defined. State carries across chunks; a chunk that does not
 * continue the last one is a gap, reported and never bridged.
 */
import type { ConditionedChunk, ConditionMode } from './condition.ts';

export class Upsampler {
  readonly factor: number;
  /** input samples after an output's position needed before it exists (one: the next sample) */
  readonly latencySamples = 1;
  private nextInput = Number.NaN;
  private nextOutput = 0;
  private prev = 0;

  constructor(
    inputRateHz: number,
    outputRateHz: number,
    private readonly mode: ConditionMode,
    private readonly value: (channels: readonly ArrayLike<number>[], i: number) => number,
  ) {
    const u = outputRateHz / inputRateHz;
    if (!Number.isInteger(u)) throw new RangeError(`output rate ${outputRateHz} Hz must be a whole multiple of the input rate ${inputRateHz} Hz (or the input a whole multiple of it)`);
    if (mode === 'envelope') throw new RangeError(`AE waveforms at ${inputRateHz} Hz cannot make a ${outputRateHz} Hz envelope; reduce them to a variance series (feature mode) instead`);
    this.factor = u;
  }

  push(startIndex: number, channels: readonly ArrayLike<number>[]): ConditionedChunk[] {
    const out: ConditionedChunk[] = [];
    const u = this.factor;
    if (startIndex !== this.nextInput) {
      if (startIndex < this.nextInput) throw new RangeError(`input went back in time: index ${startIndex} after ${this.nextInput}`);
      if (!Number.isNaN(this.nextInput)) out.push({ kind: 'gap', fromIndex: this.nextOutput, toIndex: startIndex * u });
      this.nextOutput = startIndex * u;
    }
    const len = channels[0].length;
    const values = new Float32Array(len * u + 1);
    const first = this.nextOutput;
    let n = 0;
    for (let i = 0; i < len; i++) {
      const idx = startIndex + i;
      const v = this.value(channels, i);
      // outputs up to this sample's position: between the previous sample and this one
      for (let k = this.nextOutput; k <= idx * u; k++) {
        const frac = k / u - (idx - 1);
        const x = frac >= 1 ? v : (1 - frac) * this.prev + frac * v;
        values[n++] = this.mode === 'feature' ? Math.sqrt(Math.max(0, x)) : x;
      }
      this.nextOutput = idx * u + 1;
      this.prev = v;
    }
    this.nextInput = startIndex + len;
    if (n) out.push({ kind: 'samples', startIndex: first, values: values.slice(0, n) });
    return out;
  }
}
