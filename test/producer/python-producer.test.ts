/**
 * The Python producer (producer/python/slipwatch_producer.py) against the real server: it streams
 * a file's samples, survives the server restarting mid-stream, and every sample is archived
 * exactly once. The venv it runs in (.venv, with websockets, msgpack and numpy) is made by the
 * README's test command (scripts/test.sh).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { readWholeStream } from '../../recording/arrow-stream.ts';
import { buildApp } from '../../server/app.ts';
import { defaultServerOptions } from '../../server/config.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const PYTHON = join(ROOT, '.venv', 'bin', 'python');
const root = mkdtempSync(join(tmpdir(), 'slipwatch-python-'));
after(() => rmSync(root, { recursive: true, force: true }));

async function serve(port: number): Promise<{ app: FastifyInstance; port: number }> {
  const app = await buildApp({ ...defaultServerOptions(), producerToken: 'py', archiveDir: join(root, 'archive'), modelsDir: join(root, 'none'), recordingsDir: join(root, 'none'), flushIntervalMs: 5 });
  const url = await app.listen({ host: '127.0.0.1', port });
  return { app, port: Number(new URL(url).port) };
}

test('the Python producer streams a CSV in real time, resumes across a server restart, and every sample is stored once', { timeout: 120_000 }, async () => {
  assert.ok(existsSync(PYTHON), `no ${PYTHON}: run bash scripts/test.sh, which creates the venv (producer/python/requirements.txt)`);
  // 6 s of two channels at 2 kHz: a counter and its negative, so any loss or duplicate shows
  const n = 12_000;
  const rows = Array.from({ length: n }, (_, i) => `${i},${(i % 30000) - 15000},${15000 - (i % 30000)}`);
  const csv = join(root, 'daq.csv');
  writeFileSync(csv, `t,ch0,ch1\n${rows.join('\n')}\n`);
  let server = await serve(0);
  const child = spawn(PYTHON, [join(ROOT, 'producer', 'python', 'slipwatch_producer.py'), csv, '--rate-hz', '2000', '--columns', '1,2', '--type', 'int16', '--unit', 'counts', '--speed', '2', '--url', `ws://127.0.0.1:${server.port}/ingest`, '--token', 'py', '--session', 'py-rig', '--experiment', 'python-daq'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  // let it stream about a second, then restart the server on the same port
  for (let i = 0; i < 100 && !/connected/.test(stderr); i++) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 1000));
  await server.app.close();
  await new Promise((r) => setTimeout(r, 500));
  server = await serve(server.port);
  const code = await exited;
  await server.app.close();
  assert.equal(code, 0, stderr);
  assert.match(stderr, /connection lost/, 'the restart was noticed');
  assert.match(stderr, /connected, server has frames 0\.\.\d+/);
  const { columns } = await readWholeStream(join(root, 'archive', 'py-rig', 'ae.arrows'));
  const ae0 = columns.ae0 as Int16Array;
  const ae1 = columns.ae1 as Int16Array;
  assert.equal(ae0.length, n, 'every sample once');
  for (let i = 0; i < n; i++) {
    if (ae0[i] !== (i % 30000) - 15000 || ae1[i] !== 15000 - (i % 30000)) assert.fail(`sample ${i}: ${ae0[i]}, ${ae1[i]}`);
  }
});

test('the Python producer declares an AE variance series (--ae-kind variance), and the archive says so', { timeout: 60_000 }, async () => {
  assert.ok(existsSync(PYTHON), `no ${PYTHON}: run bash scripts/test.sh`);
  // 20 s of a 10 Hz variance series, as a DAQ script that reduces AE itself would send
  const csv = join(root, 'variance.csv');
  writeFileSync(csv, `var\n${Array.from({ length: 200 }, (_, i) => (1 + (i % 7)).toFixed(1)).join('\n')}\n`);
  const server = await serve(0);
  const child = spawn(PYTHON, [join(ROOT, 'producer', 'python', 'slipwatch_producer.py'), csv, '--rate-hz', '10', '--ae-kind', 'variance', '--unit', 'V^2', '--speed', 'max', '--url', `ws://127.0.0.1:${server.port}/ingest`, '--token', 'py', '--session', 'py-variance'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  await server.app.close();
  assert.equal(code, 0, stderr);
  const meta = JSON.parse(readFileSync(join(root, 'archive', 'py-variance', 'recording.json'), 'utf8')) as { streams: { ae: { columns: { quantity: string }[] } } };
  assert.deepEqual(meta.streams.ae.columns.map((c) => c.quantity), ['acoustic-emission-variance']);
  const { columns } = await readWholeStream(join(root, 'archive', 'py-variance', 'ae.arrows'));
  assert.equal((columns.ae0 as Float32Array).length, 200, 'every sample once');
});
