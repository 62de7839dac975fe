import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
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
  assert.match(r.err, /unknown experiment "p9999"; valid: p4677, p4581, irregular, sim, /);
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

test('--seed and --set make a variant: same inputs give the same bytes, and the metadata records them', () => {
  const args = ['p4677-mini', '--seed', '7', '--set', 'irregularity=0.3', '--set', 'duration=20', '--set', 'mu0=0.61'];
  const a = run(...args, '--out', join(root, 'va'));
  const b = run(...args, '--out', join(root, 'vb'));
  assert.equal(a.code, 0, a.err);
  assert.equal(b.code, 0, b.err);
  for (const f of ['ae.arrows', 'mech.arrows', 'recording.json']) {
    assert.ok(readFileSync(join(root, 'va', 'p4677-mini', f)).equals(readFileSync(join(root, 'vb', 'p4677-mini', f))), `${f} differs`);
  }
  const meta = JSON.parse(readFileSync(join(root, 'va', 'p4677-mini', 'recording.json'), 'utf8'));
  assert.equal(meta.source.seed, 7);
  assert.equal(meta.source.parameters.params.irregularity, 0.3);
  assert.equal(meta.source.parameters.params.duration, 20);
  assert.equal(meta.source.parameters.params.mu0, 0.61);
  assert.equal(meta.source.parameters.slider.irregularity, 0.3, 'the model ran with it');
  assert.equal(meta.source.parameters.slider.friction.mu0, 0.61);
  assert.equal(meta.source.parameters.params.patches, 2, 'parameters left alone are recorded too');
  // a different seed is another experiment; the same variant again is kept
  const c = run('p4677-mini', '--seed', '8', '--set', 'irregularity=0.3', '--set', 'duration=20', '--set', 'mu0=0.61', '--out', join(root, 'vc'));
  assert.equal(c.code, 0, c.err);
  assert.ok(!readFileSync(join(root, 'va', 'p4677-mini', 'ae.arrows')).equals(readFileSync(join(root, 'vc', 'p4677-mini', 'ae.arrows'))));
  assert.match(run(...args, '--out', join(root, 'va')).err, /up to date/);
});

test('--list-params prints unit, default and range; bad keys, values and options exit 1 with the choices', () => {
  const l = run('p4677', '--list-params');
  assert.equal(l.code, 0, l.err);
  assert.match(l.out, /irregularity +1 +0 +\[0, 0\.6\]/);
  assert.match(l.out, /heterogeneity +1 +0 +\[0, 0\.5\]/);
  assert.match(run('irregular', '--list-params').out, /irregularity +1 +0\.32 +\[0, 0\.6\]/);
  assert.match(l.out, /stiffness +MPa\/um +0\.0008 +\[0\.0001, 0\.05\]/);
  assert.match(run('sim', '--list-params').out, /kick_rate +1\/s/);
  const key = run('p4677', '--set', 'bogus=1');
  assert.equal(key.code, 1);
  assert.match(key.err, /^fixtures: unknown parameter "bogus" for p4677; valid: normal_stress, .*irregularity/);
  assert.equal(key.err.trim().split('\n').length, 1, 'one line, no stack trace');
  const value = run('p4677', '--set', 'irregularity=2');
  assert.equal(value.code, 1);
  assert.match(value.err, /--set irregularity=2: must be a number in \[0, 0\.6\]/);
  assert.match(run('p4677', '--set', 'patches=1.5').err, /must be an integer/);
  assert.match(run('p4677', '--seed', 'abc').err, /--seed must be an integer/);
  const opt = run('--frob');
  assert.equal(opt.code, 1);
  assert.match(opt.err, /Unknown option '--frob'; valid options: --out, .*--set/);
});
