/**
 * The main job (npm start): the server with the shipped models and the dashboard, replaying the
 * bundled p4677 experiment (a server-run replay, so the dashboard controls it), with the latest
 * predictions on the console too. Keeps serving after the replay (Ctrl-C to stop).
 */
import type { FastifyInstance } from 'fastify';
import WebSocket from 'ws';
import { buildApp } from '../server/app.ts';
import { defaultServerOptions } from '../server/config.ts';
import { decodeFrame } from '../shared/protocol/codec.ts';
import type { PredictionFrame } from '../shared/protocol/frames.ts';
import type { ReplaysBody, ReplayState, StatusBody } from '../shared/rest/contracts.ts';
import { CliError, numberOption, parseCli, runCli } from './args.ts';

const CLI = {
  command: 'npm start',
  summary: `Start slipwatch with the models in trained-models/ and its dashboard (http://127.0.0.1:PORT/),
replay data/recordings/ID into it at X times real time and print the live predictions.`,
  options: {
    recording: { type: 'string', default: 'p4677', value: 'ID', doc: 'recording to replay (data/recordings/ID)' },
    speed: { type: 'string', default: '10', value: 'X', doc: 'real-time factor, or max' },
    port: { type: 'string', default: '8080', value: 'N', doc: 'port of the server and dashboard' },
    once: { type: 'boolean', doc: 'exit after the replay' },
  },
} as const;

/** The latest predicted friction and time to failure on the console, once a second. */
function consoleReadout(address: string): () => void {
  const latest: Record<string, { t: number; mean: number; std: number }> = {};
  const dash = new WebSocket(`${address.replace('http', 'ws')}/stream`);
  dash.on('message', (d: Buffer) => {
    const f = decodeFrame(new Uint8Array(d)) as PredictionFrame;
    if (f.type !== 'prediction') return;
    const k = f.mean.length - 1;
    latest[f.target] = { t: (f.startIndex + k) / f.rateHz, mean: f.mean[k], std: f.std[k] };
  });
  const ticker = setInterval(() => {
    const parts = Object.entries(latest).map(([target, p]) => {
      const [digits, unit] = target === 'friction' ? [4, ''] : [2, ' s'];
      return `${target} ${p.mean.toFixed(digits)} +- ${p.std.toFixed(digits)}${unit} at t = ${p.t.toFixed(1)} s`;
    });
    if (parts.length) console.log(parts.join('   '));
  }, 1000);
  return () => {
    clearInterval(ticker);
    dash.close();
  };
}

/** Start a server-run replay (POST /replay, so the dashboard can pause, seek or stop it) and wait for its end. */
async function replayOnce(app: FastifyInstance, recording: string, speed: number | 'max'): Promise<void> {
  const started = await app.inject({ method: 'POST', url: '/replay', payload: { recording, speed } });
  if (started.statusCode !== 200) throw new CliError(started.json<{ error: string }>().error);
  const { id } = started.json<ReplayState>();
  console.log(`replaying ${recording} at ${speed === 'max' ? 'full speed' : `${speed}x`} (${id})`);
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const r = (await app.inject('/replay')).json<ReplaysBody>().replays.find((x) => x.id === id);
    if (r && r.state !== 'running' && r.state !== 'paused') return console.log(`replay of ${recording}: ${r.state}${r.error ? ` (${r.error})` : ''}`);
  }
}

runCli(CLI.command, async () => {
  const { values } = parseCli(CLI);
  const speed = values.speed === 'max' ? 'max' : numberOption('speed', values.speed, { min: 1e-3, max: 1000 });
  const port = numberOption('port', values.port, { min: 0, max: 65535, integer: true });
  const opts = { ...defaultServerOptions(), port };
  const app = await buildApp(opts);
  const address = await app.listen({ host: opts.host, port: opts.port }).catch((e: NodeJS.ErrnoException) => {
    throw new CliError(e.code === 'EADDRINUSE' ? `port ${port} is in use; choose another with --port N` : e.message);
  });
  const status = (await app.inject('/status')).json<StatusBody>();
  console.log(`models: ${status.models.map((m) => `${m.name} (${m.target}, ${m.preset})`).join(', ') || 'none (train them: bash scripts/train-all.sh)'}; inference: ${status.backend}`);
  console.log(`\n  dashboard: ${address}/\n`);
  const stopReadout = consoleReadout(address);
  await replayOnce(app, values.recording, speed);
  if (values.once) {
    stopReadout();
    await app.close();
  } else console.log(`still serving: open ${address}/ to start other replays (Ctrl-C to stop)`);
});
