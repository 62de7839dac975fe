/**
 * Scores of a predicted series against the measured one, over the samples where both are finite:
 * MAPE, MAE, R^2 and Pearson correlation. One implementation for `npm run evaluate` and the
 * dashboard's tracking panel (browser-safe: no imports).
 */
export interface SeriesScores {
  /** samples scored (both finite) */
  n: number;
  /** mean absolute percentage error, %, over the scored samples with |truth| >= mapeFloor */
  mapePct: number;
  mae: number;
  /** coefficient of determination: 1 - SS_res / SS_tot around the truth's mean */
  r2: number;
  /** Pearson correlation */
  r: number;
}

export interface ScoreOptions {
  /** MAPE leaves out samples whose |truth| is below this (it diverges as the truth -> 0, e.g. TTF) */
  mapeFloor?: number;
}

/** The sample pairs both finite, as two compact arrays. */
function finitePairs(truth: ArrayLike<number>, predicted: ArrayLike<number>): [Float64Array, Float64Array] {
  if (truth.length !== predicted.length) throw new RangeError(`truth has ${truth.length} samples, prediction ${predicted.length}`);
  const t: number[] = [];
  const p: number[] = [];
  for (let i = 0; i < truth.length; i++) {
    if (!Number.isFinite(truth[i]) || !Number.isFinite(predicted[i])) continue;
    t.push(truth[i]);
    p.push(predicted[i]);
  }
  return [Float64Array.from(t), Float64Array.from(p)];
}

const mean = (x: Float64Array) => x.reduce((s, v) => s + v, 0) / x.length;

/** All four scores; NaN where a score is undefined (too few samples, a constant series). */
export function scoreSeries(truth: ArrayLike<number>, predicted: ArrayLike<number>, { mapeFloor = 0 }: ScoreOptions = {}): SeriesScores {
  const [t, p] = finitePairs(truth, predicted);
  const n = t.length;
  if (n < 2) return { n, mapePct: Number.NaN, mae: Number.NaN, r2: Number.NaN, r: Number.NaN };
  const [mt, mp] = [mean(t), mean(p)];
  let ae = 0;
  let ape = 0;
  let nApe = 0;
  let ssRes = 0;
  let ssTot = 0;
  let cov = 0;
  let vp = 0;
  for (let i = 0; i < n; i++) {
    const e = p[i] - t[i];
    ae += Math.abs(e);
    if (t[i] !== 0 && Math.abs(t[i]) >= mapeFloor) {
      ape += Math.abs(e / t[i]);
      nApe++;
    }
    ssRes += e * e;
    ssTot += (t[i] - mt) ** 2;
    cov += (t[i] - mt) * (p[i] - mp);
    vp += (p[i] - mp) ** 2;
  }
  return { n, mapePct: nApe ? (100 * ape) / nApe : Number.NaN, mae: ae / n, r2: 1 - ssRes / ssTot, r: cov / Math.sqrt(ssTot * vp) };
}
