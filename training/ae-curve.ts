/**
 * Seed 003's learning curves on the lab recording: each row (training/ae-strategies.ts) and task
 * trained on an amount of labelled data, from a fraction of one cycle to every cycle of the lab
 * split's training part, each run drawing its own data and its own initialisation:
 *   amount < 1 cycle   a random stretch of that length inside a random cycle
 *   1 <= k < all       k distinct cycles drawn at random
 *   all cycles         a bootstrap: as many cycles drawn with replacement
 * A window belongs to a stretch when its last sample (the sample it labels) does.
 */
import type { AppTask } from '../model/autoencoder.ts';
import { Rng } from '../shared/random.ts';
import { pickWindows, type TaskWindows } from './ae-data.ts';
import { type AeRunSetup, type RunResult, runAeStrategy } from './ae-application.ts';
import { type CedRowSetup, runCedRow } from './ae-ced-row.ts';
import type { CurveRowName } from './ae-strategies.ts';
import type { ConditionedRecording } from './dataset.ts';
import { type Range, splitRange } from './splits.ts';

export interface AeCurvePoint {
  row: CurveRowName;
  task: AppTask;
  /** labelled data in cycles (the training part's cycle count for "all") */
  cycles: number;
  run: number;
  trainWindows: number;
  score: number;
  epochs: number;
  seconds: number;
}

/** The complete failure-to-failure cycles inside the lab split's training part (sample ranges). */
export function trainingCycles(r: ConditionedRecording): Range[] {
  const [a, b] = splitRange(r, 'lab', 'train');
  const f = r.failuresS.map((t) => Math.round(t * r.rateHz) - r.startIndex).filter((k) => k >= a && k < b);
  return f.slice(1).map((end, i) => [f[i], end] as Range);
}

/** Indices of the windows whose last sample lies in [from, to). */
function windowsIn(starts: readonly number[], samples: number, r: ConditionedRecording, from: number, to: number): number[] {
  const out: number[] = [];
  starts.forEach((s, k) => {
    const last = s - r.startIndex + samples - 1;
    if (last >= from && last < to) out.push(k);
  });
  return out;
}

/**
 * One run's draw of an amount of cycles (see the module comment) as sample ranges [from, to) of the
 * conditioned recording; a bootstrap may repeat a cycle.
 */
export function drawStretches(cycles: Range[], amount: number, rng: Rng): Range[] {
  const pick = (n: number) => Math.min(n - 1, Math.floor(rng.uniform() * n));
  if (amount < 1) {
    const [c0, c1] = cycles[pick(cycles.length)];
    const len = Math.round(amount * (c1 - c0));
    const from = c0 + Math.floor(rng.uniform() * (c1 - c0 - len + 1));
    return [[from, from + len]];
  }
  const k = Math.round(amount);
  if (k >= cycles.length) return Array.from({ length: cycles.length }, () => cycles[pick(cycles.length)]);
  const order = cycles.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = pick(i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order.slice(0, k).map((i) => cycles[i]);
}

/**
 * Indices of the windows (first samples at absolute index starts[k], samples long) whose last
 * sample lies in one of the stretches, once per stretch holding it.
 */
export function windowsInStretches(starts: readonly number[], samples: number, r: ConditionedRecording, stretches: Range[]): number[] {
  return stretches.flatMap(([a, b]) => windowsIn(starts, samples, r, a, b));
}

/** One run's training windows for an amount of cycles, drawn with rng. */
export function sampleTraining(set: TaskWindows, r: ConditionedRecording, cycles: Range[], amount: number, rng: Rng): TaskWindows {
  return pickWindows(set, windowsInStretches(set.starts, set.samples, r, drawStretches(cycles, amount, rng)));
}

/** The data seed of a run and amount: every (run, amount) draws its own windows. */
export const dataSeed = (run: number, amount: number): number => run * 7919 + Math.round(amount * 1000);

export interface CurveData {
  rec: ConditionedRecording;
  train: TaskWindows;
  val: TaskWindows;
  test: TaskWindows;
  cycles: Range[];
  ae: AeRunSetup;
  ced: CedRowSetup;
}

/** One point: a row trained for a task on one run's draw of an amount of cycles, scored on the test part. */
export async function curvePoint(d: CurveData, row: CurveRowName, task: AppTask, amount: number, run: number): Promise<AeCurvePoint> {
  const train = sampleTraining(d.train, d.rec, d.cycles, amount, new Rng(dataSeed(run, amount)));
  const seed = 100 + run;
  const r: RunResult = row === 'ced-transfer' ? await runCedRow(task, train, d.val, d.test, seed, d.ced) : await runAeStrategy(row, task, train, d.val, d.test, seed, d.ae);
  return { row, task, cycles: amount, run, trainWindows: r.trainWindows, score: r.score, epochs: r.epochs, seconds: r.seconds };
}

export interface CurveSummary {
  row: CurveRowName;
  task: AppTask;
  cycles: number;
  mean: number;
  std: number;
  n: number;
  meanWindows: number;
}

/** Mean, sample standard deviation and count of the scores per row, task and amount. */
export function summarise(points: readonly AeCurvePoint[]): CurveSummary[] {
  const groups = new Map<string, AeCurvePoint[]>();
  for (const p of points) {
    const key = `${p.row}|${p.task}|${p.cycles}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  return [...groups.values()].map((ps) => {
    const xs = ps.map((p) => p.score).filter(Number.isFinite);
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const std = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1)) : Number.NaN;
    return { row: ps[0].row, task: ps[0].task, cycles: ps[0].cycles, mean, std, n: xs.length, meanWindows: ps.reduce((a, p) => a + p.trainWindows, 0) / ps.length };
  });
}
