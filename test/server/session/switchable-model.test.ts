/**
 * The hot swap of live adaptation on the real prediction pipeline: a model swapped in mid-stream
 * infers every window from the one swap() names on, the old model every window before it, each
 * window exactly once, and the averaged series stays contiguous.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { firstValueFrom, Subject, toArray } from 'rxjs';
import type { ModelManifest } from '../../../model/manifest.ts';
import { predictionPipeline, type RawChunk, type ServingModel } from '../../../pipeline/pipeline.ts';
import { SwitchableModel } from '../../../server/session/switchable-model.ts';
import { windowGeometry } from '../../../shared/signal/window-preset.ts';
import { Rng } from '../../../shared/random.ts';

const manifest = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'trained-models', 'friction', 'manifest.json'), 'utf8')) as ModelManifest;
const { windowSamples, stepSamples } = windowGeometry(manifest.preset);

/** A model whose every predicted sample is `value` (which model inferred a window is then visible). */
function constantModel(value: number, calls: number[]): ServingModel {
  return {
    manifest,
    infer: async (_x, n) => {
      calls.push(n);
      await new Promise((r) => setTimeout(r, 1)); // a batch takes time: windows queue behind it
      return { series: new Float32Array(n * windowSamples).fill(value), tiles: null };
    },
  };
}

test('a swap mid-stream: every window inferred once, by the old model before the named window and by the new one from it', async () => {
  const [oldCalls, newCalls] = [[] as number[], [] as number[]];
  const sw = new SwitchableModel(constantModel(1, oldCalls), stepSamples);
  const nowcasts: { startIndex: number; values: Float32Array }[] = [];
  let from: number | null = null;
  const aeRateHz = 1000;
  const input = new Subject<RawChunk>();
  const onNowcast = (n: { startIndex: number; values: Float32Array }) => {
    sw.windowOut(n.startIndex + n.values.length - windowSamples);
    nowcasts.push(n);
    if (nowcasts.length === 40 && from === null) from = sw.swap(constantModel(2, newCalls));
  };
  const done = firstValueFrom(input.pipe(predictionPipeline({ aeRateHz, channelScales: [1e-4], model: sw, onNowcast }), toArray()));
  const rng = new Rng(3);
  for (let k = 0; k < 60 * 10; k++) {
    input.next({ startIndex: k * 100, channels: [Float32Array.from({ length: 100 }, () => rng.normal() * 300)] });
    if (k % 5 === 0) await new Promise((r) => setImmediate(r));
  }
  input.complete();
  const averaged = await done;
  const starts = nowcasts.map((n) => n.startIndex + n.values.length - windowSamples);
  assert.ok(from !== null && from > starts[39], `the swap names a window still to come (${from}; the 40th started at ${starts[39]})`);
  assert.deepEqual(starts, starts.map((_, k) => starts[0] + k * stepSamples), 'every window once, on the grid');
  for (const [k, n] of nowcasts.entries()) assert.equal(n.values[0], starts[k] < from! ? 1 : 2, `window ${starts[k]}: inferred by the ${starts[k] < from! ? 'old' : 'new'} model`);
  assert.equal(oldCalls.reduce((s, n) => s + n, 0) + newCalls.reduce((s, n) => s + n, 0), nowcasts.length, 'no window inferred twice');
  assert.ok(newCalls.length > 0 && sw.version === 1);
  let next = averaged[0].startIndex;
  for (const a of averaged) {
    assert.equal(a.startIndex, next, 'averaged series contiguous across the swap');
    next += a.mean.length;
  }
});

test('a replaced model is retired once its last batch is answered, never while one is in flight', async () => {
  const retired: ServingModel[] = [];
  let release!: () => void;
  const slow: ServingModel = {
    manifest,
    infer: () => new Promise((r) => (release = () => r({ series: new Float32Array(windowSamples), tiles: null }))),
  };
  const next = constantModel(2, []);
  const sw = new SwitchableModel(slow, stepSamples);
  sw.onRetired = (m) => retired.push(m);
  const pending = sw.infer(new Float32Array(0), 1); // a batch in flight on the old model
  sw.swap(next);
  assert.deepEqual(retired, [], 'not while its batch is in flight');
  release();
  await pending;
  assert.deepEqual(retired, [slow], 'retired once answered');
  const third = constantModel(3, []);
  sw.swap(third);
  assert.deepEqual(retired, [slow, next], 'an idle model is retired at once');
});
