import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SlidingWindows, windowsOf } from '../../../shared/signal/sliding-windows.ts';
import { customPreset, presetById, WINDOW_PRESETS } from '../../../training/presets.ts';
import { windowGeometry } from '../../../shared/signal/window-preset.ts';
import { Rng } from '../../../shared/random.ts';

test('the presets: 2 s / 0.2 s and 0.4 s / 0.1 s, both 200 samples at their rate', () => {
  assert.deepEqual(windowGeometry(presetById('2s')), { windowSamples: 200, stepSamples: 20 });
  assert.deepEqual(windowGeometry(presetById('0.4s')), { windowSamples: 200, stepSamples: 50 });
  assert.deepEqual(Object.keys(WINDOW_PRESETS), ['2s', '0.4s']);
  assert.throws(() => presetById('1s'), /unknown window preset "1s"; valid: 2s, 0.4s/);
  assert.deepEqual(windowGeometry(customPreset(1, 0.25, 200)), { windowSamples: 200, stepSamples: 50 });
  assert.throws(() => customPreset(1, 0.333, 100), /whole numbers of samples/);
});

test('windows equal brute-force slices on the step grid, whatever the chunking', () => {
  const rng = new Rng(3);
  const x = Float32Array.from({ length: 5000 }, () => rng.normal());
  const L = 200;
  const S = 20;
  const expected: number[] = [];
  for (let w = 0; w + L <= x.length; w += S) expected.push(w);
  const offline = windowsOf(x, L, S);
  assert.deepEqual(
    offline.map((w) => w.startIndex),
    expected,
  );
  for (const w of offline) assert.deepEqual(w.values, x.subarray(w.startIndex, w.startIndex + L));
  for (const maxChunk of [1, 13, 199, 201, 4999]) {
    const sw = new SlidingWindows(L, S);
    const got = [];
    for (let pos = 0; pos < x.length; ) {
      const len = Math.min(x.length - pos, 1 + Math.floor(rng.uniform() * maxChunk));
      got.push(...sw.push(pos, x.subarray(pos, pos + len)));
      pos += len;
    }
    assert.deepEqual(got, offline, `chunks up to ${maxChunk}`);
  }
});

test('a stream that starts off-grid or has a gap restarts on the next grid point; no window spans a gap', () => {
  const x = Float32Array.from({ length: 1000 }, (_, i) => i);
  const sw = new SlidingWindows(100, 30);
  const a = sw.push(7, x.subarray(7, 400));
  assert.equal(a[0].startIndex, 30);
  const b = sw.push(450, x.subarray(450, 1000)); // 400..449 missing
  assert.equal(b[0].startIndex, 450);
  for (const w of [...a, ...b]) {
    for (let j = 0; j < 100; j++) assert.equal(w.values[j], w.startIndex + j);
    assert.ok(w.startIndex % 30 === 0);
    assert.ok(!(w.startIndex < 450 && w.startIndex + 100 > 400), `window at ${w.startIndex} spans the gap`);
  }
  assert.throws(() => sw.push(10, x.subarray(10, 20)), /back in time/);
});
