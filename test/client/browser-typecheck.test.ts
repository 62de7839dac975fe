/**
 * The browser project (shared/ + client/, DOM types, no Node types) is what keeps Node code out of
 * the dashboard bundle: a client file that imports a Node module, or a repo module that does,
 * must fail `npm run typecheck` (its browser steps: tsc on tsconfig.browser.json, then
 * scripts/check-browser-boundary.ts). The probe file exists only while this test runs.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');
const tsc = (project: string) => spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, project), '--noEmit'], { encoding: 'utf8', cwd: ROOT });
const boundary = () => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'check-browser-boundary.ts')], { encoding: 'utf8', cwd: ROOT });
/** What npm run typecheck's browser steps say: the first that fails, or status 0. */
const browserTypecheck = () => {
  const t = tsc('tsconfig.browser.json');
  return t.status !== 0 ? { status: t.status, out: t.stdout } : ((b) => ({ status: b.status, out: b.stderr }))(boundary());
};

test('the browser project type-checks, and fails for a client file that imports Node-only code', () => {
  const clean = browserTypecheck();
  assert.equal(clean.status, 0, `the browser project is clean as committed: ${clean.out}`);
  const probes = {
    'node-builtin': "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
    'node-only-repo-module': "import { openRecording } from '../recording/recording.ts';\nexport const x = openRecording;\n",
  };
  for (const [name, source] of Object.entries(probes)) {
    const file = join(ROOT, 'client', `typecheck-probe-${name}.ts`);
    writeFileSync(file, source);
    try {
      const r = browserTypecheck();
      assert.notEqual(r.status, 0, `${name}: a Node import from client/ must not pass`);
      assert.match(r.out, /Cannot find module 'node:fs'|reaches Node-only code: .*recording\/recording\.ts/, `${name}: ${r.out.slice(0, 400)}`);
    } finally {
      rmSync(file, { force: true });
    }
  }
});
