/**
 * The nowcast is causal and prompt: over real sockets, a producer sends 0.1 s frames one at a
 * time; after each frame the dashboard has the nowcast of every window that frame completed
 * (before the next frame is sent), and never a sample whose AE has not arrived yet. The latency
 * (frame sent -> nowcast received) is printed here and measured in BENCHMARKS.md, not asserted.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import WebSocket from 'ws';
import { Conditioner } from '../../shared/signal/condition.ts';
import { openRecording, readRecordingStream } from '../../recording/recording.ts';
import { buildApp } from '../../server/app.ts';
import { defaultServerOptions } from '../../server/config.ts';
import { decodeFrame } from '../../shared/protocol/codec.ts';
import type { NowcastFrame } from '../../shared/protocol/frames.ts';
import { windowGeometry } from '../../shared/signal/window-preset.ts';
import { startFrame } from '../helpers/frames.ts';
import { testModel } from './helpers/model.ts';
import { TestProducer } from './helpers/producer.ts';

const MINI = join(import.meta.dirname, '..', '..', 'fixtures', 'data', 'p4677-mini');
const root = mkdtempSync(join(tmpdir(), 'slipwatch-nowcast-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('the nowcast of each window leaves before the next frame is needed, and never runs ahead of the data', { timeout: 120_000 }, async () => {
  const model = await testModel();
  const app = await buildApp({ ...defaultServerOptions(), port: 0, producerToken: 't', archiveDir: join(root, 'a'), modelsDir: join(root, 'none'), recordingsDir: join(root, 'none'), flushIntervalMs: 5 }, { models: [model], alerting: null });
  const base = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');
  const dash = new WebSocket(`${base}/stream`);
  const nowcasts: { f: NowcastFrame; at: number }[] = [];
  dash.on('message', (d: Buffer) => {
    const f = decodeFrame(new Uint8Array(d)) as NowcastFrame;
    if (f.type === 'nowcast') nowcasts.push({ f, at: performance.now() });
  });
  await new Promise((r) => dash.once('open', r));
  const rec = await openRecording(MINI);
  const channels = rec.meta.streams.ae.columns.map((c) => ({ name: c.name, unit: c.unit, scale: c.scale ?? 1 }));
  const p = await TestProducer.connect(`${base}/ingest`, 't');
  p.send(startFrame('now1', { aeChannels: channels, mech: undefined }));
  await p.waitFor((f) => f.type === 'ack');

  const { windowSamples, stepSamples } = windowGeometry(model.manifest.preset);
  const D = 10_000 / model.manifest.preset.sampleRateHz;
  // the signal core says which model-rate samples exist after each frame (the server must agree)
  const conditioner = new Conditioner({ inputRateHz: 10_000, outputRateHz: 10_000 / D, mode: model.manifest.input.conditioning, channels: channels.length, channelScales: channels.map((c) => c.scale) });
  let first = -1;
  let available = 0;
  const covered = () => Math.max(0, ...nowcasts.map((n) => n.f.startIndex + n.f.values.length));
  const latencies: number[] = [];
  let seq = 0;
  const frames: { start: number; ae: ArrayLike<number>[] }[] = [];
  for await (const b of readRecordingStream(rec, 'ae')) {
    const cols = Object.values(b.columns) as Int16Array[];
    for (let o = 0; o < cols[0].length; o += 1000) frames.push({ start: b.rowOffset + o, ae: cols.map((c) => c.slice(o, o + 1000)) });
  }
  for (const fr of frames.filter((x) => x.start < 8 * 10_000)) {
    const sentAt = performance.now();
    p.send({ type: 'data', session: 'now1', seq: seq++, aeStartIndex: fr.start, ae: fr.ae });
    for (const c of conditioner.push(fr.start, fr.ae)) {
      if (c.kind === 'gap') continue;
      if (first < 0) first = c.startIndex;
      available = c.startIndex + c.values.length;
    }
    // windows sit on the step grid from the first full one; the nowcast must cover every window this frame completed
    const start0 = Math.ceil(Math.max(first, 0) / stepSamples) * stepSamples;
    const due = first >= 0 && available - start0 >= windowSamples ? start0 + Math.floor((available - start0 - windowSamples) / stepSamples) * stepSamples + windowSamples : 0;
    const before = covered();
    for (let i = 0; i < 500 && covered() < due; i++) await new Promise((r) => setTimeout(r, 10));
    assert.ok(covered() >= due, `after frame ${seq - 1} the nowcast covers ${covered()} samples, ${due} are due`);
    assert.ok(covered() <= available, `the nowcast covers ${covered()} samples but only ${available} have arrived`);
    if (covered() > before) latencies.push(nowcasts[nowcasts.length - 1].at - sentAt);
  }
  assert.ok(latencies.length >= 25, `${latencies.length} frames completed a window in 8 s`);
  latencies.sort((a, b) => a - b);
  console.log(`frame -> nowcast: p50 ${latencies[latencies.length >> 1].toFixed(1)} ms, max ${latencies[latencies.length - 1].toFixed(1)} ms (${latencies.length} windows)`);
  p.close();
  dash.close();
  await app.close();
});
