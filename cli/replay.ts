/**
 * npm run replay -- --recording DIR [options]: stream a recording into a slipwatch server.
 */
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { replay } from '../producer/replay.ts';

const HELP = `Replay a recording into a slipwatch server's ws /ingest, as a producer would.

Usage: npm run replay -- --recording DIR [options]

Options:
  --recording DIR   recording to replay (e.g. data/recordings/p4677)
  --url URL         ingest endpoint (default ws://127.0.0.1:8080/ingest)
  --token T         producer token (default env SLIPWATCH_TOKEN or slipwatch-dev-token)
  --session NAME    session id (default: the recording's name and the time)
  --speed X         real-time factor, or max (default 1)
  --preset ID       window preset of the server's models to use (default: theirs)
  -h, --help        this help`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      recording: { type: 'string' },
      url: { type: 'string', default: 'ws://127.0.0.1:8080/ingest' },
      token: { type: 'string', default: process.env.SLIPWATCH_TOKEN ?? 'slipwatch-dev-token' },
      session: { type: 'string' },
      speed: { type: 'string', default: '1' },
      preset: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  if (!values.recording) throw new Error('--recording DIR is required (see --help)');
  const speed = values.speed === 'max' ? 'max' : Number(values.speed);
  if (speed !== 'max' && !(speed > 0)) throw new Error(`--speed must be > 0 or max, got ${values.speed}`);
  const dir = resolve(values.recording);
  const session = values.session ?? `${basename(dir)}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  let last = 0;
  const r = await replay({
    recordingDir: dir,
    url: values.url!,
    token: values.token!,
    session,
    speed,
    ...(values.preset ? { preset: values.preset } : {}),
    onProgress: (sentS, totalS, acked) => {
      if (performance.now() - last < 1000) return;
      last = performance.now();
      console.error(`${session}: ${sentS.toFixed(1)} / ${totalS.toFixed(1)} s sent, frame ${acked} stored`);
    },
  });
  console.error(`${session}: ${r.frames} frames in ${r.seconds.toFixed(1)} s`);
}

main().catch((e: unknown) => {
  console.error(`replay: ${(e as Error).message}`);
  process.exit(1);
});
