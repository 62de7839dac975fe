/**
 * The must-show of issue 9: a recording replayed through the live server (buildApp with the
 * shipped models in their inference workers, the replay producer over a real socket, predictions
 * from ws /stream) gives, sample for sample, the series `npm run evaluate` scores for the same
 * recording and model: one path, normalisation included. For p4677 (the committed mini fixture)
 * and one p4581 load level (6 MPa, generated here by the fixtures' own generator).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { experiments, type LabExperiment } from '../../fixtures/experiments.ts';
import { generateExperiment } from '../../fixtures/generate.ts';
import { loadModel } from '../../model/io.ts';
import type { ModelManifest } from '../../model/manifest.ts';
import { createInference, type Inference } from '../../model/runtime/inference.ts';
import { initBackend } from '../../model/tfjs/backend.ts';
import { replay } from '../../producer/replay.ts';
import { readRecordingMeta } from '../../recording/recording.ts';
import { buildApp } from '../../server/app.ts';
import { defaultServerOptions } from '../../server/config.ts';
import { decodeFrame } from '../../shared/protocol/codec.ts';
import { conditionRecording, normalisationOver } from '../../training/dataset.ts';
import { type AveragedPrediction, predictRecording, servingModel } from '../../training/evaluate.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SHIPPED = join(ROOT, 'trained-models');
const MINI = join(ROOT, 'fixtures', 'data', 'p4677-mini');
const tmp = mkdtempSync(join(tmpdir(), 'slipwatch-serving-path-'));
const LEVEL = join(tmp, 'p4581-6MPa');
after(() => rmSync(tmp, { recursive: true, force: true }));

type Prediction = { session: string; target: string; startIndex: number; mean: Float32Array };
let server: Awaited<ReturnType<typeof buildApp>>;
let base = '';
const frames: Prediction[] = [];
let ws: WebSocket;
const models: { manifest: ModelManifest; inference: Inference }[] = [];

before(async () => {
  await initBackend('wasm');
  // one p4581 load level: the p4581 slider and acoustics, 30 s at 6 MPa
  const p4581 = experiments().p4581 as LabExperiment;
  generateExperiment({ ...p4581, id: 'p4581-6MPa', slider: { ...p4581.slider, schedule: [{ normalStressMPa: 6, durationS: 30 }] } }, LEVEL);
  server = await buildApp({ ...defaultServerOptions(), port: 0, producerToken: 't', archiveDir: join(tmp, 'archive'), modelsDir: SHIPPED, recordingsDir: tmp, flushIntervalMs: 5, maxFrameBytes: 8 << 20 });
  base = (await server.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');
  ws = new WebSocket(`${base}/stream`);
  ws.on('message', (d: Buffer) => {
    const f = decodeFrame(new Uint8Array(d)) as Partial<Prediction> & { type: string };
    if (f.type === 'prediction') frames.push(f as Prediction);
  });
  await new Promise((r) => ws.once('open', r));
  for (const target of ['friction', 'ttf']) {
    const { model, manifest } = await loadModel(join(SHIPPED, target));
    models.push({ manifest, inference: await createInference(model) });
  }
});
after(async () => {
  ws?.close();
  for (const m of models) await m.inference.dispose();
  await server?.close();
});

/** The server's predictions of one session and target, joined (they must be contiguous). */
function served(session: string, target: string): { startIndex: number; mean: Float32Array } {
  const fs = frames.filter((f) => f.session === session && f.target === target);
  assert.ok(fs.length > 0, `${session}: no ${target} predictions`);
  const mean = new Float32Array(fs.reduce((s, f) => s + f.mean.length, 0));
  let off = 0;
  for (const f of fs) {
    assert.equal(f.startIndex, fs[0].startIndex + off, 'contiguous, each sample once');
    mean.set(f.mean, off);
    off += f.mean.length;
  }
  return { startIndex: fs[0].startIndex, mean };
}

async function waitForSamples(session: string, target: string, n: number): Promise<void> {
  const t0 = Date.now();
  const have = () => frames.filter((f) => f.session === session && f.target === target).reduce((s, f) => s + f.mean.length, 0);
  while (have() < n && Date.now() - t0 < 10_000) await new Promise((r) => setTimeout(r, 50));
}

/** The evaluation's series on the stream's clock (the session counts AE rows from 0). */
function onStreamClock(p: AveragedPrediction, dir: string, rateHz: number): AveragedPrediction {
  return { ...p, startIndex: p.startIndex - Math.round(readRecordingMeta(dir).streams.ae.startTimeS * rateHz) };
}

async function replayAndCompare(dir: string, session: string): Promise<void> {
  await replay({ recordingDir: dir, url: `${base}/ingest`, token: 't', session, speed: 'max' });
  for (const { manifest, inference } of models) {
    const rate = manifest.preset.sampleRateHz;
    const evaluated = onStreamClock(await predictRecording(servingModel(inference, manifest), dir), dir, rate);
    await waitForSamples(session, manifest.target, evaluated.mean.length);
    const live = served(session, manifest.target);
    assert.equal(live.startIndex, evaluated.startIndex, `${manifest.target}: first sample`);
    assert.equal(live.mean.length, evaluated.mean.length, `${manifest.target}: every sample`);
    // float32 outputs of the same graph; batches may differ between the worker and here
    const tol = 1e-5 * manifest.output.stats.std;
    let worst = 0;
    for (let i = 0; i < live.mean.length; i++) worst = Math.max(worst, Math.abs(live.mean[i] - evaluated.mean[i]));
    assert.ok(worst <= tol, `${session} ${manifest.target}: served and evaluated differ by up to ${worst} (tolerance ${tol})`);
    // the comparison can tell normalisations apart: the paper protocol's (own statistics) is another series
    const rec = await conditionRecording(dir, rate);
    const own = { ...manifest, ...normalisationOver(rec, [0, rec.ae.length], manifest.target) };
    const paper = onStreamClock(await predictRecording(servingModel(inference, own), dir), dir, rate);
    let diff = 0;
    for (let i = 0; i < paper.mean.length; i++) diff = Math.max(diff, Math.abs(paper.mean[i] - evaluated.mean[i]));
    assert.ok(diff > 100 * tol, `${manifest.target}: own statistics change the series (${diff})`);
  }
}

test('p4677: the live server and npm run evaluate give the same series, sample for sample', async () => {
  await replayAndCompare(MINI, 'path-p4677');
});

test('p4581 at 6 MPa: the live server and npm run evaluate give the same series, sample for sample', async () => {
  await replayAndCompare(LEVEL, 'path-p4581');
});
