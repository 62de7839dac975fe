/** The wasm backend's replacement Concat and SplitV copy exactly what the cpu backend's do. */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmCopyKernels } from '../../../model/tfjs/wasm-copy-kernels.ts';

before(async () => {
  tf.enableProdMode();
  registerWasmCopyKernels();
  await tf.setBackend('wasm');
  await tf.ready();
});

const ramp = (shape: number[], from: number, dtype: 'float32' | 'int32' = 'float32') =>
  tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => from + i), shape, dtype);

async function onBoth<T>(f: () => T): Promise<{ wasm: T; cpu: T }> {
  await tf.setBackend('cpu');
  const cpu = f();
  await tf.setBackend('wasm');
  const wasm = f();
  return { wasm, cpu };
}

test('concat: every axis, short and long runs, three inputs, empty inputs, int32', async () => {
  const cases: { shapes: number[][]; axis: number; dtype?: 'int32' }[] = [
    { shapes: [[2, 3, 4, 2], [2, 3, 4, 1]], axis: 3 },
    { shapes: [[2, 3, 4, 2], [2, 3, 4, 1]], axis: -1 },
    { shapes: [[2, 3, 40, 2], [2, 3, 40, 3], [2, 3, 40, 1]], axis: 3 },
    { shapes: [[2, 3, 4, 2], [2, 5, 4, 2]], axis: 1 },
    { shapes: [[2, 3, 40, 2], [2, 3, 7, 2]], axis: 2 },
    { shapes: [[1, 3], [4, 3]], axis: 0 },
    { shapes: [[3, 0], [3, 5]], axis: 1 },
    { shapes: [[3, 2], [3, 5]], axis: 1, dtype: 'int32' },
  ];
  for (const c of cases) {
    const { wasm, cpu } = await onBoth(() => tf.tidy(() => tf.concat(c.shapes.map((s, i) => ramp(s, 1000 * i, c.dtype)), c.axis).arraySync()));
    assert.deepEqual(wasm, cpu, JSON.stringify(c));
  }
});

test('split: sizes and counts on every axis, and the gradient of a concat', async () => {
  const x = [2, 3, 40, 6];
  for (const [axis, split] of [
    [3, [1, 2, 3]],
    [3, 2],
    [2, [33, 7]],
    [1, 3],
    [0, [1, 1]],
    [-1, [4, -1]],
  ] as [number, number | number[]][]) {
    const { wasm, cpu } = await onBoth(() => tf.tidy(() => tf.split(ramp(x, 0), split, axis).map((t) => t.arraySync())));
    assert.deepEqual(wasm, cpu, `axis ${axis} split ${JSON.stringify(split)}`);
  }
  const { wasm, cpu } = await onBoth(() =>
    tf.tidy(() => {
      const [a, b] = [ramp([2, 5, 5, 2], 0), ramp([2, 5, 5, 1], 7)];
      const g = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(tf.concat([p, q], 3), ramp([2, 5, 5, 3], 3))));
      return g([a, b]).map((t) => t.arraySync());
    }),
  );
  assert.deepEqual(wasm, cpu);
});
