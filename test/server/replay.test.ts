/**
 * The replay client streams a recording into a real server, and survives the server dropping its
 * connection mid-stream: the archive holds the recording's AE exactly once.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildApp } from '../../server/app.ts';
import { defaultServerOptions } from '../../server/config.ts';
import { replay } from '../../producer/replay.ts';
import { readWholeStream } from '../../recording/arrow-stream.ts';

const MINI = join(import.meta.dirname, '..', '..', 'fixtures', 'data', 'p4677-mini');
const root = mkdtempSync(join(tmpdir(), 'slipwatch-replay-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('a replay that loses its connection twice resumes and archives every sample exactly once', async () => {
  const archive = join(root, 'archive');
  const app = await buildApp({ ...defaultServerOptions(), port: 0, producerToken: 't', archiveDir: archive, modelsDir: join(root, 'none'), recordingsDir: join(root, 'no-recordings'), flushIntervalMs: 5, maxFrameBytes: 8 << 20 });
  const base = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');
  let drops = 0;
  const done = replay({
    recordingDir: MINI,
    url: `${base}/ingest`,
    token: 't',
    session: 'replay1',
    speed: 'max',
    preset: '2s',
    window: 8,
    onProgress: (sentS) => {
      // cut every connection twice, at 10 s and 25 s of recording time
      if ((drops === 0 && sentS >= 10) || (drops === 1 && sentS >= 25)) {
        drops++;
        for (const c of app.websocketServer.clients) c.terminate();
      }
    },
  });
  const result = await done;
  assert.equal(drops, 2);
  assert.equal(result.frames, 400, '40 s in 0.1 s frames');
  await new Promise((r) => setTimeout(r, 100));
  const stored = (await readWholeStream(join(archive, 'replay1', 'ae.arrows'))).columns;
  const original = (await readWholeStream(join(MINI, 'ae.arrows'))).columns;
  assert.deepEqual(stored.ae0_counts, original.ae0_counts);
  assert.deepEqual(stored.ae1_counts, original.ae1_counts);
  await app.close();
});

test('REST replay control: list recordings, start, pause, resume, stop; bad requests get 400', async () => {
  const recordings = join(import.meta.dirname, '..', '..', 'fixtures', 'data');
  const app = await buildApp({ ...defaultServerOptions(), port: 0, producerToken: 't', archiveDir: join(root, 'archive-rest'), modelsDir: join(root, 'none'), recordingsDir: recordings, flushIntervalMs: 5, maxFrameBytes: 8 << 20, keepReplayArchives: true });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const listed = (await app.inject('/recordings')).json() as { recordings: { id: string; durationS: number; levels: { normalStressMPa: number }[] }[] };
  assert.deepEqual(listed.recordings.map((r) => r.id), ['p4677-mini', 'sim-mini']);
  assert.equal(listed.recordings[0].durationS, 40, 'its length, from the normal-stress schedule');
  assert.equal(listed.recordings[0].levels[0].normalStressMPa, 2.5);
  assert.equal((await app.inject({ method: 'POST', url: '/replay', payload: { recording: 'nope' } })).statusCode, 400);
  assert.equal((await app.inject({ method: 'POST', url: '/replay', payload: { recording: 'p4677-mini', speed: -1 } })).statusCode, 400);
  const started = (await app.inject({ method: 'POST', url: '/replay', payload: { recording: 'p4677-mini', speed: 20, fromS: 10 } })).json();
  assert.equal(started.state, 'running');
  await new Promise((r) => setTimeout(r, 300));
  const paused = (await app.inject({ method: 'POST', url: `/replay/${started.id}/pause` })).json();
  assert.equal(paused.state, 'paused');
  const at = paused.sentS;
  assert.ok(at >= 10, `a replay from 10 s is at ${at} s`);
  await new Promise((r) => setTimeout(r, 300));
  const still = (await app.inject('/replay')).json().replays[0];
  assert.ok(still.sentS - at < 0.25, `paused: moved from ${at} to ${still.sentS}`);
  assert.equal((await app.inject({ method: 'POST', url: `/replay/${started.id}/resume` })).json().state, 'running');
  assert.equal((await app.inject({ method: 'POST', url: `/replay/${started.id}/stop` })).json().state, 'stopped');
  assert.equal((await app.inject({ method: 'POST', url: `/replay/${started.id}/jump` })).statusCode, 400);
  const noModel = await app.inject({ method: 'POST', url: '/replay', payload: { recording: 'p4677-mini', models: ['no-such-model'] } });
  assert.equal(noModel.statusCode, 400);
  assert.match(noModel.json().error, /no model named no-such-model/);
  // the replayed session is archived, and the archive is replayable in turn
  const ids = ((await app.inject('/recordings')).json() as { recordings: { id: string }[] }).recordings.map((r) => r.id);
  assert.ok(ids.includes(`archive/${started.id}`), `archived sessions are listed: ${ids.join(', ')}`);
  const again = (await app.inject({ method: 'POST', url: '/replay', payload: { recording: `archive/${started.id}`, speed: 'max' } })).json();
  for (let i = 0; i < 50 && (await app.inject('/replay')).json().replays.find((r: { id: string }) => r.id === again.id).state === 'running'; i++) await new Promise((r) => setTimeout(r, 100));
  const replayed = (await app.inject('/replay')).json().replays.find((r: { id: string }) => r.id === again.id);
  assert.equal(replayed.state, 'done', replayed.error);
  await app.close();
  // the seeked replay's session starts at sample 0 with the recording's data from 10 s
  const stored = (await readWholeStream(join(root, 'archive-rest', started.id, 'ae.arrows'))).columns;
  const original = (await readWholeStream(join(recordings, 'p4677-mini', 'ae.arrows'))).columns;
  assert.ok(stored.ae0_counts.length > 0);
  assert.deepEqual(stored.ae0_counts, original.ae0_counts.subarray(100_000, 100_000 + stored.ae0_counts.length));
});

test('by default a server-run replay is not archived, and the archive keeps to its size limit', async () => {
  const recordings = join(import.meta.dirname, '..', '..', 'fixtures', 'data');
  const archive = join(root, 'archive-default');
  // an old session (a 2 MB file) the size limit removes when the server starts
  mkdirSync(join(archive, 'old-session'), { recursive: true });
  writeFileSync(join(archive, 'old-session', 'ae.arrows'), Buffer.alloc(2 << 20));
  const app = await buildApp({ ...defaultServerOptions(), port: 0, producerToken: 't', archiveDir: archive, modelsDir: join(root, 'none'), recordingsDir: recordings, flushIntervalMs: 5, archiveMaxMB: 1 });
  await app.listen({ host: '127.0.0.1', port: 0 });
  assert.ok(!existsSync(join(archive, 'old-session')), 'over the size limit: the oldest session went');
  const started = (await app.inject({ method: 'POST', url: '/replay', payload: { recording: 'p4677-mini', speed: 'max', fromS: 35 } })).json();
  for (let i = 0; i < 100 && (await app.inject('/replay')).json().replays[0].state === 'running'; i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal((await app.inject('/replay')).json().replays[0].state, 'done');
  for (let i = 0; i < 50 && existsSync(join(archive, started.id)); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(!existsSync(join(archive, started.id)), 'the replay left no archive');
  await app.close();
});

test('a recording a replay cannot stream (sim: no AE waveform) is listed with the reason and refused up front', async () => {
  const recordings = join(import.meta.dirname, '..', '..', 'fixtures', 'data');
  const app = await buildApp({ ...defaultServerOptions(), port: 0, producerToken: 't', archiveDir: join(root, 'archive-sim'), modelsDir: join(root, 'none'), recordingsDir: recordings });
  const sim = (await app.inject('/recordings')).json().recordings.find((r: { id: string }) => r.id === 'sim-mini');
  assert.match(sim.unavailable, /no AE waveform/);
  const r = await app.inject({ method: 'POST', url: '/replay', payload: { recording: 'sim-mini' } });
  assert.equal(r.statusCode, 400);
  assert.match(r.json().error, /sim-mini cannot be replayed: .*no AE waveform/);
  await app.close();
});
