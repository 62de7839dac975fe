/**
 * Seed 003's autoencoders on this machine: training time per window and per epoch of the
 * pretraining set (wasm backend, batch 16, the L1 penalty's output included), and the inference
 * cost per window of an application model (encoder + extra conv + dense 100 + output) on
 * onnxruntime (the serving runtime) and tfjs-wasm.
 */
import * as tf from '@tensorflow/tfjs';
import { autoencoderConfig, autoencoderLosses, bottleneckSize, buildApplicationModel, buildAutoencoder } from '../model/autoencoder.ts';
import { macsPerWindow, parameterSplit } from '../model/ced.ts';
import { createInference } from '../model/runtime/inference.ts';
import { initBackend } from '../model/tfjs/backend.ts';
import { median, timeCalls } from './timing.ts';

/** The pretraining set of cli/ae-pretrain.ts with its defaults (--step-s 1.5): windows per epoch. */
const PRETRAIN_WINDOWS = 682;

async function inferenceMs(model: tf.LayersModel): Promise<{ ort1: number; ort32: number; tfjs32: number }> {
  const x1 = tf.randomNormal([1, 64, 200, 1]).dataSync() as Float32Array;
  const x32 = tf.randomNormal([32, 64, 200, 1]).dataSync() as Float32Array;
  const ort = await createInference(model, { runtime: 'onnxruntime', threads: 1 });
  const ort1 = await timeCalls(async () => void (await ort.run(x1, 1)), 50);
  const ort32 = (await timeCalls(async () => void (await ort.run(x32, 32)), 10)) / 32;
  await ort.dispose();
  const tfjs = await createInference(model, { runtime: 'tfjs' });
  const tfjs32 = (await timeCalls(async () => void (await tfjs.run(x32, 32)), 3)) / 32;
  return { ort1, ort32, tfjs32 };
}

export async function benchAutoencoder(): Promise<string> {
  await initBackend('wasm');
  const lines = [
    '| autoencoder | bottleneck (input 12,800) | parameters (encoder / decoder) | MFLOP/window (convs) | training, ms/window (batch 16) | s per pretraining epoch (682 windows) | application model: onnxruntime batch 1 / batch 32 per window, tfjs-wasm batch 32 per window |',
    '|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const kind of ['undercomplete', 'overcomplete'] as const) {
    const c = autoencoderConfig({ kind, seed: 1 });
    const ae = buildAutoencoder(c);
    const split = parameterSplit(ae);
    ae.compile({ optimizer: tf.train.adam(1e-3), loss: autoencoderLosses(c) });
    const x = tf.randomNormal([16, 64, 200, 1]);
    const z = tf.zeros([16, ...(ae.outputs[1].shape.slice(1) as number[])]);
    const step = await timeCalls(async () => void (await ae.trainOnBatch(x, [x, z])), 5);
    const app = buildApplicationModel(ae, c, { task: 'ttf', extraConv: true, outputBias: 1 });
    const inf = await inferenceMs(app);
    lines.push(
      `| ${kind} | ${bottleneckSize(c)} | ${split.encoder} / ${split.decoder} | ${((2 * macsPerWindow(ae)) / 1e6).toFixed(1)} | ${(step / 16).toFixed(1)} | ${((step / 16) * PRETRAIN_WINDOWS / 1000).toFixed(0)} | ${inf.ort1.toFixed(2)} / ${inf.ort32.toFixed(2)} ms, ${inf.tfjs32.toFixed(2)} ms |`,
    );
    tf.dispose([x, z]);
    app.dispose();
  }
  return lines.join('\n');
}
