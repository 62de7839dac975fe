import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const cli = join(import.meta.dirname, '..', '..', 'cli', 'fixtures.ts');
const root = mkdtempSync(join(tmpdir(), 'slipwatch-cli-'));
after(() => rmSync(root, { recursive: true, force: true }));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('--help lists the experiments and options', () => {
  const r = run('--help');
  assert.equal(r.code, 0);
  for (const word of ['p4677', 'p4581', 'sim', '--out', '--ae-rate', '--force']) assert.ok(r.out.includes(word), word);
});

test('unknown experiments and bad rates fail with the valid choices', () => {
  const r = run('p9999');
  assert.equal(r.code, 1);
  assert.match(r.err, /unknown experiment "p9999"; valid: p4677, p4581, sim/);
  assert.match(run('--ae-rate', '1500').err, /--ae-rate must be a whole multiple of the 1000 Hz/);
});

test('generates with progress, prints the summary table, then keeps an up-to-date recording', () => {
  const out = join(root, 'rec');
  const first = run('p4677-mini', '--out', out);
  assert.equal(first.code, 0, first.err);
  assert.match(first.err, /p4677-mini: +100%/);
  assert.match(first.out, /\| p4677-mini \| 2\.5 \| 40 \| 5 \| 8\.\d\d \|/);
  const mtime = statSync(join(out, 'p4677-mini', 'ae.arrows')).mtimeMs;
  const second = run('p4677-mini', '--out', out);
  assert.equal(second.code, 0);
  assert.match(second.err, /up to date/);
  assert.equal(statSync(join(out, 'p4677-mini', 'ae.arrows')).mtimeMs, mtime, 'not rewritten');
  assert.equal(second.out, first.out, 'same summary from the kept recording');
  const forced = run('p4677-mini', '--out', out, '--force');
  assert.match(forced.err, /generated in/);
});
