/**
 * Issue 13's must-show for live adaptation, on the real server (buildApp, the shipped models in
 * their inference workers, the replay producer over a real socket, ws /stream): a generated p4677
 * variant whose friction level is 0.55 instead of 0.6 is replayed (served with the manifest's
 * statistics, the default); after 3 cycles of measured friction the session cross-trains its
 * friction model in a worker thread (5 epochs, to keep the test short) while the producer waits
 * (paused, as a slow rig would be), swaps it in, and the replay goes on. The same recording
 * through a server with --live-adaptation false is the un-adapted reference.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { experiments } from '../../../fixtures/experiments.ts';
import { generateExperiment } from '../../../fixtures/generate.ts';
import { applySettings } from '../../../fixtures/params.ts';
import { initBackend } from '../../../model/tfjs/backend.ts';
import { replay } from '../../../producer/replay.ts';
import { buildApp } from '../../../server/app.ts';
import { defaultServerOptions, type ServerOptions } from '../../../server/config.ts';
import { decodeFrame } from '../../../shared/protocol/codec.ts';
import type { AdaptedFrame, PredictionFrame } from '../../../shared/protocol/frames.ts';
import { scoreSeries } from '../../../shared/metrics.ts';
import { conditionRecording } from '../../../training/dataset.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const SHIPPED = join(ROOT, 'trained-models');
const tmp = mkdtempSync(join(tmpdir(), 'slipwatch-adapt-'));
const VARIANT = join(tmp, 'p4677-mu055');
const CYCLES = 3;
after(() => rmSync(tmp, { recursive: true, force: true }));

before(async () => {
  await initBackend('wasm');
  generateExperiment(applySettings(experiments().p4677, ['mu0=0.55', 'duration=70']), VARIANT);
});

interface Run {
  predictions: PredictionFrame[];
  adapted: AdaptedFrame[];
  slips: number;
  status: Record<string, unknown>;
}

/** Replay the variant through a fresh server; with adaptation, pause after the cycles until both models report. */
async function run(name: string, adapt: boolean): Promise<Run> {
  const opts: ServerOptions = { ...defaultServerOptions(), port: 0, producerToken: 't', archiveDir: join(tmp, `archive-${name}`), modelsDir: SHIPPED, recordingsDir: tmp, flushIntervalMs: 5, maxFrameBytes: 8 << 20, liveAdaptation: adapt, adaptAfterCycles: CYCLES, adaptEpochs: 5 };
  const server = await buildApp(opts);
  const base = (await server.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');
  const out: Run = { predictions: [], adapted: [], slips: 0, status: {} };
  const ws = new WebSocket(`${base}/stream`);
  ws.on('message', (d: Buffer) => {
    const f = decodeFrame(new Uint8Array(d)) as { type: string };
    if (f.type === 'prediction') out.predictions.push(f as PredictionFrame);
    else if (f.type === 'adapted') out.adapted.push(f as AdaptedFrame);
    else if (f.type === 'slip') out.slips++;
  });
  await new Promise((r) => ws.once('open', r));
  try {
    // the producer waits from the slip that completes the cycles until the friction model has
    // reported (TTF adapts next, while the replay goes on, and is stopped if the session ends first)
    const paused = () => adapt && out.slips >= CYCLES + 1 && !out.adapted.some((f) => f.target === 'friction');
    await replay({ recordingDir: VARIANT, url: `${base}/ingest`, token: 't', session: name, speed: 'max', paused });
    // the session's pipelines flush after the end: wait until the stream has been quiet for a second
    for (let n = -1; n !== out.predictions.length; ) {
      n = out.predictions.length;
      await new Promise((r) => setTimeout(r, 1000));
    }
    out.status = (await (await fetch(`${base.replace('ws', 'http')}/status`)).json()) as Record<string, unknown>;
  } finally {
    ws.close();
    await server.close();
  }
  return out;
}

/** One target's served series: every startIndex once and contiguous (no gap, no duplicate). */
function joined(frames: PredictionFrame[], target: string): { startIndex: number; mean: Float32Array } {
  const fs = frames.filter((f) => f.target === target);
  const mean = new Float32Array(fs.reduce((s, f) => s + f.mean.length, 0));
  let off = 0;
  for (const f of fs) {
    assert.equal(f.startIndex, fs[0].startIndex + off, `${target}: predictions contiguous, each sample once (at ${f.startIndex})`);
    mean.set(f.mean, off);
    off += f.mean.length;
  }
  return { startIndex: fs[0].startIndex, mean };
}

test('live adaptation: after 3 cycles a model is swapped in without a lost or duplicated prediction, and it scores better on the cycles after the swap', { timeout: 170_000 }, async () => {
  const adapted = await run('adapting', true);
  const reference = await run('reference', false);
  console.log(adapted.adapted.map((f) => `${f.target}: swapped ${f.swapped} from ${f.fromStartIndex}, newest-cycle R^2 ${f.before.r2.toFixed(3)} -> ${f.after.r2.toFixed(3)}, ${f.trainS?.toFixed(1)} s${f.reason ? ` (${f.reason})` : ''}`).join('\n'));
  assert.equal(reference.adapted.length, 0, '--live-adaptation false: no adaptation');
  const friction = adapted.adapted.find((f) => f.target === 'friction');
  assert.ok(friction?.swapped && friction.fromStartIndex !== null, 'the friction model was swapped in');
  assert.equal(friction.cycles, CYCLES);
  assert.ok(friction.after.r2 > friction.before.r2, 'swapped because it scored better on the newest cycle');
  const rec = await conditionRecording(VARIANT, friction.rateHz);
  for (const target of ['friction', 'ttf']) {
    const a = joined(adapted.predictions, target);
    const r = joined(reference.predictions, target);
    assert.deepEqual([a.startIndex, a.mean.length], [r.startIndex, r.mean.length], `${target}: the same samples served with and without adaptation`);
  }
  // scored where only the adapted model's windows contribute: one window after its first window
  const a = joined(adapted.predictions, 'friction');
  const r = joined(reference.predictions, 'friction');
  const from = friction.fromStartIndex! + 200;
  assert.ok(from < a.startIndex + a.mean.length - 500, 'at least 5 s served by the adapted model alone');
  const truth = rec.mu.subarray(from - rec.startIndex, a.startIndex + a.mean.length - rec.startIndex);
  const [after, unadapted] = [a, r].map((p) => scoreSeries(truth, p.mean.subarray(from - p.startIndex, from - p.startIndex + truth.length)).r2);
  console.log(`friction R^2 after the swap: adapted ${after.toFixed(3)}, un-adapted ${unadapted.toFixed(3)} (${truth.length} samples)`);
  assert.ok(after > unadapted, `adapted ${after} vs un-adapted ${unadapted} on the same cycles`);
  const served = (adapted.status.servedModels as Record<string, Record<string, { version: number; adapted: boolean; dir?: string }>> | undefined)?.adapting;
  if (served) assert.ok(served.friction.version >= 1, '/status: the session serves an adapted friction model');
  assert.ok(existsSync(join(tmp, 'archive-adapting', 'adapting', 'adapted-models', 'friction', 'manifest.json')), 'the adapted model is saved with its manifest beside the session archive');
  assert.ok(existsSync(join(tmp, 'archive-adapting', 'adapting', 'adapted-models', 'friction', 'model.onnx')), 'and its ONNX export');
});
