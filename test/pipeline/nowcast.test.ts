/**
 * The nowcast is causal and prompt: fed frame by frame, the nowcast for a window's newest samples
 * leaves the pipeline during the frame that completes the window, the nowcasts tile the stream,
 * and the averaged value of the same sample comes about one window later.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { Subject } from 'rxjs';
import { DEFAULT_CED } from '../../model/ced.ts';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelManifest } from '../../model/manifest.ts';
import { conditioningDelayS, type Nowcast, predictionPipeline, type RawChunk } from '../../pipeline/pipeline.ts';
import { windowGeometry } from '../../shared/signal/window-preset.ts';
import { conditionRecording, normalisationOver } from '../../training/dataset.ts';
import { aeSourceOf } from '../../training/evaluate.ts';
import { presetById } from '../../training/presets.ts';

const MINI = join(import.meta.dirname, '..', '..', 'fixtures', 'data', 'p4677-mini');

test('the nowcast of a window leaves during the frame that completes it; the average of the same sample ~1 window later', async () => {
  const preset = presetById('2s');
  const rec = await conditionRecording(MINI, preset.sampleRateHz);
  const manifest = { format: MODEL_FORMAT, formatVersion: MODEL_FORMAT_VERSION, name: 't', target: 'ttf', preset, ced: DEFAULT_CED, ...normalisationOver(rec, [0, rec.ae.length], 'ttf'), training: { strategy: 'none', trainedOn: [], trainableBlocks: [], epochs: 0, seed: 0, backend: 'cpu', bestValidationLoss: 0 } } as ModelManifest;
  const { windowSamples, stepSamples } = windowGeometry(preset);
  // a model that answers at once with each sample's own index: what came out where is checkable
  const model = { manifest, infer: async (_x: Float32Array, n: number) => ({ series: new Float32Array(n * windowSamples), tiles: null }) };
  const src = await aeSourceOf(MINI);
  const dec = src.aeRateHz / preset.sampleRateHz;
  const delayAe = Math.ceil(conditioningDelayS({ aeRateHz: src.aeRateHz, channelScales: src.channelScales, model }) * src.aeRateHz);
  const input = new Subject<RawChunk>();
  const nowcasts: (Nowcast & { aeEnd: number })[] = [];
  const averaged: { lastIndex: number; aeEnd: number }[] = [];
  let aeEnd = 0;
  input.pipe(predictionPipeline({ aeRateHz: src.aeRateHz, channelScales: src.channelScales, model, onNowcast: (n) => nowcasts.push({ ...n, aeEnd }) })).subscribe((a) => averaged.push({ lastIndex: a.startIndex + a.mean.length - 1, aeEnd }));
  const frameRows = src.aeRateHz / 10; // 0.1 s frames, as the replay producer sends
  for await (const c of src.chunks()) {
    const n = c.channels[0].length;
    for (let off = 0; off < n; off += frameRows) {
      const e = Math.min(n, off + frameRows);
      aeEnd = c.startIndex + e;
      input.next({ startIndex: c.startIndex + off, channels: c.channels.map((ch) => (ch as Float32Array).subarray(off, e)) });
      await new Promise((r) => setImmediate(r));
    }
  }
  assert.ok(nowcasts.length > 100);
  nowcasts.forEach((n, k) => {
    assert.equal(n.values.length, stepSamples);
    if (k) assert.equal(n.startIndex, nowcasts[k - 1].startIndex + stepSamples, 'the nowcasts tile the stream');
    // the AE that completes the window's last sample: (last + 1) * dec + the filter's delay
    const needed = (n.startIndex + stepSamples) * dec + delayAe;
    assert.ok(n.aeEnd >= needed && n.aeEnd - needed < frameRows, `nowcast of ${n.startIndex + stepSamples - 1} left with AE up to ${n.aeEnd}, complete at ${needed}`);
  });
  // the averaged value of a nowcast's last sample is final only about one window + one step later
  const n = nowcasts[20];
  const last = n.startIndex + stepSamples - 1;
  const a = averaged.find((x) => x.lastIndex >= last)!;
  assert.ok(a.aeEnd - n.aeEnd >= windowSamples * dec, `averaged ${((a.aeEnd - n.aeEnd) / src.aeRateHz).toFixed(2)} s after the nowcast`);
});
