/**
 * The reference line of seed 003's curves: the served models (trained-models/friction, ttf: CEDs
 * cross-trained on all of p4677's training part) scored like the curve's models, at each test
 * window's last sample, with their own manifests' transforms. It is not the served overlap-averaged
 * series (`npm run evaluate` scores that); it is the same protocol as the curve's points, so the
 * two can be compared.
 */
import type { AppTask } from '../model/autoencoder.ts';
import { loadModel } from '../model/io.ts';
import { createInference } from '../model/runtime/inference.ts';
import { modelSpec } from '../model/spec.ts';
import type { TaskWindows } from './ae-data.ts';
import { taskScore } from './ae-scores.ts';
import { type ConditionedRecording, makeWindows } from './dataset.ts';
import type { Range } from './splits.ts';

/** A served model's score for a task on the test windows (slip: ranked by the TTF model's prediction). */
export async function servedScore(dirOf: (target: 'friction' | 'ttf') => string, task: AppTask, rec: ConditionedRecording, testRange: Range, test: TaskWindows): Promise<number> {
  const { model, manifest } = await loadModel(dirOf(task === 'slip' ? 'ttf' : task));
  const spec = modelSpec(manifest);
  const all = makeWindows(rec, testRange, spec, 'friction'); // every window; the target is not read here
  const where = new Map(all.starts.map((s, k) => [s, k]));
  const idx = test.starts.map((s) => where.get(s)!);
  const size = all.scales * all.samples;
  const x = new Float32Array(idx.length * size);
  idx.forEach((k, i) => x.set(all.x.subarray(k * size, (k + 1) * size), i * size));
  const inference = await createInference(model, { threads: 1 });
  const last = new Float32Array(idx.length);
  try {
    for (let start = 0; start < idx.length; start += 64) {
      const n = Math.min(64, idx.length - start);
      const series = spec.reconstruct(await inference.run(x.subarray(start * size, (start + n) * size), n));
      for (let i = 0; i < n; i++) last[start + i] = series[i * all.samples + all.samples - 1];
    }
  } finally {
    await inference.dispose();
    model.dispose();
  }
  const ok = Array.from({ length: idx.length }, (_, k) => k).filter((k) => Number.isFinite(test.targets[task][k]));
  const truth = ok.map((k) => test.targets[task][k]);
  const predicted = ok.map((k) => (task === 'slip' ? -last[k] : last[k]));
  return taskScore(task, truth, predicted);
}
