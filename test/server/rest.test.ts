/**
 * REST as a careless or hostile client meets it: every refusal says what was wrong and what is
 * allowed, nothing is coerced, what a replay would fail on later is refused up front, a trickled
 * request is cut off, and /metrics speaks Prometheus through prom-client.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.ts';
import { defaultServerOptions } from '../../server/config.ts';

const root = mkdtempSync(join(tmpdir(), 'slipwatch-rest-'));
const recordings = join(import.meta.dirname, '..', '..', 'fixtures', 'data');
let app: FastifyInstance;
let port = 0;
before(async () => {
  app = await buildApp({ ...defaultServerOptions(), port: 0, producerToken: 't', archiveDir: join(root, 'archive'), modelsDir: join(root, 'none'), recordingsDir: recordings, requestTimeoutMs: 400 });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  port = Number(new URL(url).port);
});
after(async () => {
  await app.close();
  rmSync(root, { recursive: true, force: true });
});

const post = async (payload: unknown, url = '/replay') => {
  const r = await app.inject({ method: 'POST', url, payload: payload as object });
  return { status: r.statusCode, error: (r.json() as { error?: string }).error ?? '' };
};

test('a refused replay request names the field, the rule and the value', async () => {
  const cases: [unknown, RegExp][] = [
    [{}, /body needs the field "recording"/],
    [{ recording: ['p4677-mini'] }, /body\.recording must be string, got \["p4677-mini"\]/],
    [{ recording: 'p4677-mini', speed: true }, /body\.speed must .*number.*"max".*got true/],
    [{ recording: 'p4677-mini', speed: '10' }, /body\.speed must .*got "10"/],
    [{ recording: 'p4677-mini', speed: -1 }, /body\.speed must .*got -1/],
    [{ recording: 'p4677-mini', fromS: -20 }, /body\.fromS must be >= 0, got -20/],
    [{ recording: 'p4677-mini', colour: 'red' }, /body has an unknown field "colour"/],
    [{ recording: 'nope' }, /unknown recording "nope"; available: p4677-mini, sim-mini/],
    [{ recording: 'p4677-mini', fromS: 400 }, /fromS 400 is past the end of p4677-mini \(40 s\)/],
  ];
  for (const [body, re] of cases) {
    const r = await post(body);
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.match(r.error, re, JSON.stringify(body));
  }
  const action = await post({}, '/replay/whatever/jump');
  assert.equal(action.status, 400);
  assert.match(action.error, /params\.action must be one of "pause", "resume", "stop", got "jump"/);
  const missing = await post({}, '/replay/whatever/stop');
  assert.equal(missing.status, 404);
  assert.match(missing.error, /no replay "whatever"/);
});

test('a request that trickles in is cut off after the request timeout', async () => {
  const socket = connect(port, '127.0.0.1');
  socket.write('POST /replay HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"rec');
  const t0 = Date.now();
  const closed = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 5000);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.on('error', () => {});
    socket.resume();
  });
  assert.ok(closed, 'the server closed the connection');
  assert.ok(Date.now() - t0 < 4000, `closed after ${Date.now() - t0} ms`);
});

test('/metrics: process and event-loop metrics, ingest and stage counters, the latency histogram', async () => {
  const r = await app.inject('/metrics');
  assert.equal(r.statusCode, 200);
  assert.match(r.headers['content-type'] as string, /text\/plain/);
  const types = new Map([...r.body.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
  const expected = {
    slipwatch_process_cpu_seconds_total: 'counter',
    slipwatch_nodejs_eventloop_lag_p99_seconds: 'gauge',
    slipwatch_ingest_frames_total: 'counter',
    slipwatch_ingest_rejected_total: 'counter',
    slipwatch_sessions: 'gauge',
    slipwatch_stage_windows_total: 'counter',
    slipwatch_stage_queued_windows: 'gauge',
    slipwatch_prediction_latency_seconds: 'histogram',
    slipwatch_alerts_total: 'counter',
    slipwatch_predicted_samples_total: 'counter',
  };
  for (const [name, type] of Object.entries(expected)) assert.equal(types.get(name), type, name);
  
});
