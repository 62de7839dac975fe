/**
 * Scalogram tiles for the dashboard's scrolling heat maps: the centre columns of each window's
 * scalogram (windows.ts: tileColumns), quantised to bytes for the wire. Values are in normalised
 * units (the model's input and output scalograms are of unit-variance series), so one fixed range
 * serves every tile and colours mean the same thing over time.
 */

/** Tiles clip at +-TILE_RANGE normalised units. */
export const TILE_RANGE = 3;

/**
 * Columns [from, from + count) of each of n scale-major scalograms (scales x samples each):
 * n x scales x count, window-major then scale-major.
 */
export function extractColumns(scalograms: Float32Array, n: number, scales: number, samples: number, from: number, count: number): Float32Array {
  if (from < 0 || from + count > samples) throw new RangeError(`columns ${from}..${from + count} outside ${samples} samples`);
  if (scalograms.length !== n * scales * samples) throw new RangeError(`expected ${n} x ${scales} x ${samples} values, got ${scalograms.length}`);
  const out = new Float32Array(n * scales * count);
  for (let k = 0; k < n; k++)
    for (let j = 0; j < scales; j++) {
      const src = (k * scales + j) * samples + from;
      out.set(scalograms.subarray(src, src + count), (k * scales + j) * count);
    }
  return out;
}

/** Normalised values -> bytes: -TILE_RANGE..TILE_RANGE maps to 0..255, clipped. */
export function quantizeTile(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length);
  const k = 127.5 / TILE_RANGE;
  for (let i = 0; i < values.length; i++) {
    const v = Math.round(values[i] * k + 127.5);
    // Uint8Array would wrap out-of-range values, so clip first; NaN (never expected) shows as 0
    out[i] = v > 255 ? 255 : v > 0 ? v : 0;
  }
  return out;
}
