/**
 * Issue 13's must-show for live normalisation: a generated variant of p4677 whose friction level is
 * 0.55 instead of 0.6 (the generator's mu0), replayed through the live server (shipped models in
 * their inference workers, the replay producer over a real socket) with --live-normalisation-s on,
 * is served with a friction R^2 within 0.1 of the R^2 the same model reaches with the experiment's
 * own statistics over the whole recording (the evaluation's paper protocol, training/results.ts).
 * The manifest's statistics, the fallback, score far lower on it: the test can tell them apart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { experiments } from '../../fixtures/experiments.ts';
import { generateExperiment } from '../../fixtures/generate.ts';
import { applySettings } from '../../fixtures/params.ts';
import { loadModel } from '../../model/io.ts';
import { createInference } from '../../model/runtime/inference.ts';
import { initBackend } from '../../model/tfjs/backend.ts';
import { replay } from '../../producer/replay.ts';
import { buildApp } from '../../server/app.ts';
import { defaultServerOptions } from '../../server/config.ts';
import { decodeFrame } from '../../shared/protocol/codec.ts';
import type { PredictionFrame } from '../../shared/protocol/frames.ts';
import { conditionRecording, normalisationOver, truthOf } from '../../training/dataset.ts';
import { concatAveraged, predictRecording, scoreOver, servingModel } from '../../training/evaluate.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SHIPPED = join(ROOT, 'trained-models');
const tmp = mkdtempSync(join(tmpdir(), 'slipwatch-live-norm-'));
const VARIANT = join(tmp, 'p4677-mu055');
/** seconds of the session the statistics are estimated over (about two cycles) */
const WARMUP_S = 20;
after(() => rmSync(tmp, { recursive: true, force: true }));

let server: Awaited<ReturnType<typeof buildApp>>;
let base = '';
const frames: PredictionFrame[] = [];
let ws: WebSocket;

before(async () => {
  await initBackend('wasm');
  generateExperiment(applySettings(experiments().p4677, ['mu0=0.55', 'duration=60']), VARIANT);
  server = await buildApp({ ...defaultServerOptions(), port: 0, producerToken: 't', archiveDir: join(tmp, 'archive'), modelsDir: SHIPPED, recordingsDir: tmp, flushIntervalMs: 5, maxFrameBytes: 8 << 20, liveNormalisationS: WARMUP_S, liveAdaptation: false });
  base = (await server.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');
  ws = new WebSocket(`${base}/stream`);
  ws.on('message', (d: Buffer) => {
    const f = decodeFrame(new Uint8Array(d)) as { type: string };
    if (f.type === 'prediction') frames.push(f as PredictionFrame);
  });
  await new Promise((r) => ws.once('open', r));
});
after(async () => {
  ws?.close();
  await server?.close();
});

async function waitForSamples(target: string, n: number): Promise<void> {
  const t0 = Date.now();
  const have = () => frames.filter((f) => f.target === target).reduce((s, f) => s + f.mean.length, 0);
  while (have() < n && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
}

test('a variant at friction level 0.55: served with live normalisation, friction R^2 within 0.1 of the own-statistics R^2', async () => {
  await replay({ recordingDir: VARIANT, url: `${base}/ingest`, token: 't', session: 'mu055', speed: 'max' });
  const { model, manifest } = await loadModel(join(SHIPPED, 'friction'));
  const inference = await createInference(model);
  try {
    const rec = await conditionRecording(VARIANT, manifest.preset.sampleRateHz);
    const truth = truthOf(rec, 'friction');
    const own = await predictRecording(servingModel(inference, { ...manifest, ...normalisationOver(rec, [0, rec.ae.length], 'friction') }), VARIANT);
    const fallback = await predictRecording(servingModel(inference, manifest), VARIANT);
    await waitForSamples('friction', own.mean.length);
    // the variant's AE starts at 0 s, so the session's clock is the experiment's
    const live = concatAveraged(frames.filter((f) => f.target === 'friction').map((f) => ({ ...f, count: new Uint16Array(f.mean.length) })));
    assert.equal(live.mean.length, own.mean.length, 'every sample served once');
    const range: [number, number] = [0, rec.ae.length];
    const [r2Live, r2Own, r2Manifest] = [live, own, fallback].map((p) => scoreOver(p, truth, range).r2);
    console.log(`friction R^2 on mu0 = 0.55: live normalisation (${WARMUP_S} s warm-up) ${r2Live.toFixed(3)}, own statistics ${r2Own.toFixed(3)}, manifest statistics ${r2Manifest.toFixed(3)}`);
    assert.ok(r2Own > 0.5, `the own-statistics protocol works on this variant (${r2Own})`);
    assert.ok(Math.abs(r2Live - r2Own) <= 0.1, `served ${r2Live} vs own statistics ${r2Own}`);
    assert.ok(r2Manifest < r2Own - 1, `the manifest's statistics cannot follow the new level (${r2Manifest}): the comparison tells them apart`);
  } finally {
    await inference.dispose();
  }
});
