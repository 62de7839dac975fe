import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const root = join(import.meta.dirname, '..', '..');
function run(script: string, ...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'cli', script), ...args], { encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('train, learning-curve and evaluate have --help', () => {
  for (const [script, words] of [
    ['train.ts', ['--strategy', 'cross-train', 'limited-pre', '--backend']],
    ['learning-curve.ts', ['--pretrained', '--cycles', 'frozen-head']],
    ['evaluate.ts', ['--models', 'results.md']],
  ] as const) {
    const r = run(script, '--help');
    assert.equal(r.code, 0, r.err);
    for (const w of words) assert.ok(r.out.includes(w), `${script} --help mentions ${w}`);
  }
});

test('train refuses bad arguments with the valid choices', () => {
  assert.match(run('train.ts', '--strategy', 'magic', '--out', '/tmp/x').err, /--strategy must be one of pretrain, lab-only, cross-train/);
  assert.match(run('train.ts', '--strategy', 'cross-train', '--out', '/tmp/x').err, /--from DIR .* is required for cross-train/);
  assert.match(run('train.ts', '--strategy', 'pretrain', '--out', '/tmp/x', '--target', 'stress').err, /--target must be friction or ttf, got stress/);
  assert.match(run('train.ts', '--strategy', 'pretrain', '--out', '/tmp/x', '--epochs', '0').err, /--epochs must be a whole number >= 1, got 0/);
  assert.match(run('learning-curve.ts', '--pretrained', '/tmp/x', '--strategies', 'magic').err, /unknown strategy "magic"/);
});
