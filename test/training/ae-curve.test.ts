/**
 * Seed 003's learning-curve machinery: the scores (closed forms), each run's own draw of training
 * data (so the spread across runs is not shuffling alone), slip-within-H labels against the
 * failure onsets, the summaries and the figure.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../../shared/random.ts';
import { type AeCurvePoint, dataSeed, sampleTraining, summarise, trainingCycles } from '../../training/ae-curve.ts';
import { type TaskWindows, taskWindows } from '../../training/ae-data.ts';
import { curveSvg, curveTable } from '../../training/ae-plot.ts';
import { rocAuc, scaleTarget, targetScaleOf, taskScore, unscaleTarget } from '../../training/ae-scores.ts';
import type { ConditionedRecording } from '../../training/dataset.ts';
import { presetById } from '../../training/presets.ts';
import { splitRange } from '../../training/splits.ts';

test('ROC AUC: perfect, reversed, uninformative ties, and a hand-counted case', () => {
  assert.equal(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]), 1);
  assert.equal(rocAuc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1]), 0);
  assert.equal(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]), 0.5);
  // pairs (pos, neg): (0.4 vs 0.1) win, (0.4 vs 0.5) loss, (0.7 vs both) wins: 3 of 4
  assert.equal(rocAuc([0, 1, 0, 1], [0.1, 0.4, 0.5, 0.7]), 0.75);
  assert.ok(Number.isNaN(rocAuc([1, 1], [0.2, 0.3])), 'one class: undefined');
  assert.equal(taskScore('friction', [1, 2, 3], [1, 2, 3]), 1);
  const s = targetScaleOf('friction', [0.6, 0.62, 0.64]);
  assert.ok(scaleTarget(0.6, s) > 0, 'friction sits above ReLU zero');
  assert.ok(Math.abs(unscaleTarget(scaleTarget(0.61, s), s) - 0.61) < 1e-12);
  assert.deepEqual(targetScaleOf('ttf', [1, 3]), { offset: 0, scale: 1 });
});

/** A 200 s recording at 100 Hz with a failure every 8 s from 4 s (no AE needed for sampling). */
function fakeRecording(): ConditionedRecording {
  const n = 20_000;
  const failuresS = Array.from({ length: 25 }, (_, k) => 4 + 8 * k);
  const ae = Float32Array.from({ length: n }, (_, i) => 1 + 0.5 * Math.sin(i / 7) + ((i * 7919) % 13) / 13);
  return { id: 'fake', rateHz: 100, startIndex: 0, conditioning: 'envelope', ae, mu: new Float32Array(n).fill(0.6), ttf: new Float32Array(n).fill(1), failuresS };
}

function fakeWindows(r: ConditionedRecording): TaskWindows {
  const starts = Array.from({ length: 200 }, (_, k) => k * 20); // a window every 0.2 s over the first 40 s
  const count = starts.length;
  return { x: new Float32Array(count * 10), scales: 1, samples: 10, count, starts, targets: { friction: new Float32Array(count), ttf: new Float32Array(count), slip: new Float32Array(count) } };
}

test('each run draws its own training data: a stretch inside one cycle, k distinct cycles, or a bootstrap of all', () => {
  const r = fakeRecording();
  const cycles = trainingCycles(r); // lab training part: first 20 % = 40 s, failures at 4, 12, ..., 36
  assert.deepEqual(cycles[0], [400, 1200]);
  assert.equal(cycles.length, 4);
  const set = fakeWindows(r);
  const lastOf = (w: TaskWindows) => w.starts.map((s) => s + w.samples - 1);
  const draws = [1, 2, 3].map((run) => sampleTraining(set, r, cycles, 0.5, new Rng(dataSeed(run, 0.5))));
  for (const d of draws) {
    const last = lastOf(d);
    assert.ok(last.length >= 19 && last.length <= 21, `half a cycle of 0.2 s windows: ${last.length}`);
    assert.ok(cycles.some(([a, b]) => last.every((t) => t >= a && t < b)), 'inside one cycle');
  }
  assert.ok(new Set(draws.map((d) => d.starts[0])).size > 1, 'runs draw different stretches');
  const two = sampleTraining(set, r, cycles, 2, new Rng(5));
  assert.equal(two.count, 80, 'two whole cycles of windows');
  const inCycles = new Set(lastOf(two).map((t) => cycles.findIndex(([a, b]) => t >= a && t < b)));
  assert.equal(inCycles.size, 2, 'two distinct cycles');
  const boots = [1, 2, 3, 4, 5].map((run) => sampleTraining(set, r, cycles, 4, new Rng(dataSeed(run, 4))));
  for (const b of boots) assert.equal(b.count, 160, 'a bootstrap keeps the amount');
  assert.ok(boots.some((b) => new Set(b.starts).size < b.count), 'some bootstrap draws repeat a cycle');
  assert.notEqual(dataSeed(1, 0.5), dataSeed(2, 0.5));
});

test('slip within H: 1 exactly when a failure onset falls in (window end, window end + H]', () => {
  const r = fakeRecording();
  const w = taskWindows(r, splitRange(r, 'lab', 'train'), presetById('2s'), 2, 5);
  assert.equal(w.scales * w.samples * w.count, w.x.length);
  for (let k = 0; k < w.count; k++) {
    const end = (w.starts[k] + w.samples - 1) / r.rateHz;
    const expected = r.failuresS.some((f) => f > end && f <= end + 2) ? 1 : 0;
    assert.equal(w.targets.slip[k], expected, `window ending at ${end} s`);
  }
  const positives = w.targets.slip.reduce((a, b) => a + b, 0) / w.count;
  assert.ok(positives > 0.2 && positives < 0.3, `2 s of every 8 s cycle: ${positives}`);
});

test('summaries: mean and sample standard deviation per row, task and amount; figure and table list every row', () => {
  const p = (row: AeCurvePoint['row'], run: number, score: number, task: AeCurvePoint['task'] = 'friction'): AeCurvePoint => ({ row, task, cycles: 1, run, trainWindows: 10, score, epochs: 3, seconds: 1 });
  const s = summarise([p('scratch', 1, 0.5), p('scratch', 2, 0.7), p('scratch', 3, 0.9), p('over-frozen', 1, 0.2), p('over-frozen', 1, 0.8, 'slip')]);
  const scratch = s.find((x) => x.row === 'scratch')!;
  assert.ok(Math.abs(scratch.mean - 0.7) < 1e-12 && Math.abs(scratch.std - 0.2) < 1e-12 && scratch.n === 3);
  assert.ok(Number.isNaN(s.find((x) => x.row === 'over-frozen' && x.task === 'friction')!.std), 'one run: no spread');
  const svg = curveSvg(s, ['scratch', 'over-frozen'], 'caption');
  assert.ok(svg.startsWith('<svg') && svg.trim().endsWith('</svg>'));
  for (const t of ['Friction', 'Time to failure', 'Slip within H', 'scratch', 'over-frozen']) assert.ok(svg.includes(t), t);
  assert.match(curveTable(s, ['scratch']), /\| scratch \| 0\.700 \+- 0\.200 \(3\) \|/);
});
