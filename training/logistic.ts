/** Small pure fitting routines for the alerting model: ridge logistic regression (IRLS) and ridge least squares. */

/** Solve A x = b (A symmetric positive definite, n x n row-major) by Cholesky. */
export function solveSpd(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = i === j ? Math.sqrt(Math.max(s, 1e-12)) : s / l[j * n + j];
    }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * y[k];
    y[i] = s / l[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
  return x;
}

/** Weighted normal equations of rows [1, x...] with per-row weight w and response z, plus ridge (not on the bias). */
function normalEquations(xs: readonly number[][], w: ArrayLike<number>, z: ArrayLike<number>, ridge: number): Float64Array {
  const n = xs[0].length + 1;
  const a = new Float64Array(n * n);
  const b = new Float64Array(n);
  const row = new Float64Array(n);
  xs.forEach((x, r) => {
    row[0] = 1;
    for (let i = 0; i < x.length; i++) row[i + 1] = x[i];
    for (let i = 0; i < n; i++) {
      b[i] += w[r] * row[i] * z[r];
      for (let j = 0; j < n; j++) a[i * n + j] += w[r] * row[i] * row[j];
    }
  });
  for (let i = 1; i < n; i++) a[i * n + i] += ridge;
  return solveSpd(a, b, n);
}

const dot = (w: ArrayLike<number>, x: readonly number[]) => x.reduce((s, v, i) => s + w[i + 1] * v, w[0]);

/** Logistic regression by iteratively reweighted least squares; returns [bias, w...]. */
export function fitLogistic(xs: readonly number[][], ys: ArrayLike<number>, ridge = 1, iterations = 25): number[] {
  let w: Float64Array = new Float64Array(xs[0].length + 1);
  for (let it = 0; it < iterations; it++) {
    const weights = new Float64Array(xs.length);
    const z = new Float64Array(xs.length);
    xs.forEach((x, r) => {
      const eta = dot(w, x);
      const p = 1 / (1 + Math.exp(-eta));
      const v = Math.max(p * (1 - p), 1e-6);
      weights[r] = v;
      z[r] = eta + (ys[r] - p) / v;
    });
    const next = normalEquations(xs, weights, z, ridge);
    const change = next.reduce((s, v, i) => Math.max(s, Math.abs(v - w[i])), 0);
    w = next;
    if (change < 1e-8) break;
  }
  return Array.from(w);
}

/** Ridge least squares; returns [bias, w...]. */
export function fitLinear(xs: readonly number[][], ys: ArrayLike<number>, ridge = 1e-3): number[] {
  return Array.from(normalEquations(xs, new Float64Array(xs.length).fill(1), ys, ridge));
}

export const predictLinear = (w: readonly number[], x: readonly number[]) => dot(w, x);

/** Brier score and reliability bins (equal-width in predicted probability). */
export function calibration(p: ArrayLike<number>, y: ArrayLike<number>, bins = 10): { brier: number; n: number; bins: { from: number; to: number; n: number; meanPredicted: number; observed: number }[] } {
  let brier = 0;
  const acc = Array.from({ length: bins }, (_, k) => ({ from: k / bins, to: (k + 1) / bins, n: 0, meanPredicted: 0, observed: 0 }));
  for (let i = 0; i < p.length; i++) {
    brier += (p[i] - y[i]) ** 2;
    const b = acc[Math.min(bins - 1, Math.floor(p[i] * bins))];
    b.n++;
    b.meanPredicted += p[i];
    b.observed += y[i];
  }
  for (const b of acc) if (b.n) (b.meanPredicted /= b.n), (b.observed /= b.n);
  return { brier: p.length ? brier / p.length : Number.NaN, n: p.length, bins: acc.filter((b) => b.n > 0) };
}
