/**
 * A replay's archive is in experiment time: a replay from 10 s records startTimeS 10 on its
 * streams and the recording's normal-stress schedule, every AE and friction sample sent is archived
 * (the friction sample at the AE's end time included: p4677-mini has 40,000, the last at 40.000 s),
 * and the frames index is an event stream (one row per data frame, no sample rate).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildApp } from '../../server/app.ts';
import { defaultServerOptions } from '../../server/config.ts';
import { replay } from '../../producer/replay.ts';
import { readWholeStream } from '../../recording/arrow-stream.ts';
import type { RecordingMeta } from '../../shared/recording-meta.ts';

const MINI = join(import.meta.dirname, '..', '..', 'fixtures', 'data', 'p4677-mini');
const root = mkdtempSync(join(tmpdir(), 'slipwatch-archive-time-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('a replay from 10 s is archived in experiment time with its schedule and every friction sample', async () => {
  const archive = join(root, 'archive');
  const app = await buildApp({ ...defaultServerOptions(), port: 0, producerToken: 't', archiveDir: archive, modelsDir: join(root, 'none'), recordingsDir: join(root, 'none'), flushIntervalMs: 5 });
  const base = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');
  const source = JSON.parse(readFileSync(join(MINI, 'recording.json'), 'utf8')) as RecordingMeta;
  const sourceMu = (await readWholeStream(join(MINI, 'mech.arrows'))).columns.mu as Float32Array;
  const sourceAe = (await readWholeStream(join(MINI, 'ae.arrows'))).columns;
  after(() => app.close());
  for (const [session, fromS] of [['from0', 0], ['from10', 10]] as const) {
    await replay({ recordingDir: MINI, url: `${base}/ingest`, token: 't', session, speed: 'max', fromS });
    await new Promise((r) => setTimeout(r, 100));
    const meta = JSON.parse(readFileSync(join(archive, session, 'recording.json'), 'utf8')) as RecordingMeta;
    assert.equal(meta.streams.ae.startTimeS, fromS, 'AE sample 0 is at the replay start');
    assert.equal(meta.streams.mech.startTimeS, fromS);
    assert.deepEqual(meta.normalStressSchedule, source.normalStressSchedule);
    const mu = (await readWholeStream(join(archive, session, 'mech.arrows'))).columns.mu as Float32Array;
    // friction samples at or after the replay start (the source's mech clock starts at 1 ms)
    const first = Math.max(0, Math.ceil((fromS - source.streams.mech.startTimeS) * 1000 - 1e-9));
    assert.equal(mu.length, sourceMu.length - first, `${session}: every friction sample archived`);
    assert.equal(mu[mu.length - 1], sourceMu[sourceMu.length - 1], 'the last one included');
    const ae = (await readWholeStream(join(archive, session, 'ae.arrows'))).columns;
    const firstAe = Math.round((fromS - source.streams.ae.startTimeS) * source.streams.ae.sampleRateHz);
    for (const c of Object.keys(sourceAe)) assert.deepEqual(ae[c], sourceAe[c].subarray(firstAe), `${session}: every ${c} sample archived, unchanged`);
    // the frames index: events at no rate, one row per data frame, ending where the samples end
    assert.ok(!('frames' in meta.streams) && meta.events?.frames, 'frames is declared as an event stream');
    assert.ok(!('sampleRateHz' in meta.events.frames), 'with no sample rate');
    const frames = (await readWholeStream(join(archive, session, 'frames.arrows'))).columns;
    assert.equal(frames.ae_end_index[frames.ae_end_index.length - 1], ae[Object.keys(ae)[0]].length);
    assert.equal(frames.mech_end_index[frames.mech_end_index.length - 1], mu.length);
  }
});
