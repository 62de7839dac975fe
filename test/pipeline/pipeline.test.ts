/**
 * The live path and the offline evaluation are one code path: a recording replayed chunk by chunk
 * through the RxJS pipeline gives, sample for sample, the offline averaged prediction.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { firstValueFrom, from, toArray } from 'rxjs';
import { buildCed, DEFAULT_CED } from '../../model/ced.ts';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelManifest } from '../../model/manifest.ts';
import { initBackend } from '../../model/tfjs/backend.ts';
import { conditionRecording, makeWindows, statsOver } from '../../training/dataset.ts';
import { modelPredictor, predictSeries } from '../../training/evaluate.ts';
import { createInference } from '../../model/runtime/inference.ts';
import { openRecording, readRecordingStream } from '../../recording/recording.ts';
import type { AveragedSamples } from '../../shared/signal/overlap-average.ts';
import { presetById } from '../../training/presets.ts';
import { inProcessModel, predictionPipeline } from '../../pipeline/pipeline.ts';
import type { RawChunk } from '../../pipeline/stages.ts';

const MINI = join(import.meta.dirname, '..', '..', 'fixtures', 'data', 'p4677-mini');

before(async () => {
  await initBackend('wasm');
});

test('replaying a recording through the live pipeline gives the offline prediction, sample for sample', async () => {
  const preset = presetById('2s');
  const rec = await conditionRecording(MINI, preset.sampleRateHz);
  const stats = statsOver(rec, [0, rec.ae.length], 'friction', true);
  const manifest: ModelManifest = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    name: 'test',
    target: 'friction',
    preset,
    ced: { ...DEFAULT_CED, seed: 3 },
    input: { conditioning: 'envelope', log10: true, stats: stats.input },
    output: { stats: stats.output },
    training: { strategy: 'none', trainedOn: [], trainableBlocks: [], epochs: 0, seed: 3, backend: 'wasm', bestValidationLoss: 0 },
  };
  const model = buildCed({ seed: 3 });

  // offline: the evaluation path
  const set = makeWindows(rec, [0, rec.ae.length], preset, 'friction', stats, true);
  const offline = await predictSeries(modelPredictor(await createInference(model), set, preset), set, stats.output);

  // live: raw int16 AE batches through the operators, in small uneven chunks
  const recording = await openRecording(MINI);
  const scales = recording.meta.streams.ae.columns.map((c) => c.scale ?? 1);
  const chunks: RawChunk[] = [];
  for await (const b of readRecordingStream(recording, 'ae')) {
    const cols = Object.values(b.columns);
    for (let off = 0; off < b.rows; off += 1237) {
      const end = Math.min(b.rows, off + 1237);
      chunks.push({ startIndex: b.rowOffset + off, channels: cols.map((c) => c.subarray(off, end)) });
    }
  }
  const live: AveragedSamples[] = await firstValueFrom(from(chunks).pipe(predictionPipeline({ aeRateHz: 10_000, channelScales: scales, model: await inProcessModel(model, manifest), maxBatch: 7 }), toArray()));

  // the live stream starts earlier (it does not wait for friction), so compare where both have
  // the same windows: from one window after the offline start to the end
  const liveStart = live[0].startIndex;
  const liveMean = new Float32Array(live.reduce((s, p) => s + p.mean.length, 0));
  const liveStd = new Float32Array(liveMean.length);
  let off = 0;
  for (const p of live) {
    assert.equal(p.startIndex, liveStart + off, 'contiguous, each sample once');
    liveMean.set(p.mean, off);
    liveStd.set(p.std, off);
    off += p.mean.length;
  }
  const from0 = offline.startIndex + 200;
  const to = Math.min(offline.startIndex + offline.mean.length, liveStart + liveMean.length) - 200;
  assert.ok(to - from0 > 3000, `${to - from0} samples compared`);
  for (let k = from0; k < to; k++) {
    const a = offline.mean[k - offline.startIndex];
    const b = liveMean[k - liveStart];
    assert.ok(Math.abs(a - b) <= 1e-6 * Math.abs(a), `sample ${k}: offline ${a}, live ${b}`);
    assert.ok(Math.abs(offline.std[k - offline.startIndex] - liveStd[k - liveStart]) <= 1e-6, `std at ${k}`);
  }
});
