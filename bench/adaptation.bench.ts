/**
 * Live adaptation's time (issue 13): p4677 (data/recordings, `npm run fixtures`) replayed through a
 * server with the shipped models and the default --adapt-after-cycles 6; the producer is paused
 * from the slip that completes the sixth cycle until both models have reported, so the time
 * measured is adaptation's alone: from that slip frame to each model's `adapted` frame (training
 * in its worker thread, the adapted model's ONNX worker starting, and its first window).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { replay } from '../producer/replay.ts';
import { buildApp } from '../server/app.ts';
import { defaultServerOptions } from '../server/config.ts';
import { decodeFrame } from '../shared/protocol/codec.ts';
import type { AdaptedFrame } from '../shared/protocol/frames.ts';

const ROOT = resolve(import.meta.dirname, '..');

export async function benchAdaptation(): Promise<string> {
  const tmp = mkdtempSync(join(tmpdir(), 'slipwatch-bench-adapt-'));
  const opts = { ...defaultServerOptions(), port: 0, archiveDir: tmp, modelsDir: join(ROOT, 'trained-models'), recordingsDir: join(ROOT, 'data', 'recordings') };
  const server = await buildApp(opts);
  const base = (await server.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');
  const slipsAt: number[] = [];
  const adapted: { frame: AdaptedFrame; at: number }[] = [];
  const ws = new WebSocket(`${base}/stream`);
  ws.on('message', (d: Buffer) => {
    const f = decodeFrame(new Uint8Array(d)) as { type: string };
    if (f.type === 'slip') slipsAt.push(performance.now());
    else if (f.type === 'adapted') adapted.push({ frame: f as AdaptedFrame, at: performance.now() });
  });
  await new Promise((r) => ws.once('open', r));
  const cycles = opts.adaptAfterCycles;
  try {
    await replay({ recordingDir: join(ROOT, 'data', 'recordings', 'p4677'), url: `${base}/ingest`, token: opts.producerToken, session: 'bench-adapt', speed: 'max', paused: () => slipsAt.length > cycles && adapted.length < 2 });
  } finally {
    ws.close();
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  }
  const rows = adapted.map(({ frame: f, at }) => `| ${f.target} | ${f.cycles} | ${((at - slipsAt[cycles]) / 1000).toFixed(1)} s | ${f.trainS?.toFixed(1) ?? '-'} s | ${f.before.r2.toFixed(3)} -> ${f.after.r2.toFixed(3)} | ${f.swapped ? `yes, from window ${f.fromStartIndex}` : `no: ${f.reason}`} |`);
  return [
    'p4677 replayed at full speed into a server with the shipped models (manifest statistics), paused from the slip completing the sixth cycle until both models reported; models adapt one after the other (friction, then TTF), so TTF\'s time includes friction\'s.',
    '',
    '| model | cycles | slip -> adapted frame | training (worker) | R^2 on the newest cycle, before -> after | swapped |',
    '|---|---:|---:|---:|---:|---|',
    ...rows,
  ].join('\n');
}
