/**
 * The ONNX translation serves what tfjs trained: onnxruntime must give tfjs's outputs for every
 * model shape slipwatch builds and for the padding and stride cases TensorFlow treats specially.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { buildCed, buildHeadModel } from '../../../model/ced.ts';
import { toOnnx } from '../../../model/onnx/export.ts';
import { ProtoWriter } from '../../../model/onnx/protobuf.ts';
import { initBackend } from '../../../model/tfjs/backend.ts';
import { createInference } from '../../../model/runtime/inference.ts';

before(async () => {
  await initBackend('cpu'); // the reference: tfjs's plain JavaScript kernels
});

/**
 * Largest difference between tfjs and onnxruntime outputs relative to max(1, the largest tfjs
 * value): the models' outputs are normalised to unit std, and an untrained window mean near zero
 * is a cancelling sum of unit-scale terms, so float32 rounding is relative to 1, not to it.
 */
async function discrepancy(model: tf.LayersModel, n: number, seed: number): Promise<number> {
  const shape = [n, ...(model.inputs[0].shape.slice(1) as number[])];
  const x = tf.randomNormal(shape, 0, 1, 'float32', seed).dataSync() as Float32Array;
  const ort = await createInference(model, { runtime: 'onnxruntime' });
  const tfjs = await createInference(model, { runtime: 'tfjs' });
  const [a, b] = [await tfjs.run(x, n), await ort.run(x, n)];
  await ort.dispose();
  assert.equal(b.length, a.length, 'one output per model output');
  let worst = 0;
  for (let k = 0; k < a.length; k++) {
    assert.equal(b[k].length, a[k].length, `output ${k} size`);
    const scale = a[k].reduce((m, v) => Math.max(m, Math.abs(v)), 1);
    for (let i = 0; i < a[k].length; i++) worst = Math.max(worst, Math.abs(a[k][i] - b[k][i]) / scale);
  }
  return worst;
}

test('the CED (default and other widths) and its head model: onnxruntime matches tfjs within 1e-5', async () => {
  const models = [
    buildCed({ seed: 5 }),
    buildCed({ seed: 6, widths: [8, 16, 32], latentChannels: 16, outputWidth: 4 }),
    buildCed({ seed: 7, scales: 32, samples: 96 }),
    buildHeadModel(buildCed({ seed: 8 }), { seed: 8 }), // Flatten: NHWC order must survive
    buildHeadModel(null, { seed: 9 }),
  ];
  for (const [i, m] of models.entries()) {
    for (const n of [1, 3]) {
      const d = await discrepancy(m, n, 10 * i + n);
      assert.ok(d < 1e-5, `model ${i} (${m.name}), batch ${n}: relative discrepancy ${d}`);
    }
  }
});

test("TensorFlow's padding: same and valid, strides 1-3, odd sizes, transposed convolutions", async () => {
  for (const [h, w] of [
    [9, 13],
    [8, 8],
    [7, 12],
  ]) {
    for (const padding of ['same', 'valid'] as const) {
      for (const strides of [1, 2, 3]) {
        for (const kernelSize of [1, 2, 3, 5]) {
          if (padding === 'valid' && (kernelSize > h || kernelSize > w)) continue;
          const input = tf.input({ shape: [h, w, 2] });
          const c = tf.layers.conv2d({ filters: 3, kernelSize, strides, padding, activation: 'relu' }).apply(input) as tf.SymbolicTensor;
          const t = tf.layers.conv2dTranspose({ filters: 2, kernelSize, strides, padding }).apply(c) as tf.SymbolicTensor;
          const m = tf.model({ inputs: input, outputs: [c, t] });
          const d = await discrepancy(m, 2, h * w + strides);
          assert.ok(d < 1e-5, `${h}x${w} ${padding} stride ${strides} kernel ${kernelSize}: ${d}`);
        }
      }
    }
  }
});

test('layers it cannot translate are refused by name', () => {
  const input = tf.input({ shape: [8, 8, 1] });
  const bn = tf.layers.batchNormalization({ name: 'bn1' }).apply(input) as tf.SymbolicTensor;
  assert.throws(() => toOnnx(tf.model({ inputs: input, outputs: bn })), /layer bn1 \(BatchNormalization\) is not supported/);
  const input2 = tf.input({ shape: [8, 8, 1] });
  const sig = tf.layers.conv2d({ name: 'c_sig', filters: 1, kernelSize: 3, activation: 'sigmoid' }).apply(input2) as tf.SymbolicTensor;
  assert.throws(() => toOnnx(tf.model({ inputs: input2, outputs: sig })), /activation "sigmoid" of c_sig/);
});

test('protobuf writer: varints, floats, strings and nested messages byte for byte', () => {
  assert.deepEqual([...new ProtoWriter().int(1, 150).finish()], [0x08, 0x96, 0x01]); // the protobuf docs' example
  assert.deepEqual([...new ProtoWriter().int(2, 2 ** 40).finish()], [0x10, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
  assert.deepEqual([...new ProtoWriter().string(2, 'testing').finish()], [0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67]);
  assert.deepEqual([...new ProtoWriter().message(3, (w) => w.int(1, 150)).finish()], [0x1a, 0x03, 0x08, 0x96, 0x01]);
  assert.deepEqual([...new ProtoWriter().float(1, 1).finish()], [0x0d, 0x00, 0x00, 0x80, 0x3f]);
  assert.throws(() => new ProtoWriter().int(1, -1), /non-negative/);
});
