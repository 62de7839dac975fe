/**
 * How well the prediction tracks the measurement over the samples both have (NaN elsewhere):
 * mean absolute error and Pearson correlation. Shown in the status panel for the visible span.
 */
export interface Tracking {
  n: number;
  mae: number;
  r: number;
}

export function tracking(measured: ArrayLike<number>, predicted: ArrayLike<number>): Tracking {
  let n = 0;
  let sm = 0;
  let sp = 0;
  for (let i = 0; i < measured.length; i++) {
    if (Number.isNaN(measured[i]) || Number.isNaN(predicted[i])) continue;
    n++;
    sm += measured[i];
    sp += predicted[i];
  }
  if (n < 2) return { n, mae: Number.NaN, r: Number.NaN };
  const [mm, mp] = [sm / n, sp / n];
  let ae = 0;
  let cov = 0;
  let vm = 0;
  let vp = 0;
  for (let i = 0; i < measured.length; i++) {
    if (Number.isNaN(measured[i]) || Number.isNaN(predicted[i])) continue;
    ae += Math.abs(predicted[i] - measured[i]);
    cov += (measured[i] - mm) * (predicted[i] - mp);
    vm += (measured[i] - mm) ** 2;
    vp += (predicted[i] - mp) ** 2;
  }
  return { n, mae: ae / n, r: cov / Math.sqrt(vm * vp) };
}
