/** /status and /alerts keep the running sessions and only the last few ended ones (memory stays bounded). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildApp } from '../../server/app.ts';
import { defaultServerOptions } from '../../server/config.ts';
import { dataFrame, startFrame, TestProducer } from './helpers/producer.ts';
import { testModel } from './helpers/model.ts';

const root = mkdtempSync(join(tmpdir(), 'slipwatch-retention-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('ended sessions beyond --keep-ended-sessions are forgotten by /status, the running one is kept', async () => {
  const app = await buildApp({ ...defaultServerOptions(), port: 0, producerToken: 't', archiveDir: join(root, 'a'), modelsDir: join(root, 'none'), recordingsDir: join(root, 'none'), flushIntervalMs: 5, keepEndedSessions: 2 }, { models: [await testModel()], alerting: null });
  const url = `${(await app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws')}/ingest`;
  const listed = async () => Object.keys(((await app.inject('/status')).json() as { stages: Record<string, unknown> }).stages).sort();
  for (const id of ['s1', 's2', 's3', 's4']) {
    const p = await TestProducer.connect(url, 't');
    p.send(startFrame(id));
    for (let k = 0; k < 3; k++) p.send(dataFrame(id, k));
    await p.waitForAck(2);
    p.send({ type: 'end', session: id, seq: 3 });
    for (let i = 0; i < 100 && !(await listed()).includes(id); i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    p.close();
  }
  const running = await TestProducer.connect(url, 't');
  running.send(startFrame('live'));
  running.send(dataFrame('live', 0));
  await running.waitForAck(0);
  for (let i = 0; i < 100 && (await listed()).length !== 3; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(await listed(), ['live', 's3', 's4']);
  assert.deepEqual(Object.keys((await app.inject('/alerts')).json()).sort(), ['live', 's3', 's4']);
  running.close();
  await app.close();
});
