import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { blockOf, buildCed, DEFAULT_CED, macsPerWindow, parameterSplit, setTrainableBlocks } from '../../model/ced.ts';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelManifest } from '../../model/manifest.ts';
import { initBackend } from '../../model/tfjs/backend.ts';
import { loadModel, saveModel } from '../../model/io.ts';
import type { WindowSet } from '../../training/dataset.ts';
import { evaluateLoss, LOSSES } from '../../training/train.ts';
import { presetById } from '../../training/presets.ts';

const root = mkdtempSync(join(tmpdir(), 'slipwatch-ced-'));
before(async () => {
  await initBackend('wasm'); // the backend the product trains on here: its gradient kernels are ours
});
after(() => rmSync(root, { recursive: true, force: true }));

function weightsOf(model: tf.LayersModel, block: string): Float32Array[] {
  return model.layers.filter((l) => blockOf(l.name) === block).flatMap((l) => l.getWeights().map((w) => w.dataSync() as Float32Array));
}

test('outputs: a scalogram of the input shape and a window mean; every layer belongs to a named block', () => {
  const m = buildCed();
  assert.deepEqual(m.inputs[0].shape, [null, 64, 200, 1]);
  assert.deepEqual(m.outputs[0].shape, [null, 64, 200, 1]);
  assert.deepEqual(m.outputs[1].shape, [null, 1]);
  for (const l of m.layers) assert.doesNotThrow(() => blockOf(l.name), l.name);
  const shapes = tf.tidy(() => (m.predict(tf.zeros([2, 64, 200, 1])) as tf.Tensor[]).map((t) => t.shape));
  assert.deepEqual(shapes, [
    [2, 64, 200, 1],
    [2, 1],
  ]);
  assert.throws(() => buildCed({ samples: 201 }), /multiples of 8/);
  assert.throws(() => blockOf('conv2d_7'), /belongs to no block/);
});

test('the latent space holds about 20 % of the parameters (seed 000)', () => {
  const s = parameterSplit(buildCed());
  assert.equal(s.encoder + s.latent + s.decoder + s.head, s.total);
  const share = s.latent / s.total;
  assert.ok(share > 0.15 && share < 0.25, `latent share ${share}`);
});

test('the same seed builds the same weights; another seed others', () => {
  const a = buildCed({ seed: 3 }).getWeights().map((w) => Array.from(w.dataSync()));
  const b = buildCed({ seed: 3 }).getWeights().map((w) => Array.from(w.dataSync()));
  const c = buildCed({ seed: 4 }).getWeights().map((w) => Array.from(w.dataSync()));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('a tiny training run lowers the loss on a learnable problem (target: the input, smoothed)', async () => {
  const m = buildCed({ seed: 5 });
  m.compile({ optimizer: tf.train.adam(3e-3), loss: LOSSES });
  const x = tf.randomNormal([8, 64, 200, 1], 0, 1, 'float32', 7);
  const y = [tf.avgPool(x as tf.Tensor4D, 3, 1, 'same'), tf.mean(x, [1, 2])];
  const first = ((await m.trainOnBatch(x, y)) as number[])[0];
  let last = first;
  for (let i = 0; i < 40; i++) last = ((await m.trainOnBatch(x, y)) as number[])[0];
  assert.ok(last < 0.5 * first, `loss ${first} -> ${last}`);
});

test('the validation loss equals the training loss computed by tfjs, through either runtime', async () => {
  const m = buildCed({ seed: 11 });
  m.compile({ optimizer: tf.train.adam(1e-3), loss: LOSSES });
  const n = 5;
  const x = tf.randomNormal([n, 64, 200, 1], 0, 1, 'float32', 12);
  const y = tf.randomNormal([n, 64, 200, 1], 0, 1, 'float32', 13);
  const yMean = tf.randomNormal([n, 1], 0, 1, 'float32', 14);
  // the training loss: LOSSES applied to each output, averaged over windows, summed over outputs
  const [p0, p1] = m.predict(x) as tf.Tensor[];
  const expected = tf.mean(LOSSES[0](y, p0)).dataSync()[0] + tf.mean(LOSSES[1](yMean, p1)).dataSync()[0];
  const set: WindowSet = {
    x: x.dataSync() as Float32Array,
    y: y.dataSync() as Float32Array,
    yMean: yMean.dataSync() as Float32Array,
    ySeries: new Float32Array(n * 200),
    starts: [0, 20, 40, 60, 80],
    scales: 64,
    samples: 200,
    count: n,
  };
  for (const runtime of ['tfjs', 'onnxruntime'] as const) {
    const got = await evaluateLoss(m, set, { batchSize: 2, runtime }); // batches of 2, 2 and 1
    assert.ok(Math.abs(got - expected) <= 1e-5 * expected, `${runtime}: ${got} vs ${expected}`);
  }
});

test('cross-training the latent space leaves encoder and decoder bit-identical', async () => {
  const m = buildCed({ seed: 6 });
  const encBefore = weightsOf(m, 'encoder');
  const decBefore = weightsOf(m, 'decoder');
  const latBefore = weightsOf(m, 'latent');
  setTrainableBlocks(m, ['latent']);
  m.compile({ optimizer: tf.train.adam(1e-2), loss: LOSSES });
  assert.equal(m.trainableWeights.length, 4, 'two latent convs: kernels and biases');
  const x = tf.randomNormal([4, 64, 200, 1], 0, 1, 'float32', 8);
  for (let i = 0; i < 5; i++) await m.trainOnBatch(x, [tf.mul(x, 0.5), tf.ones([4, 1])]);
  assert.deepEqual(weightsOf(m, 'encoder'), encBefore);
  assert.deepEqual(weightsOf(m, 'decoder'), decBefore);
  assert.notDeepEqual(weightsOf(m, 'latent'), latBefore, 'the latent space did train');
});

test('save then load gives identical predictions and the manifest back', async () => {
  const m = buildCed({ seed: 9 });
  const manifest: ModelManifest = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    name: 'test',
    target: 'friction',
    preset: presetById('2s'),
    ced: { ...DEFAULT_CED, seed: 9 },
    input: { conditioning: 'envelope', log10: true, stats: { mean: -2, std: 0.5 } },
    output: { stats: { mean: 0.6, std: 0.01 } },
    training: { strategy: 'test', trainedOn: [], trainableBlocks: [], epochs: 0, seed: 9, backend: 'wasm', bestValidationLoss: Number.NaN },
  };
  const dir = join(root, 'saved');
  await saveModel(m, dir, manifest);
  const { model, manifest: back } = await loadModel(dir);
  assert.deepEqual({ ...back, training: { ...back.training, bestValidationLoss: null } }, { ...manifest, training: { ...manifest.training, bestValidationLoss: null } });
  const x = tf.randomNormal([3, 64, 200, 1], 0, 1, 'float32', 10);
  const a = (m.predict(x) as tf.Tensor[]).map((t) => t.dataSync());
  const b = (model.predict(x) as tf.Tensor[]).map((t) => t.dataSync());
  assert.deepEqual(b, a);
  await assert.rejects(loadModel(join(root, 'nothing')), /not a slipwatch model/);
});

test('multiply-accumulates per window equal a count by hand of the architecture', () => {
  const [w1, w2, w3, lat, w0] = [8, 16, 32, 16, 4];
  const m = buildCed({ widths: [w1, w2, w3], latentChannels: lat, outputWidth: w0 });
  // positions at full, 1/2, 1/4 and 1/8 resolution of a 64 x 200 scalogram
  const [p0, p1, p2, p3] = [64 * 200, 32 * 100, 16 * 50, 8 * 25];
  const k = 9; // 3x3 taps
  const expected =
    p1 * k * (1 * w1 + w1 * w1) + // enc1_down, enc1_conv
    p2 * k * (w1 * w2 + w2 * w2) + // enc2
    p3 * k * (w2 * w3 + w3 * w3) + // enc3
    p3 * k * (w3 * lat + lat * w3) + // latent
    p3 * k * w3 * w2 + // dec3_up (transposed: taps per input position)
    p2 * k * (2 * w2 * w2 + w2 * w2) + // dec3_conv (skip concatenated), dec3_conv2
    p2 * k * w2 * w1 + // dec2_up
    p1 * k * (2 * w1 * w1) + // dec2_conv
    p1 * k * w1 * w0 + // dec1_up
    p0 * k * ((w0 + 1) * w0) + // dec1_conv (input concatenated)
    p0 * w0; // dec1_out, 1x1
  assert.equal(macsPerWindow(m), expected);
});
