import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { inProcessModel } from '../../../pipeline/pipeline.ts';
import { loadServingModels } from '../../../server/inference/load-models.ts';
import { buildCed, DEFAULT_CED } from '../../../model/ced.ts';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelManifest } from '../../../model/manifest.ts';
import { initBackend } from '../../../model/tfjs/backend.ts';
import { saveModel } from '../../../model/io.ts';
import { presetById } from '../../../training/presets.ts';

const root = mkdtempSync(join(tmpdir(), 'slipwatch-worker-'));
after(() => rmSync(root, { recursive: true, force: true }));
before(async () => {
  await initBackend('wasm');
});

for (const runtime of ['tfjs', 'onnxruntime'] as const) {
  test(`a model in a worker thread predicts exactly what it predicts in this thread (${runtime})`, async () => {
    const manifest: ModelManifest = {
      format: MODEL_FORMAT,
      formatVersion: MODEL_FORMAT_VERSION,
      name: 'w',
      target: 'friction',
      preset: presetById('2s'),
      ced: { ...DEFAULT_CED, seed: 8 },
      input: { conditioning: 'envelope', log10: true, stats: { mean: 0, std: 1 } },
      output: { stats: { mean: 0.6, std: 0.01 } },
      training: { strategy: 'none', trainedOn: [], trainableBlocks: [], epochs: 0, seed: 8, backend: 'wasm', bestValidationLoss: 0 },
    };
    const model = buildCed({ seed: 8 });
    const dir = join(root, runtime);
    await saveModel(model, join(dir, 'friction'), manifest);
    const [worker] = await loadServingModels(dir, { backend: 'wasm', runtime });
    assert.match(worker.backend, runtime === 'tfjs' ? /^tfjs wasm$/ : /^onnxruntime \d+\.\d+\.\d+ \(cpu, 1 thread\)$/);
    assert.equal(worker.manifest.target, 'friction');
    const x = tf.randomNormal([5, 64, 200, 1], 0, 1, 'float32', 3).dataSync() as Float32Array;
    const here = await (await inProcessModel(model, manifest, { runtime })).infer(x, 5);
    // several requests in flight at once come back to their callers
    const [a, b] = await Promise.all([worker.infer(x, 5), worker.infer(x.subarray(0, 2 * 12800), 2)]);
    assert.deepEqual(a, here);
    assert.deepEqual(b.series, here.series.subarray(0, 400));
    assert.deepEqual(b.tiles, here.tiles!.subarray(0, 2 * 64 * 20), 'the centre 20 columns of 2 predicted scalograms');
    await worker.close();
  });
}
