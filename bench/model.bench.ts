/**
 * CED speed on every backend this machine has: inference ms per window at batch 1 and batched,
 * training ms per step (batch 16), the model's FLOPs per window and the GFLOP/s achieved; and
 * the same network served by onnxruntime-node (inference only), the runtime the server uses.
 */
import * as tf from '@tensorflow/tfjs';
import { buildCed, macsPerWindow, parameterSplit } from '../model/ced.ts';
import { BACKENDS, initBackend } from '../model/tfjs/backend.ts';
import { createInference } from '../model/runtime/inference.ts';
import { LOSSES } from '../training/train.ts';
import { median, timeCalls } from './timing.ts';

export async function benchModel(): Promise<string> {
  const lines = [
    '| backend | inference, batch 1 | inference, batch 32 (per window) | training step, batch 16 | GFLOP/s (batch 32 inference) |',
    '|---|---:|---:|---:|---:|',
  ];
  let info = '';
  for (const name of BACKENDS) {
    try {
      await initBackend(name);
    } catch (e) {
      lines.push(`| ${name} | not available: ${(e as Error).message.split(':').slice(-1)[0].trim()} | | | |`);
      continue;
    }
    const model = buildCed({ seed: 1 });
    const flops = 2 * macsPerWindow(model);
    if (!info) {
      const p = parameterSplit(model);
      info = `CED: ${p.total} parameters (latent ${((100 * p.latent) / p.total).toFixed(0)} %), ${(flops / 1e6).toFixed(1)} MFLOP per 64 x 200 window (forward).`;
    }
    const slow = name === 'cpu';
    const predict = (x: tf.Tensor) => () => {
      const y = model.predict(x) as tf.Tensor[];
      for (const t of y) t.dataSync();
      for (const t of y) t.dispose();
    };
    const x1 = tf.randomNormal([1, 64, 200, 1]);
    const x32 = tf.randomNormal([32, 64, 200, 1]);
    const b1 = await timeCalls(predict(x1), slow ? 3 : 20);
    const b32 = (await timeCalls(predict(x32), slow ? 1 : 5)) / 32;
    model.compile({ optimizer: tf.train.adam(1e-3), loss: LOSSES });
    const x16 = tf.randomNormal([16, 64, 200, 1]);
    const y16 = [tf.randomNormal([16, 64, 200, 1]), tf.randomNormal([16, 1])];
    const step = await timeCalls(async () => {
      await model.trainOnBatch(x16, y16);
    }, slow ? 1 : 5);
    lines.push(`| ${name} | ${b1.toFixed(2)} ms | ${b32.toFixed(2)} ms | ${step.toFixed(0)} ms | ${(flops / b32 / 1e6).toFixed(2)} |`);
    tf.dispose([x1, x32, x16, ...y16]);
    model.dispose();
  }
  // onnxruntime-node on the same network (same seed, same weights): what the server serves with
  const model = buildCed({ seed: 1 });
  const flops = 2 * macsPerWindow(model);
  for (const threads of [1, 2]) {
    let ort;
    try {
      ort = await createInference(model, { runtime: 'onnxruntime', threads });
    } catch (e) {
      lines.push(`| onnxruntime | not available: ${(e as Error).message} | | | |`);
      break;
    }
    const x1 = tf.randomNormal([1, 64, 200, 1]).dataSync() as Float32Array;
    const x32 = tf.randomNormal([32, 64, 200, 1]).dataSync() as Float32Array;
    const b1 = await timeCalls(async () => void (await ort.run(x1, 1)), 200);
    const b32 = (await timeCalls(async () => void (await ort.run(x32, 32)), 20)) / 32;
    lines.push(`| ${ort.name} | ${b1.toFixed(2)} ms | ${b32.toFixed(2)} ms | (inference only) | ${(flops / b32 / 1e6).toFixed(2)} |`);
    await ort.dispose();
  }
  model.dispose();
  return `${info}\n\n${lines.join('\n')}`;
}
