/**
 * npm run replay -- --recording DIR [options]: stream a recording into a slipwatch server, as a
 * lab's acquisition would (producer/replay.ts does the work).
 */
import { basename, resolve } from 'node:path';
import { replay } from '../producer/replay.ts';
import { CliError, numberOption, parseCli, runCli } from './args.ts';

const CLI = {
  command: 'npm run replay',
  summary: "Replay a recording into a slipwatch server's ws /ingest, as a producer would.",
  usage: 'npm run replay -- --recording DIR [options]',
  options: {
    recording: { type: 'string', value: 'DIR', doc: 'recording to replay (e.g. data/recordings/p4677)' },
    url: { type: 'string', default: 'ws://127.0.0.1:8080/ingest', value: 'URL', doc: 'ingest endpoint' },
    token: { type: 'string', default: process.env.SLIPWATCH_TOKEN ?? 'slipwatch-dev-token', value: 'T', doc: 'producer token (env SLIPWATCH_TOKEN)' },
    session: { type: 'string', value: 'NAME', doc: "session id (default: the recording's name and the time)" },
    speed: { type: 'string', default: '1', value: 'X', doc: 'real-time factor, or max' },
    preset: { type: 'string', value: 'ID', doc: "window preset of the server's models (default: theirs)" },
  },
} as const;

runCli(CLI.command, async () => {
  const { values } = parseCli(CLI);
  if (!values.recording) throw new CliError('--recording DIR is required (see --help)');
  const speed = values.speed === 'max' ? 'max' : numberOption('speed', values.speed, { min: 1e-3, max: 1000 });
  const dir = resolve(values.recording);
  const session = values.session ?? `${basename(dir)}-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  let last = 0;
  const r = await replay({
    recordingDir: dir,
    url: values.url,
    token: values.token,
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
});
