/**
 * npm run bench -- flood: one session replaying p4677 as fast as acks
 * allow beside one at 1x, with the shipped models: server memory (RSS, sampled) and the 1x
 * session's ack latency (frame sent -> its ack), alone and beside the flood.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { buildApp } from '../server/app.ts';
import { defaultServerOptions } from '../server/config.ts';
import { replay } from '../producer/replay.ts';
import { decodeFrame, encodeFrame } from '../shared/protocol/codec.ts';
import { PROTOCOL_VERSION } from '../shared/protocol/frames.ts';

/** A 1x producer of 0.1 s frames (10 kHz x 2 int16); ack latency of each frame, ms. */
async function paced(url: string, session: string, seconds: number): Promise<number[]> {
  const ws = new WebSocket(url, { headers: { authorization: 'Bearer t' } });
  await new Promise((r) => ws.once('open', r));
  const sentAt = new Map<number, number>();
  const lat: number[] = [];
  ws.on('message', (d: Buffer) => {
    const f = decodeFrame(new Uint8Array(d)) as { type: string; seq: number };
    if (f.type !== 'ack') return;
    for (const [s, t] of sentAt) if (s <= f.seq) (lat.push(performance.now() - t), sentAt.delete(s));
  });
  ws.send(encodeFrame({ type: 'start', protocol: PROTOCOL_VERSION, session, experimentId: 'bench', aeRateHz: 10_000, aeType: 'int16', aeChannels: [{ name: 'ae0', unit: 'counts', scale: 1 }, { name: 'ae1', unit: 'counts', scale: 1 }], preset: '2s' }));
  await new Promise((r) => setTimeout(r, 200));
  const t0 = performance.now();
  for (let k = 0; k < seconds * 10; k++) {
    const ae = [new Int16Array(1000), new Int16Array(1000)];
    for (const a of ae) for (let i = 0; i < 1000; i++) a[i] = ((i * 7919 + k * 31) % 2001) - 1000;
    sentAt.set(k, performance.now());
    ws.send(encodeFrame({ type: 'data', session, seq: k, aeStartIndex: k * 1000, ae }));
    const wait = t0 + (k + 1) * 100 - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  }
  await new Promise((r) => setTimeout(r, 300));
  ws.close();
  return lat.sort((a, b) => a - b);
}

const pct = (a: number[], p: number) => a[Math.min(a.length - 1, Math.floor(p * a.length))] ?? NaN;

/** npm run bench -- flood (FLOOD_S seconds, 20 by default). */
export async function benchFlood(seconds = Number(process.env.FLOOD_S ?? 20)): Promise<string> {
  const root = mkdtempSync(join(tmpdir(), 'slipwatch-bench-flood-'));
  const app = await buildApp({ ...defaultServerOptions(), port: 0, producerToken: 't', archiveDir: join(root, 'a'), modelsDir: resolve('trained-models'), recordingsDir: resolve('data/recordings'), flushIntervalMs: 20 });
  const base = (await app.listen({ host: '127.0.0.1', port: 0 })).replace('http', 'ws');
  const alone = await paced(`${base}/ingest`, 'alone', Math.min(10, seconds));
  let maxRss = 0;
  const sampler = setInterval(() => (maxRss = Math.max(maxRss, process.memoryUsage().rss)), 100);
  const rss0 = process.memoryUsage().rss;
  const stop = new AbortController();
  let floodS = 0;
  const flood = replay({ recordingDir: resolve('data/recordings/p4677'), url: `${base}/ingest`, token: 't', session: 'flood', speed: 'max', preset: '2s', signal: stop.signal, onProgress: (s) => (floodS = s) }).catch(() => undefined);
  const beside = await paced(`${base}/ingest`, 'beside', seconds);
  stop.abort();
  await flood;
  clearInterval(sampler);
  const status = (await app.inject('/status')).json() as { ingest: { holds: number }; stages: Record<string, { infer: Record<string, { maxQueued: number }> }> };
  await app.close();
  rmSync(root, { recursive: true, force: true });
  const mb = (x: number) => `${(x / 2 ** 20).toFixed(0)} MB`;
  const row = (name: string, l: number[]) => `| ${name} | ${pct(l, 0.5).toFixed(1)} ms | ${pct(l, 0.95).toFixed(1)} ms | ${pct(l, 0.99).toFixed(1)} ms | ${l[l.length - 1]?.toFixed(1)} ms |`;
  const maxQ = Math.max(...Object.values(status.stages.flood?.infer ?? {}).map((s) => s.maxQueued));
  return (
    [
      `Flood (p4677 as fast as acks allow) beside a 1x session, ${seconds} s, shipped models:`,
      '',
      `- flood: ${(floodS / seconds).toFixed(1)}x real time; held back ${status.ingest.holds} times; at most ${maxQ} windows waiting for inference`,
      `- server RSS: ${mb(rss0)} before the flood, at most ${mb(maxRss)} during it`,
      '',
      '| 1x session ack latency | p50 | p95 | p99 | max |',
      '|---|---:|---:|---:|---:|',
      row('alone', alone),
      row('beside the flood', beside),
    ].join('\n')
  );
}
