/**
 * Seed 003's autoencoders and application models: shapes, blocks, the overcomplete bottleneck's L1
 * penalty, frozen encoders, learning on a toy problem, save/load and the ONNX translation. Small
 * inputs (16 x 32) keep it fast; the bottleneck-to-input ratio of the default model is kept.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { autoencoderConfig, autoencoderLosses, bottleneckL1Loss, bottleneckSize, buildApplicationModel, buildAutoencoder, encoderOf } from '../../model/autoencoder.ts';
import { loadAutoencoder, saveAutoencoder } from '../../model/autoencoder-io.ts';
import { blockOf, parameterSplit, setTrainableBlocks } from '../../model/ced.ts';
import { createInference } from '../../model/runtime/inference.ts';
import { initBackend } from '../../model/tfjs/backend.ts';
import type { ScalogramSet } from '../../training/ae-data.ts';
import { fit, predictFirst, reconstructionMse } from '../../training/ae-fit.ts';
import { Rng } from '../../shared/random.ts';

const SMALL = { scales: 16, samples: 32 };
const root = mkdtempSync(join(tmpdir(), 'slipwatch-ae-'));
before(async () => {
  await initBackend('wasm'); // the backend training runs on here
});
after(() => rmSync(root, { recursive: true, force: true }));

/** Learnable toy scalograms: a few Gaussian blobs each (smooth, low-dimensional, unlike noise). */
function toySet(n: number, seed: number, { scales, samples } = SMALL): ScalogramSet {
  const rng = new Rng(seed);
  const x = new Float32Array(n * scales * samples);
  for (let k = 0; k < n; k++) {
    for (let b = 0; b < 3; b++) {
      const [cs, ct, a] = [rng.uniform() * scales, rng.uniform() * samples, 1 + rng.uniform()];
      for (let i = 0; i < scales; i++) for (let j = 0; j < samples; j++) x[(k * scales + i) * samples + j] += a * Math.exp(-((i - cs) ** 2) / 8 - (j - ct) ** 2 / 18);
    }
  }
  return { x, scales, samples, count: n };
}

const weightsOf = (m: tf.LayersModel, block: string) => m.layers.filter((l) => blockOf(l.name) === block).flatMap((l) => l.getWeights().map((w) => Float32Array.from(w.dataSync() as Float32Array)));

test('shapes: undercomplete holds about a third of the input, overcomplete (128 maps) more than it; depth is a parameter', () => {
  const input = 64 * 200;
  const under = autoencoderConfig({ kind: 'undercomplete' });
  const over = autoencoderConfig({ kind: 'overcomplete' });
  assert.ok(bottleneckSize(under) / input > 0.28 && bottleneckSize(under) / input < 0.38, `undercomplete ${bottleneckSize(under)}`);
  assert.equal(bottleneckSize(over), 8 * 25 * 128);
  assert.ok(bottleneckSize(over) > input);
  for (const [kind, depth, z] of [
    ['undercomplete', 3, [8, 25, 21]],
    ['undercomplete', 2, [16, 50, 5]],
    ['overcomplete', 3, [8, 25, 128]],
    ['overcomplete', 2, [16, 50, 128]],
  ] as const) {
    const m = buildAutoencoder({ kind, depth });
    assert.deepEqual(m.outputs[0].shape, [null, 64, 200, 1], `${kind} d${depth} reconstruction`);
    assert.deepEqual(m.outputs[1].shape, [null, ...z], `${kind} d${depth} bottleneck`);
    for (const l of m.layers) assert.doesNotThrow(() => blockOf(l.name), l.name);
    m.dispose();
  }
  const app = buildApplicationModel(null, { kind: 'overcomplete' }, { task: 'slip' });
  assert.deepEqual(app.outputs[0].shape, [null, 1]);
  const p = tf.tidy(() => (app.predict(tf.randomNormal([3, 64, 200, 1], 0, 1, 'float32', 1)) as tf.Tensor).dataSync());
  for (const v of p) assert.ok(v > 0 && v < 1, 'sigmoid output is a probability');
  const dead = buildApplicationModel(null, SMALL, { task: 'ttf', regressionActivation: 'relu', outputBias: -50 });
  const zero = tf.tidy(() => (dead.predict(tf.zeros([2, 16, 32, 1])) as tf.Tensor).dataSync());
  assert.deepEqual(Array.from(zero), [0, 0], "seed 003's ReLU output clips (why linear is the default)");
  assert.throws(() => buildAutoencoder({ samples: 36 }), /multiples of 8/);
});

test('parameters split by block: the application model reuses exactly the encoder, never the decoder', () => {
  for (const extraConv of [true, false]) {
    const ae = buildAutoencoder({ ...SMALL, kind: 'overcomplete' });
    const s = parameterSplit(ae);
    assert.ok(s.encoder > 0 && s.decoder > 0 && s.head === 0 && s.latent === 0);
    assert.equal(s.total, ae.countParams());
    const app = buildApplicationModel(ae, SMALL, { extraConv, task: 'friction' });
    const a = parameterSplit(app);
    assert.equal(a.encoder, s.encoder, 'the same encoder');
    assert.equal(a.decoder, 0, 'no decoder');
    // head: [conv 3x3 128->16] + dense(flat -> 100) + dense(100 -> 1)
    const flat = 2 * 4 * (extraConv ? 16 : 128);
    assert.equal(a.head, (extraConv ? 9 * 128 * 16 + 16 : 0) + flat * 100 + 100 + 101, `extraConv ${extraConv}`);
    assert.ok(app.getLayer('enc_bottleneck') === ae.getLayer('enc_bottleneck'), 'layers shared, so weights carried over');
  }
});

test('the L1 penalty is l1 * sum |z| per window, and on the overcomplete bottleneck it gives sparser, smaller activations', async () => {
  const z = tf.tensor4d([1, -2, 0, 3, 0.5, 0, 0, -0.5], [2, 1, 2, 2]);
  assert.deepEqual(Array.from(bottleneckL1Loss(1e-4)(z, z).dataSync()).map((v) => +v.toFixed(10)), [6e-4, 1e-4]);
  assert.equal(autoencoderLosses(autoencoderConfig({ kind: 'undercomplete' })).length, 2);
  const train = toySet(64, 1);
  const batch = toySet(32, 2);
  const stats: { meanAbs: number; active: number }[] = [];
  for (const l1 of [1e-4, 0]) {
    const c = autoencoderConfig({ ...SMALL, kind: 'overcomplete', l1, seed: 3 });
    const m = buildAutoencoder(c);
    const zShape = (m.outputs[1].shape as number[]).slice(1);
    await fit(m, train, { epochs: 8, patience: 100, batchSize: 16, learningRate: 1e-3, seed: 1, losses: autoencoderLosses(c), targets: (x, idx) => [x.clone(), tf.zeros([idx.length, ...zShape])], validate: () => reconstructionMse(m, train) });
    const zs = predictFirst(encoderOf(m), batch);
    stats.push({ meanAbs: zs.reduce((s, v) => s + Math.abs(v), 0) / zs.length, active: zs.filter((v) => Math.abs(v) > 1e-3).length / zs.length });
    m.dispose();
  }
  const [withL1, without] = stats;
  assert.ok(withL1.meanAbs < 0.7 * without.meanAbs, `mean |z| ${withL1.meanAbs} with the penalty vs ${without.meanAbs} without`);
  assert.ok(withL1.active < without.active, `active fraction ${withL1.active} with vs ${without.active} without`);
});

test('a frozen encoder stays bit-identical while the application layers train', async () => {
  const ae = buildAutoencoder({ ...SMALL, kind: 'undercomplete', seed: 4 });
  const app = buildApplicationModel(ae, SMALL, { task: 'ttf', seed: 4, outputBias: 1 });
  setTrainableBlocks(app, ['head']);
  const [enc0, head0] = [weightsOf(app, 'encoder'), weightsOf(app, 'head')];
  const set = toySet(32, 5);
  const y = Float32Array.from({ length: 32 }, (_, k) => 1 + set.x[k * 512 + 100]);
  await fit(app, set, { epochs: 3, patience: 10, batchSize: 8, learningRate: 1e-3, seed: 2, losses: [(a, b) => tf.mean(tf.squaredDifference(a, b), -1)], targets: (_x, idx) => [tf.tensor2d(Float32Array.from(idx, (k) => y[k]), [idx.length, 1])], validate: () => predictFirst(app, set).reduce((s, p, k) => s + (p - y[k]) ** 2, 0) });
  const [enc1, head1] = [weightsOf(app, 'encoder'), weightsOf(app, 'head')];
  enc0.forEach((w, i) => assert.deepEqual(Buffer.from(enc1[i].buffer), Buffer.from(w.buffer), `encoder weight ${i}`));
  assert.ok(head0.some((w, i) => w.some((v, j) => v !== head1[i][j])), 'the head trained');
});

test('reconstruction improves on a learnable toy problem (held-out MSE falls by more than half)', async () => {
  const [train, held] = [toySet(96, 6), toySet(32, 7)];
  const m = buildAutoencoder({ ...SMALL, kind: 'undercomplete', seed: 5 });
  const before = reconstructionMse(m, held);
  const r = await fit(m, train, { epochs: 15, patience: 20, batchSize: 16, learningRate: 3e-3, seed: 3, losses: autoencoderLosses(autoencoderConfig({ kind: 'undercomplete' })), targets: (x, idx) => [x.clone(), tf.zeros([idx.length, 2, 4, 21])], validate: () => reconstructionMse(m, held) });
  assert.ok(r.bestValScore < 0.5 * before, `held-out MSE ${before} -> ${r.bestValScore}`);
  assert.equal(reconstructionMse(m, held), r.bestValScore, 'the best weights are restored');
});

test('save/load and ONNX round trips: the same outputs from disk and from onnxruntime', async () => {
  const ae = buildAutoencoder({ ...SMALL, kind: 'overcomplete', seed: 8 });
  const x = toySet(3, 9);
  const record = { config: autoencoderConfig({ ...SMALL, seed: 8 }), trainedOn: ['toy'], heldOutMse: { toy: 1.5 }, validationMse: 1.2, epochs: 1, bestEpoch: 1, secondsPerEpoch: 0.1, windows: 3 };
  await saveAutoencoder(ae, join(root, 'ae'), record);
  const loaded = await loadAutoencoder(join(root, 'ae'));
  assert.deepEqual(loaded.record, record);
  assert.deepEqual(predictFirst(loaded.model, x), predictFirst(ae, x));
  const models = [ae, buildApplicationModel(loaded.model, SMALL, { task: 'slip' }), buildApplicationModel(null, { ...SMALL, kind: 'undercomplete' }, { task: 'friction', extraConv: false, outputBias: 2 }), buildApplicationModel(null, SMALL, { task: 'ttf', regressionActivation: 'relu', outputBias: 1 })];
  for (const m of models) {
    const [ort, tfjs] = [await createInference(m, { runtime: 'onnxruntime' }), await createInference(m, { runtime: 'tfjs' })];
    const [a, b] = [await tfjs.run(x.x, 3), await ort.run(x.x, 3)];
    await ort.dispose();
    assert.equal(b.length, a.length);
    a.forEach((out, k) => {
      const scale = out.reduce((s, v) => Math.max(s, Math.abs(v)), 1);
      out.forEach((v, i) => assert.ok(Math.abs(v - b[k][i]) / scale < 1e-5, `${m.name} output ${k}[${i}]: ${v} vs ${b[k][i]}`));
    });
  }
});
