import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildModuleText, KERNELS, moduleFileFor } from '../../scripts/build-wasm.ts';

test('the committed WebAssembly modules are what their AssemblyScript sources compile to', () => {
  for (const src of KERNELS) {
    assert.equal(readFileSync(moduleFileFor(src), 'utf8'), buildModuleText(src), `${moduleFileFor(src)} is stale: run npm run build:wasm`);
  }
});
