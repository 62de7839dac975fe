/**
 * The dashboard bundle carries only what the page runs: no CWT, FFT or WebAssembly (the signal
 * core is the server's business), no Node-only code.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildClientScripts } from '../../server/static/client-bundle.ts';

test('the client bundle holds no signal-core, wasm or Node-only code', async () => {
  const { files, inputs } = await buildClientScripts({ sourcemap: false });
  const ours = inputs.filter((f) => !f.includes('node_modules'));
  assert.ok(ours.some((f) => f.startsWith('client/')) && ours.some((f) => f.startsWith('shared/')), ours.join(', '));
  for (const f of ours) assert.ok(f.startsWith('client/') || f.startsWith('shared/'), `${f} is not browser code`);
  const banned = ours.filter((f) => /shared\/signal\/|wasm|fft|cwt/i.test(f));
  assert.deepEqual(banned, [], `signal-core files in the bundle: ${banned.join(', ')}`);
  for (const [name, text] of Object.entries(files)) assert.doesNotMatch(text, /WebAssembly\.(Module|instantiate)/, name);
});
