/**
 * The fourth row of seed 003's comparison: seed 000's CED transfer ('cross-train' in
 * training/strategies.ts) on the same labelled windows, scored on the same window targets. A CED
 * predicts each window's series; its value at the window's last sample is the prediction. Slip
 * within H has no CED of its own: the TTF CED's prediction ranks the windows (a shorter predicted
 * time to failure, a likelier slip), which is what the monitor's forecaster builds on.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { AppTask } from '../model/autoencoder.ts';
import { cedFor } from '../model/ced.ts';
import type { Target } from '../model/manifest.ts';
import { createInference } from '../model/runtime/inference.ts';
import { modelSpec } from '../model/spec.ts';
import type { WindowPreset } from '../shared/signal/window-preset.ts';
import type { TaskWindows } from './ae-data.ts';
import { definedFor, epochsFor, type RunBudget, type RunResult } from './ae-application.ts';
import { taskScore } from './ae-scores.ts';
import { type ConditionedRecording, makeWindows, normalisationOver, type WindowSet } from './dataset.ts';
import { splitRange } from './splits.ts';
import { CED_ROW } from './ae-strategies.ts';
import { initialModel, STRATEGIES } from './strategies.ts';
import { trainModel } from './train.ts';

/** The windows of a CED set whose starts are among starts, in their order, repeats kept (the same grid: both from makeWindows). */
export function windowsAt(set: WindowSet, starts: readonly number[]): WindowSet {
  const where = new Map(set.starts.map((s, k) => [s, k]));
  const idx = starts.map((s) => where.get(s)).filter((k): k is number => k !== undefined);
  const size = set.scales * set.samples;
  const take = (a: Float32Array, per: number) => {
    const out = new Float32Array(idx.length * per);
    idx.forEach((k, i) => out.set(a.subarray(k * per, (k + 1) * per), i * per));
    return out;
  };
  return { x: take(set.x, size), y: take(set.y, size), yMean: take(set.yMean, 1), ySeries: take(set.ySeries, set.samples), starts: idx.map((k) => set.starts[k]), scales: set.scales, samples: set.samples, count: idx.length };
}

export interface CedRowSetup {
  rec: ConditionedRecording;
  preset: WindowPreset;
  /** the simulation-pretrained CED of a target */
  pretrained: (target: Target) => Promise<tfTypes.LayersModel>;
  budget: RunBudget;
  /** each target's training-part and validation windows, cut once */
  cache?: Partial<Record<Target, { train: WindowSet; val: WindowSet }>>;
}

/** Train the CED transfer for a task on the train windows' spans and score it on the test windows. */
export async function runCedRow(task: AppTask, trainW: TaskWindows, valW: TaskWindows, testW: TaskWindows, seed: number, s: CedRowSetup): Promise<RunResult> {
  const target: Target = task === 'slip' ? 'ttf' : task;
  const def = STRATEGIES[CED_ROW.ced];
  const spec = modelSpec({ preset: s.preset, ...normalisationOver(s.rec, splitRange(s.rec, 'lab', 'train'), target) });
  const trainStarts = definedFor(trainW, target).starts;
  s.cache ??= {};
  const all = (s.cache[target] ??= { train: makeWindows(s.rec, splitRange(s.rec, 'lab', 'train'), spec, target), val: makeWindows(s.rec, splitRange(s.rec, 'lab', 'validation'), spec, target) });
  const train = windowsAt(all.train, trainStarts);
  const val = windowsAt(all.val, definedFor(valW, target).starts);
  const model = initialModel(def, await s.pretrained(target), cedFor(s.preset, { seed }));
  try {
    const r = await trainModel(model, train, val, { epochs: epochsFor(train.count, s.budget), patience: s.budget.patience, batchSize: 16, learningRate: def.lr, seed, trainable: def.blocks });
    const test = definedFor(testW, task);
    const series = await predictSeries(model, test, spec.reconstruct);
    const last = Float32Array.from({ length: test.count }, (_, k) => series[k * test.samples + test.samples - 1]);
    const scores = task === 'slip' ? last.map((t) => -t) : last;
    return { score: taskScore(task, test.targets[task], scores), epochs: r.epochsRun, seconds: r.seconds, trainWindows: train.count };
  } finally {
    model.dispose();
  }
}

/** A CED's series for every test window, in physical units (windows x samples). */
async function predictSeries(model: tfTypes.LayersModel, test: TaskWindows, reconstruct: (outs: Float32Array[]) => Float32Array): Promise<Float32Array> {
  const inference = await createInference(model, { threads: 1 });
  const size = test.scales * test.samples;
  const out = new Float32Array(test.count * test.samples);
  try {
    for (let start = 0; start < test.count; start += 64) {
      const n = Math.min(64, test.count - start);
      out.set(reconstruct(await inference.run(test.x.subarray(start * size, (start + n) * size), n)), start * test.samples);
    }
  } finally {
    await inference.dispose();
  }
  return out;
}
