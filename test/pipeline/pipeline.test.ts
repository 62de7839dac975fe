/**
 * The pipeline and the training data share one transform (model/spec.ts): the training windows'
 * scalograms, run through the model and reconstructed by the spec, average to the series the
 * pipeline gives from raw AE; and how the AE is chunked or batched changes nothing.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { firstValueFrom, from, toArray } from 'rxjs';
import { buildCed, DEFAULT_CED } from '../../model/ced.ts';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelManifest } from '../../model/manifest.ts';
import { createInference } from '../../model/runtime/inference.ts';
import { modelSpec } from '../../model/spec.ts';
import { initBackend } from '../../model/tfjs/backend.ts';
import { inProcessModel, predictionPipeline, type RawChunk } from '../../pipeline/pipeline.ts';
import { conditionRecording, type ConditionedRecording, makeWindows, normalisationOver } from '../../training/dataset.ts';
import { aeSourceOf, type AveragedPrediction, averageWindows, concatAveraged } from '../../training/evaluate.ts';
import { presetById } from '../../training/presets.ts';

const MINI = join(import.meta.dirname, '..', '..', 'fixtures', 'data', 'p4677-mini');
let rec: ConditionedRecording;
let manifest: ModelManifest;

before(async () => {
  await initBackend('wasm');
  const preset = presetById('2s');
  rec = await conditionRecording(MINI, preset.sampleRateHz);
  manifest = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    name: 'test',
    target: 'friction',
    preset,
    ced: { ...DEFAULT_CED, seed: 3 },
    // statistics of the first half only: nothing may re-estimate them from the data it sees
    ...normalisationOver(rec, [0, rec.ae.length >> 1], 'friction'),
    training: { strategy: 'none', trainedOn: [], trainableBlocks: [], epochs: 0, seed: 3, backend: 'wasm', bestValidationLoss: 0 },
  };
});

/** The pipeline's output for the mini recording's AE cut into chunks of `rows`. */
async function live(rows: number, maxBatch: number): Promise<AveragedPrediction> {
  const src = await aeSourceOf(MINI);
  const chunks: RawChunk[] = [];
  for await (const c of src.chunks()) {
    const n = c.channels[0].length;
    for (let off = 0; off < n; off += rows) chunks.push({ startIndex: c.startIndex + off, channels: c.channels.map((ch) => (ch as Float32Array).subarray(off, Math.min(n, off + rows))) });
  }
  const model = await inProcessModel(buildCed({ seed: 3 }), manifest);
  const out = await firstValueFrom(from(chunks).pipe(predictionPipeline({ aeRateHz: src.aeRateHz, channelScales: src.channelScales, model, maxBatch }), toArray()));
  await model.dispose();
  return concatAveraged(out, Math.round(src.startTimeS * manifest.preset.sampleRateHz));
}

test('chunking and batching change nothing: the same samples, bit for bit', async () => {
  const [a, b] = [await live(1237, 7), await live(10_000, 32)];
  assert.equal(a.startIndex, b.startIndex);
  assert.deepEqual(a.mean, b.mean);
  assert.deepEqual(a.std, b.std);
});

test("the training windows, through the model and the spec's reconstruction, average to the pipeline's series", async () => {
  const spec = modelSpec(manifest);
  const set = makeWindows(rec, [0, rec.ae.length], spec, 'friction');
  const inference = await createInference(buildCed({ seed: 3 }));
  const size = set.scales * set.samples;
  const windows = [];
  for (let k = 0; k < set.count; k++) windows.push({ startIndex: set.starts[k], series: spec.reconstruct(await inference.run(set.x.slice(k * size, (k + 1) * size), 1)) });
  await inference.dispose();
  const offline = await averageWindows(windows, set.samples);
  const online = await live(1237, 7);
  // the pipeline starts earlier (it does not wait for friction): compare where both have every window
  const from0 = offline.startIndex + set.samples;
  const to = Math.min(offline.startIndex + offline.mean.length, online.startIndex + online.mean.length) - set.samples;
  assert.ok(to - from0 > 3000, `${to - from0} samples compared`);
  for (let k = from0; k < to; k++) {
    const [a, b] = [offline.mean[k - offline.startIndex], online.mean[k - online.startIndex]];
    assert.ok(Math.abs(a - b) <= 1e-6 * Math.abs(a), `sample ${k}: training path ${a}, pipeline ${b}`);
    assert.ok(Math.abs(offline.std[k - offline.startIndex] - online.std[k - online.startIndex]) <= 1e-6, `std at ${k}`);
  }
});
