/**
 * Where a restarted inference worker resumes (bus/inference-worker.ts): from the window-grid point
 * whose windows cover every sample after the last published one, with chunks cut there.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromIndex, resumeIndex } from '../../bus/inference-worker.ts';

test('resumeIndex: on the step grid, no later than any window covering a sample after the checkpoint', () => {
  assert.equal(resumeIndex(-1, 200, 20), 0, 'nothing published: from the start');
  assert.equal(resumeIndex(150, 200, 20), 0, 'inside the first window: from the start');
  for (const [last, w, step] of [[999, 200, 20], [1000, 200, 20], [1234, 200, 20], [5000, 200, 1], [777, 200, 200]]) {
    const from = resumeIndex(last, w, step);
    assert.equal(from % step, 0, 'on the grid');
    // the first window covering sample last + 1 starts at the first grid point > last + 1 - w
    const firstCovering = Math.ceil((last + 2 - w) / step) * step;
    assert.ok(from <= firstCovering, `${from} <= ${firstCovering}`);
    assert.ok(firstCovering - from <= step, 'and at most one step earlier (no inference repeated beyond that)');
    // every sample the partial average makes at the resume point lies at or before the checkpoint
    assert.ok(from + w - 1 <= last, 'partially averaged samples are ones already published');
  }
});

test('fromIndex cuts chunks at the resume point and keeps later gaps', () => {
  const c = { kind: 'samples' as const, startIndex: 100, values: Float32Array.from({ length: 50 }, (_, i) => i) };
  assert.equal(fromIndex(c, 200), null);
  assert.equal(fromIndex(c, 100), c);
  const cut = fromIndex(c, 120);
  assert.ok(cut && cut.kind === 'samples');
  assert.equal(cut.startIndex, 120);
  assert.deepEqual(Array.from(cut.values), Array.from({ length: 30 }, (_, i) => i + 20));
  assert.equal(fromIndex({ kind: 'gap', fromIndex: 10, toIndex: 90 }, 100), null);
  assert.ok(fromIndex({ kind: 'gap', fromIndex: 90, toIndex: 130 }, 100));
});
