/**
 * REST as a careless or hostile client meets it: every refusal says what was wrong and what is
 * allowed, nothing is coerced, what a replay would fail on later is refused up front, a trickled
 * request is cut off, /metrics speaks Prometheus through prom-client, and /status and /alerts
 * round every number to at most 4 decimals.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/app.ts';
import { defaultServerOptions } from '../../server/config.ts';
import { replay } from '../../producer/replay.ts';
import { openRecording, readRecordingStream } from '../../recording/recording.ts';

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

/** Every number in a JSON body, with its path. */
function numbersIn(v: unknown, path = ''): [string, number][] {
  if (typeof v === 'number') return [[path, v]];
  if (Array.isArray(v)) return v.flatMap((x, i) => numbersIn(x, `${path}[${i}]`));
  if (v && typeof v === 'object') return Object.entries(v).flatMap(([k, x]) => numbersIn(x, `${path}.${k}`));
  return [];
}

test('/status and /alerts give every number to at most 4 decimals; the archive keeps the alerts as an event stream in experiment time', async () => {
  // the shipped 2 s pair and the forecaster, served by a server of their own; a producer session from 5 s
  const models = join(root, 'models-2s');
  mkdirSync(models);
  for (const m of ['friction', 'ttf', 'alerting']) symlinkSync(join(import.meta.dirname, '..', '..', 'trained-models', m), join(models, m));
  const archive = join(root, 'archive-alerts');
  const served = await buildApp({ ...defaultServerOptions(), port: 0, producerToken: 't', archiveDir: archive, modelsDir: models, recordingsDir: recordings, flushIntervalMs: 5 });
  after(() => served.close());
  const base = (await served.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');
  await replay({ recordingDir: join(recordings, 'p4677-mini'), url: `${base}/ingest`, token: 't', session: 'rounding', speed: 'max', fromS: 5 });
  const get = async (url: string) => (await served.inject({ method: 'GET', url })).json() as Record<string, unknown>;
  // the session's last windows are inferred after the producer's last ack
  let alerts: Record<string, { id: number; onS: number; offS?: number }[]> = {};
  for (let k = 0; k < 300 && !(alerts.rounding?.length >= 2); k++) {
    alerts = (await get('/alerts')) as typeof alerts;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(alerts.rounding?.length >= 2, `alerts issued: ${JSON.stringify(alerts)}`);
  const status = await get('/status');
  const numbers = [...numbersIn(status, 'status'), ...numbersIn(alerts, 'alerts')];
  const fractional = numbers.filter(([, v]) => !Number.isInteger(v));
  // latencies, backlogs and alert times have fractions: the check below has something to check
  assert.ok(fractional.length >= 10, `${fractional.length} fractional numbers`);
  for (const [path, v] of fractional) assert.equal(Math.round(v * 1e4) / 1e4, v, `${path} = ${v} has more than 4 decimals`);
  // the archive: alerts are events (no rate), each row at its alert's time in experiment time
  const rec = await openRecording(join(archive, 'rounding'));
  assert.equal(rec.events.alerts.spec.timeColumn, 'time_s');
  assert.ok(!('alerts' in rec.meta.streams) && !('sampleRateHz' in rec.events.alerts.spec), 'alerts declared as events, at no rate');
  const rows: string[] = [];
  for await (const b of readRecordingStream(rec, 'alerts')) b.columns.alert_id.forEach((id, i) => rows.push(`${id} ${b.columns.is_on[i] ? 'on' : 'off'} ${(b.columns.time_s[i] - 5).toFixed(3)}`));
  const expected = alerts.rounding.flatMap((a) => [`${a.id} on ${a.onS.toFixed(3)}`, ...(a.offS === undefined ? [] : [`${a.id} off ${a.offS.toFixed(3)}`])]);
  assert.deepEqual(rows, expected, 'one row per alert turning on or off, 5 s on in experiment time');
});
