/**
 * AE features live (issue 13): a start frame can declare its AE a variance series (aeKind), which
 * sessions serve with feature-mode models only, at a rate that may be a whole fraction of the model
 * rate (10 Hz variance into 100 Hz models); waveform sessions never get feature models.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildCed, DEFAULT_CED } from '../../../model/ced.ts';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelManifest } from '../../../model/manifest.ts';
import { initBackend } from '../../../model/tfjs/backend.ts';
import { inProcessModel, type ServingModel } from '../../../pipeline/pipeline.ts';
import { modelsFor, SessionPredictor } from '../../../server/session/monitor.ts';
import type { AlertingModel } from '../../../shared/alerts/hazard.ts';
import { ProtocolError, type StartFrame } from '../../../shared/protocol/frames.ts';
import { validateStart } from '../../../shared/protocol/start-frame.ts';
import { Rng } from '../../../shared/random.ts';
import { presetById } from '../../../training/presets.ts';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/** A small untrained CED served in-process, conditioned in the given mode. */
async function model(name: string, conditioning: 'envelope' | 'feature'): Promise<ServingModel> {
  await initBackend('wasm');
  const preset = presetById('2s');
  const manifest: ModelManifest = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    name,
    target: 'friction',
    preset,
    ced: { ...DEFAULT_CED, seed: 4 },
    input: { conditioning, log10: true, stats: { mean: -3, std: 0.5 } },
    output: { stats: { mean: 0.6, std: 0.01 } },
    training: { strategy: 'none', trainedOn: [], trainableBlocks: [], epochs: 0, seed: 4, backend: 'wasm', bestValidationLoss: 0 },
  };
  return inProcessModel(buildCed({ seed: 4 }), manifest);
}

const start = (over: Partial<StartFrame>): StartFrame =>
  validateStart({ type: 'start', protocol: 1, session: 'feat', experimentId: 'psu', aeRateHz: 10, aeType: 'float32', aeChannels: [{ name: 'var0', unit: 'V^2', scale: 1 }], aeKind: 'variance', mech: { rateHz: 10, channels: ['mu'] }, ...over });

test('the start frame declares AE features (aeKind), refusing an unknown kind with the field named', () => {
  assert.equal(start({}).aeKind, 'variance');
  assert.equal(start({ aeKind: undefined }).aeKind, undefined, 'waveform is the default, not stored');
  assert.throws(() => start({ aeKind: 'rms' as never }), (e: unknown) => e instanceof ProtocolError && e.code === 'bad-frame' && /aeKind/.test(e.message));
});

test('a variance session gets the feature models, at a rate below the model rate; a waveform session never does', async () => {
  const [feature, envelope] = [await model('feature-friction', 'feature'), await model('envelope-friction', 'envelope')];
  assert.deepEqual(modelsFor(start({}), [envelope, feature]).map((m) => m.manifest.name), ['feature-friction'], '10 Hz variance into a 100 Hz feature model');
  assert.throws(() => modelsFor(start({}), [envelope]), /no model takes variance AE/);
  assert.throws(() => modelsFor(start({ aeRateHz: 30 }), [feature]), (e: unknown) => e instanceof ProtocolError && e.code === 'wrong-rate');
  const waveform = start({ aeKind: 'waveform', aeRateHz: 10_000 });
  assert.deepEqual(modelsFor(waveform, [envelope, feature]).map((m) => m.manifest.name), ['envelope-friction']);
});

test('a 10 Hz variance stream is predicted through the pipeline and warned on by the forecaster: every sample once', async () => {
  const feature = await model('feature-friction', 'feature');
  const alerting = JSON.parse(readFileSync(join(ROOT, 'trained-models', 'alerting', 'alerting-model.json'), 'utf8')) as AlertingModel;
  const frames: { startIndex: number; length: number }[] = [];
  const s = start({});
  const p = new SessionPredictor(s, [feature], (f) => f.type === 'prediction' && frames.push({ startIndex: f.startIndex, length: f.mean.length }), (e) => assert.fail(String(e)), () => false, alerting);
  const rng = new Rng(5);
  const seconds = 60;
  for (let k = 0; k < seconds; k++) {
    const variance = Float32Array.from({ length: 10 }, () => 1e-4 * (1 + rng.uniform()));
    const mu = Float32Array.from({ length: 10 }, (_, i) => 0.6 - 0.0005 * ((k * 10 + i) % 80));
    p.push({ type: 'data', session: 'feat', seq: k, aeStartIndex: k * 10, ae: [variance], mech: { startIndex: k * 10, values: { mu } } });
  }
  await p.end();
  assert.ok(frames.length > 0, 'predictions come out');
  let next = frames[0].startIndex;
  for (const f of frames) {
    assert.equal(f.startIndex, next, 'contiguous, each sample once');
    next += f.length;
  }
  // the upsampled series reaches to within about a window of the stream's end (100 Hz model rate)
  assert.ok(next > (seconds - 4) * 100, `predicted up to ${next / 100} s of ${seconds} s`);
});
