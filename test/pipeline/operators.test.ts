/**
 * Marble tests of the windowing and averaging stages: when each window and each averaged chunk
 * comes out, relative to the chunks going in.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TestScheduler } from 'rxjs/testing';
import type { ConditionedChunk } from '../../shared/signal/condition.ts';
import { overlapAverage } from '../../pipeline/overlap-average.ts';
import { windows } from '../../pipeline/windows.ts';

const scheduler = () => new TestScheduler((actual, expected) => assert.deepEqual(actual, expected));
const chunk = (startIndex: number, n: number): ConditionedChunk => ({ kind: 'samples', startIndex, values: Float32Array.from({ length: n }, (_, i) => startIndex + i) });
const identity = (x: Float32Array) => x;

test('windows: a window comes out with the chunk that completes it; a gap restarts the grid', () => {
  scheduler().run(({ cold, expectObservable }) => {
    // windows of 4 samples every 2; chunks of 3 samples
    const input = cold<ConditionedChunk>('a----b----c----g----d----e----|', {
      a: chunk(0, 3),
      b: chunk(3, 3), // completes [0,4) and [2,6)
      c: chunk(6, 3), // completes [4,8)
      g: { kind: 'gap', fromIndex: 9, toIndex: 20 },
      d: chunk(20, 3),
      e: chunk(23, 3), // completes [20,24) and [22,26)
    });
    expectObservable(input.pipe(windows(4, 2, identity))).toBe('-----(xy)-z----g---------(uv)-|', {
      x: { startIndex: 0, values: Float32Array.of(0, 1, 2, 3) },
      y: { startIndex: 2, values: Float32Array.of(2, 3, 4, 5) },
      z: { startIndex: 4, values: Float32Array.of(4, 5, 6, 7) },
      g: { kind: 'gap', fromIndex: 9, toIndex: 20 },
      u: { startIndex: 20, values: Float32Array.of(20, 21, 22, 23) },
      v: { startIndex: 22, values: Float32Array.of(22, 23, 24, 25) },
    });
  });
});

test('overlapAverage: samples come out once no later window can cover them; the rest on completion', () => {
  scheduler().run(({ cold, expectObservable }) => {
    const w = (startIndex: number, v: number) => ({ startIndex, series: new Float32Array(4).fill(v) });
    const input = cold('a-b-c|', { a: w(0, 1), b: w(2, 3), c: w(4, 5) });
    expectObservable(input.pipe(overlapAverage(4))).toBe('--x-y(z|)', {
      x: { startIndex: 0, mean: Float32Array.of(1, 1), std: Float32Array.of(0, 0), count: Uint16Array.of(1, 1) },
      y: { startIndex: 2, mean: Float32Array.of(2, 2), std: Float32Array.of(1, 1), count: Uint16Array.of(2, 2) },
      z: { startIndex: 4, mean: Float32Array.of(4, 4, 5, 5), std: Float32Array.of(1, 1, 0, 0), count: Uint16Array.of(2, 2, 1, 1) },
    });
  });
});

test('operators keep their state per subscription: two subscribers of one operator never share a buffer', () => {
  scheduler().run(({ cold, expectObservable }) => {
    const w = (startIndex: number, v: number) => ({ startIndex, series: new Float32Array(4).fill(v) });
    const op = overlapAverage(4);
    const a = cold('a-b|', { a: w(0, 1), b: w(2, 3) });
    const b = cold('-c-d|', { c: w(100, 7), d: w(102, 9) });
    expectObservable(a.pipe(op)).toBe('--x(y|)', {
      x: { startIndex: 0, mean: Float32Array.of(1, 1), std: Float32Array.of(0, 0), count: Uint16Array.of(1, 1) },
      y: { startIndex: 2, mean: Float32Array.of(2, 2, 3, 3), std: Float32Array.of(1, 1, 0, 0), count: Uint16Array.of(2, 2, 1, 1) },
    });
    expectObservable(b.pipe(op)).toBe('---x(y|)', {
      x: { startIndex: 100, mean: Float32Array.of(7, 7), std: Float32Array.of(0, 0), count: Uint16Array.of(1, 1) },
      y: { startIndex: 102, mean: Float32Array.of(8, 8, 9, 9), std: Float32Array.of(1, 1, 0, 0), count: Uint16Array.of(2, 2, 1, 1) },
    });
  });
});
