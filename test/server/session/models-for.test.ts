/**
 * A session's preset is checked against the server's models (their manifests define the presets),
 * not against a compiled table: any trained preset can be served, an unknown one is refused.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ModelManifest } from '../../../model/manifest.ts';
import type { ServingModel } from '../../../pipeline/pipeline.ts';
import { ProtocolError } from '../../../shared/protocol/frames.ts';
import { modelsFor } from '../../../server/session/monitor.ts';
import { startFrame } from '../../helpers/frames.ts';

const model = (name: string, preset: string, sampleRateHz: number, windowS = 1): ServingModel => ({
  manifest: { name, preset: { id: preset, windowS, stepS: 0.1, sampleRateHz, wavelet: 'dog2', scales: { kind: 'periods', minPeriodS: 0.02, maxPeriodS: 1, count: 8 } } } as ModelManifest,
  infer: async () => ({ series: new Float32Array(0), tiles: null }),
});
const models = [model('friction', '2s', 100), model('ttf', '2s', 100), model('custom', '1s/0.1s@300Hz', 300)];
const refused = (code: string, re: RegExp) => (e: unknown) => e instanceof ProtocolError && e.code === code && re.test(e.message);

test('the models of the start frame preset serve it, a custom preset included', () => {
  assert.deepEqual(modelsFor(startFrame('a'), models).map((m) => m.manifest.name), ['friction', 'ttf']);
  assert.deepEqual(modelsFor({ ...startFrame('a'), preset: '1s/0.1s@300Hz', aeRateHz: 30_000 }, models).map((m) => m.manifest.name), ['custom']);
});

test('an unknown preset, an unknown model and an AE rate the preset cannot divide are refused with the choices', () => {
  assert.throws(() => modelsFor({ ...startFrame('a'), preset: '7s' }, models), refused('bad-frame', /no model for preset 7s.*2s, 1s\/0.1s@300Hz/));
  assert.throws(() => modelsFor({ ...startFrame('a'), models: ['nope'] }, models), refused('bad-frame', /no model named nope/));
  assert.throws(() => modelsFor({ ...startFrame('a'), aeRateHz: 10_050 }, models), refused('wrong-rate', /whole multiple of preset 2s's 100 Hz/));
});

test('without models every preset is archived as it comes', () => {
  assert.deepEqual(modelsFor({ ...startFrame('a'), preset: 'anything' }, []), []);
});

test('a session that names no preset gets the one most models use; a tie goes to the longest windows', () => {
  const { preset: _none, ...unnamed } = startFrame('a');
  const short = (name: string) => model(name, '0.4s', 500, 0.4);
  // two 2 s models (windowS 1 here) against two 0.4 s ones: a tie, the longer windows win
  assert.deepEqual(modelsFor({ ...unnamed, aeRateHz: 10_000 }, [short('f-short'), short('t-short'), models[0], models[1]]).map((m) => m.manifest.name), ['friction', 'ttf']);
  // three short-window models against two: the majority wins
  assert.deepEqual(modelsFor({ ...unnamed, aeRateHz: 10_000 }, [short('a'), short('b'), short('c'), models[0], models[1]]).map((m) => m.manifest.name), ['a', 'b', 'c']);
});
