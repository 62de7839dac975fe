/**
 * Scores of seed 003's tasks on window targets, and the scaling of regression targets for a ReLU
 * output. Pure functions.
 */
import type { AppTask } from '../model/autoencoder.ts';
import { scoreSeries } from '../shared/metrics.ts';

/**
 * Area under the ROC curve: the probability that a random positive scores above a random negative
 * (ties count half), from ranks (Mann-Whitney U). NaN without both classes.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const idx = Array.from({ length: labels.length }, (_, i) => i).filter((i) => Number.isFinite(scores[i]));
  idx.sort((a, b) => scores[a] - scores[b]);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]] === scores[idx[i]]) j++;
    const rank = (i + j) / 2 + 1; // tied scores share their mean rank
    for (let k = i; k <= j; k++) {
      if (labels[idx[k]] > 0.5) {
        pos++;
        rankSum += rank;
      }
    }
    i = j + 1;
  }
  const neg = idx.length - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** A task's test score: R^2 for friction and TTF, ROC AUC for slip within H. */
export function taskScore(task: AppTask, truth: ArrayLike<number>, predicted: ArrayLike<number>): number {
  return task === 'slip' ? rocAuc(truth, predicted) : scoreSeries(truth, predicted).r2;
}

/** The score's name, for tables and plots. */
export const scoreName = (task: AppTask): string => (task === 'slip' ? 'ROC AUC' : 'R^2');

/**
 * A regression target as a ReLU output sees it: y = (x - offset) / scale, non-negative over the
 * training data's usual range. Friction: offset three standard deviations below its mean; TTF:
 * offset 0 (it is >= 0). Slip labels stay 0/1.
 */
export interface TargetScale {
  offset: number;
  scale: number;
}

export function targetScaleOf(task: AppTask, values: ArrayLike<number>): TargetScale {
  if (task === 'slip') return { offset: 0, scale: 1 };
  let n = 0;
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) continue;
    n++;
    s += values[i];
    s2 += values[i] ** 2;
  }
  const mean = s / n;
  const std = Math.sqrt(Math.max(s2 / n - mean ** 2, 1e-24));
  return task === 'friction' ? { offset: mean - 3 * std, scale: std } : { offset: 0, scale: std };
}

export const scaleTarget = (x: number, t: TargetScale): number => (x - t.offset) / t.scale;
export const unscaleTarget = (y: number, t: TargetScale): number => y * t.scale + t.offset;
