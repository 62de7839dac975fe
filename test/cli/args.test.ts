/**
 * Every CLI answers alike: --help before any work, one line and exit 1 for an unknown option or a
 * bad value, one line (no stack trace) for a failure such as a port in use.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '..', '..');
const run = (cli: string, args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'cli', cli), ...args], { encoding: 'utf8', cwd: ROOT, timeout: 60_000 });

test('start, serve and replay: --help, unknown options and bad values', () => {
  for (const cli of ['start.ts', 'serve.ts', 'replay.ts']) {
    const help = run(cli, ['--help']);
    assert.equal(help.status, 0, `${cli} --help`);
    assert.match(help.stdout, /Usage: npm (start|run)/, cli);
    const bogus = run(cli, ['--bogus', '1']);
    assert.equal(bogus.status, 1, `${cli} --bogus`);
    assert.match(bogus.stderr, /unknown option.*--bogus/i, cli);
    assert.equal(bogus.stderr.trim().split('\n').length, 1, `${cli}: one line, got ${bogus.stderr}`);
    assert.doesNotMatch(bogus.stderr, /\n\s+at /, `${cli}: no stack trace`);
  }
  const speed = run('start.ts', ['--speed', 'abc']);
  assert.equal(speed.status, 1);
  assert.match(speed.stderr, /^npm start: --speed must be a number >= 0.001 and <= 1000, got "abc"$/m);
  const noRecording = run('replay.ts', []);
  assert.equal(noRecording.status, 1);
  assert.match(noRecording.stderr, /--recording DIR is required/);
});

test('a port in use is one clear line, not a stack trace', async () => {
  const blocker = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => blocker.once('listening', r));
  const port = (blocker.address() as { port: number }).port;
  try {
    const r = run('serve.ts', ['--port', String(port), '--models', join(ROOT, 'no-such-models')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`^serve: port ${port} is in use; choose another with --port N$`, 'm'));
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  } finally {
    blocker.close();
  }
});
