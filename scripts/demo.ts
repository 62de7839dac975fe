/**
 * The main job (npm start): the server with the shipped models, fed by a replay of the bundled
 * p4677 experiment, printing what a dashboard would show. Keeps serving after the replay
 * (Ctrl-C to stop) so dashboards and producers can connect.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { buildApp } from '../server/app.ts';
import { parseServerOptions } from '../server/config.ts';
import { replay } from '../server/replay/client.ts';
import { initBackend } from '../shared/node/model/backend.ts';
import { decodeFrame } from '../shared/protocol.ts';

const { values } = parseArgs({
  options: {
    recording: { type: 'string', default: 'p4677' },
    speed: { type: 'string', default: '10' },
    port: { type: 'string', default: '8080' },
    once: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log(`npm start [-- --recording ID] [--speed X] [--port N] [--once]

Starts slipwatch with the models in models/, replays data/recordings/ID (default p4677) into it
at X times real time (default 10) and prints the live predictions. --once exits after the replay.`);
  process.exit(0);
}
const backend = await initBackend();
console.log(backend.summary);
const opts = parseServerOptions(['--port', values.port!]);
if (opts === 'help') process.exit(0);
const app = await buildApp(opts);
const address = await app.listen({ host: opts.host, port: opts.port });
const status = (await app.inject('/status')).json() as { models: { name: string; target: string; preset: string }[] };
console.log(`slipwatch listening on ${address}; models: ${status.models.map((m) => `${m.name} (${m.target}, ${m.preset})`).join(', ') || 'none (train them: bash scripts/train-all.sh)'}`);

// a console "dashboard": the latest predicted friction and time to failure, once a second
const latest: Record<string, { t: number; mean: number; std: number }> = {};
const dash = new WebSocket(`${address.replace('http', 'ws')}/stream`);
dash.on('message', (d: Buffer) => {
  const f = decodeFrame(new Uint8Array(d)) as { type: string; target?: string; startIndex: number; rateHz: number; mean: Float32Array; std: Float32Array };
  if (f.type !== 'prediction' || !f.target) return;
  const k = f.mean.length - 1;
  latest[f.target] = { t: (f.startIndex + k) / f.rateHz, mean: f.mean[k], std: f.std[k] };
});
const ticker = setInterval(() => {
  const parts = Object.entries(latest).map(([target, p]) => `${target} ${p.mean.toFixed(target === 'friction' ? 4 : 2)} +- ${p.std.toFixed(target === 'friction' ? 4 : 2)} at t = ${p.t.toFixed(1)} s`);
  if (parts.length) console.log(parts.join('   '));
}, 1000);

const speed = values.speed === 'max' ? 'max' : Number(values.speed);
const recordingDir = resolve(join('data', 'recordings', values.recording!));
const r = await replay({ recordingDir, url: `${address.replace('http', 'ws')}/ingest`, token: opts.producerToken, session: `${values.recording}-demo-${Date.now()}`, speed, preset: '2s' });
console.log(`replayed ${values.recording}: ${r.frames} frames in ${r.seconds.toFixed(1)} s`);
if (values.once) {
  clearInterval(ticker);
  dash.close();
  await app.close();
} else {
  console.log('still serving (Ctrl-C to stop)');
}
