/**
 * The main job (npm start): the server with the shipped models and the dashboard, replaying the
 * bundled p4677 experiment (a server-run replay, so the dashboard controls it), with the latest
 * predictions on the console too. Keeps serving after the replay (Ctrl-C to stop).
 */
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { buildApp } from '../server/app.ts';
import { parseServerOptions } from '../server/config.ts';
import { decodeFrame } from '../shared/protocol/codec.ts';

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

Starts slipwatch with the models in models/ and its dashboard (http://127.0.0.1:PORT/), replays
data/recordings/ID (default p4677) into it at X times real time (default 10) and prints the live
predictions. --once exits after the replay.`);
  process.exit(0);
}
const opts = parseServerOptions(['--port', values.port!]);
if (opts === 'help') process.exit(0);
const app = await buildApp(opts);
const address = await app.listen({ host: opts.host, port: opts.port });
const status = (await app.inject('/status')).json() as { backend: string; models: { name: string; target: string; preset: string }[] };
console.log(`models: ${status.models.map((m) => `${m.name} (${m.target}, ${m.preset})`).join(', ') || 'none (train them: bash scripts/train-all.sh)'}; inference: ${status.backend}`);
console.log(`\n  dashboard: ${address}/\n`);

// the latest predicted friction and time to failure on the console too, once a second
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

// the replay runs in the server (POST /replay), so the dashboard can pause, seek or stop it
const speed = values.speed === 'max' ? 'max' : Number(values.speed);
const started = await app.inject({ method: 'POST', url: '/replay', payload: { recording: values.recording, speed } });
if (started.statusCode !== 200) {
  console.error(`demo: ${started.json<{ error: string }>().error}`);
  process.exit(1);
}
const id = started.json<{ id: string }>().id;
console.log(`replaying ${values.recording} at ${speed === 'max' ? 'full speed' : `${speed}x`} (${id})`);
for (;;) {
  await new Promise((r) => setTimeout(r, 1000));
  const r = (await app.inject('/replay')).json<{ replays: { id: string; state: string; error?: string }[] }>().replays.find((x) => x.id === id);
  if (r && r.state !== 'running' && r.state !== 'paused') {
    console.log(`replay of ${values.recording}: ${r.state}${r.error ? ` (${r.error})` : ''}`);
    break;
  }
}
if (values.once) {
  clearInterval(ticker);
  dash.close();
  await app.close();
} else {
  clearInterval(ticker);
  console.log(`still serving: open ${address}/ to start other replays (Ctrl-C to stop)`);
}
