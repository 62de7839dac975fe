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
  assert.match(run('train.ts', '--strategy', 'pretrain', '--out', '/tmp/x', '--target', 'stress').err, /--target must be one of friction, ttf, got "stress"/);
  assert.match(run('train.ts', '--strategy', 'pretrain', '--out', '/tmp/x', '--epochs', '0').err, /--epochs must be an integer >= 1, got "0"/);
  for (const r of [run('train.ts', '--strategy', 'magic'), run('learning-curve.ts', '--nope')]) {
    assert.equal(r.code, 1);
    assert.equal(r.err.trim().split('\n').length, 1, `one line: ${r.err}`);
  }
  assert.match(run('learning-curve.ts', '--pretrained', '/tmp/x', '--strategies', 'magic').err, /unknown strategy "magic"/);
});

test('evaluate without models or recordings fails with one line and writes nothing', () => {
  const r = run('evaluate.ts', '--models', '/nonexistent-models', '--out', '/nonexistent-out');
  assert.equal(r.code, 1);
  assert.match(r.err, /no trained models in \/nonexistent-models.*results left unchanged/);
  const r2 = run('evaluate.ts', '--models', join(root, 'trained-models'), '--recordings', '/nonexistent-recordings', '--out', '/nonexistent-out');
  assert.equal(r2.code, 1);
  assert.match(r2.err, /nonexistent-recordings\/p4677 is missing \(npm run fixtures -- p4677\)/);
});
