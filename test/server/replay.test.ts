/**
 * The replay client streams a recording into a real server, and survives the server dropping its
 * connection mid-stream: the archive holds the recording's AE exactly once.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildApp } from '../../server/app.ts';
import { replay } from '../../server/replay/client.ts';
import { readWholeStream } from '../../shared/node/recording/arrow-stream.ts';

const MINI = join(import.meta.dirname, '..', '..', 'fixtures', 'data', 'p4677-mini');
const root = mkdtempSync(join(tmpdir(), 'slipwatch-replay-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('a replay that loses its connection twice resumes and archives every sample exactly once', async () => {
  const archive = join(root, 'archive');
  const app = await buildApp({ host: '127.0.0.1', port: 0, producerToken: 't', archiveDir: archive, modelsDir: join(root, 'none'), flushIntervalMs: 5, maxFrameBytes: 8 << 20, log: false });
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
