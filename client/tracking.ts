/**
 * How well the prediction tracks the measurement over the samples both have (NaN elsewhere):
 * mean absolute error and Pearson correlation, from the same scores `npm run evaluate` reports
 * (shared/metrics.ts). Shown in the status panel for the visible span.
 */
import { scoreSeries } from '../shared/metrics.ts';

export interface Tracking {
  n: number;
  mae: number;
  r: number;
}

export function tracking(measured: ArrayLike<number>, predicted: ArrayLike<number>): Tracking {
  const { n, mae, r } = scoreSeries(measured, predicted);
  return { n, mae, r };
}
