/**
 * Per-experiment (or per-load-level) normalisation, as in seed 000: z = (x - mean) / std. The
 * statistics travel with a model so that serving uses exactly what training used.
 */
export interface NormStats {
  mean: number;
  std: number;
}

/** Mean and (population) std of x, in one pass with Welford's update. */
export function computeStats(x: ArrayLike<number>): NormStats {
  let n = 0;
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (!Number.isFinite(v)) continue;
    n++;
    const d = v - mean;
    mean += d / n;
    m2 += d * (v - mean);
  }
  if (n === 0) throw new RangeError('no finite samples to compute statistics from');
  const std = Math.sqrt(m2 / n);
  return { mean, std: std > 0 ? std : 1 };
}

/** z = (x - mean) / std into out (which may be x). */
export function normalise(x: ArrayLike<number>, s: NormStats, out: Float32Array | Float64Array): Float32Array | Float64Array {
  for (let i = 0; i < x.length; i++) out[i] = (x[i] - s.mean) / s.std;
  return out;
}

/** x = z std + mean into out (which may be z). */
export function denormalise(z: ArrayLike<number>, s: NormStats, out: Float32Array | Float64Array): Float32Array | Float64Array {
  for (let i = 0; i < z.length; i++) out[i] = z[i] * s.std + s.mean;
  return out;
}
