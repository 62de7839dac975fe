/**
 * npm run evaluate-live -- [options]
 * Scores the live product: each recording is replayed through the real server (shipped models,
 * live adaptation on, default settings) and again with --live-adaptation false; the served
 * friction and TTF after the swap are scored against the measured ones, per normal-stress level,
 * beside a constant and the recurrence clock, with the warned slips of the served alerts.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { type CliSpec, CliError, numberOption, parseCli, runCli } from './args.ts';
import { initBackend } from '../model/tfjs/backend.ts';
import { type LiveRun, replayAndSave, runFile } from '../training/live-evaluation-replay.ts';
import { liveResult, type LiveResult, renderLive } from '../training/live-evaluation-report.ts';

const ROOT = join(import.meta.dirname, '..');
const SPEC = {
  command: 'npm run evaluate-live',
  summary: 'Score the live product (real server, live adaptation on vs off) on recordings after the swap; write results-live.json and print Markdown tables.',
  options: {
    on: { type: 'string', value: 'NAME=DIR,...', default: `p4581=${join(ROOT, 'data', 'recordings', 'p4581')}`, doc: 'recordings to replay, each with a name' },
    models: { type: 'string', value: 'DIR', default: join(ROOT, 'trained-models'), doc: 'the models the server serves' },
    runs: { type: 'string', value: 'DIR', default: join(ROOT, 'data', 'live-eval'), doc: 'where each replay\'s collected stream is saved (NAME-adapted.json, NAME-unadapted.json)' },
    reuse: { type: 'boolean', doc: 'score the runs saved in --runs instead of replaying (same recordings and settings)' },
    'adapt-after-cycles': { type: 'string', value: 'N', default: '6', doc: "the server's --adapt-after-cycles" },
    'readapt-every-cycles': { type: 'string', value: 'N', default: '6', doc: "the server's --readapt-every-cycles (0: adapt once)" },
    'adapt-epochs': { type: 'string', value: 'N', default: '15', doc: "the server's --adapt-epochs" },
    json: { type: 'string', value: 'FILE', default: join(ROOT, 'docs', 'results-live.json'), doc: 'results JSON' },
  },
  epilogue: 'Each replay goes at full speed; with adaptation the producer waits from the slip completing the cycles until every model has reported (several minutes on a busy 2-core machine).',
} satisfies CliSpec;

/** NAME=DIR pairs. */
function parseOn(spec: string): { name: string; dir: string }[] {
  return spec.split(',').filter(Boolean).map((item) => {
    const [name, dir] = item.split('=');
    if (!name || !dir) throw new CliError(`--on ${item}: expected NAME=DIR`);
    if (!existsSync(join(dir, 'recording.json'))) throw new CliError(`--on ${item}: ${dir} has no recording.json (npm run fixtures)`);
    return { name, dir: resolve(dir) };
  });
}

/** Window length at the model rate: the longest of the served models'. */
function windowSamples(modelsDir: string): number {
  const sizes = readdirSync(modelsDir)
    .filter((d) => existsSync(join(modelsDir, d, 'manifest.json')))
    .map((d) => (JSON.parse(readFileSync(join(modelsDir, d, 'manifest.json'), 'utf8')) as { preset: { windowS: number; sampleRateHz: number } }).preset)
    .map((p) => Math.round(p.windowS * p.sampleRateHz));
  if (!sizes.length) throw new CliError(`${modelsDir} holds no models`);
  return Math.max(...sizes);
}

async function main(): Promise<void> {
  const { values: v } = parseCli(SPEC);
  const cycles = numberOption('adapt-after-cycles', v['adapt-after-cycles'], { min: 2, integer: true });
  const epochs = numberOption('adapt-epochs', v['adapt-epochs'], { min: 1, integer: true });
  const readapt = numberOption('readapt-every-cycles', v['readapt-every-cycles'], { min: 0, integer: true });
  const models = resolve(v.models);
  const runs = resolve(v.runs);
  await initBackend('auto');
  const results: LiveResult[] = [];
  for (const { name, dir } of parseOn(v.on)) {
    const get = async (adaptation: boolean): Promise<LiveRun> => {
      if (v.reuse) {
        const file = runFile(runs, name, adaptation);
        if (!existsSync(file)) throw new CliError(`--reuse: ${file} is missing (run without --reuse first)`);
        return JSON.parse(readFileSync(file, 'utf8')) as LiveRun;
      }
      console.log(`${name}: replaying ${adaptation ? 'with' : 'without'} live adaptation`);
      return replayAndSave(name, runs, { recordingDir: dir, modelsDir: models, adaptation, adaptAfterCycles: cycles, readaptEveryCycles: readapt, adaptEpochs: epochs, log: (l) => console.log(`  ${l}`) });
    };
    const unadapted = await get(false);
    const adapted = await get(true);
    results.push(await liveResult(name, dir, adapted, unadapted, cycles, windowSamples(models)));
  }
  const settings = { models: relative(ROOT, models), adaptAfterCycles: cycles, readaptEveryCycles: readapt, adaptEpochs: epochs, speed: 'max (producer paused until adaptation reported)', runs: v.reuse ? 'reused from --runs' : 'replayed now' };
  const portable = results.map((r) => ({ ...r, recording: relative(ROOT, r.recording) }));
  writeFileSync(resolve(v.json), `${JSON.stringify({ generatedAt: new Date().toISOString(), settings, results: portable }, null, 1)}\n`);
  console.log(renderLive(portable));
  console.log(`wrote ${resolve(v.json)}`);
  process.exit(0); // the inference workers' runtimes may keep handles open
}

runCli(SPEC.command, main);
