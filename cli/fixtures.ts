/**
 * npm run fixtures -- [experiments...] [options]
 * Generates slipwatch recordings from the physical models and prints a summary table.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { readRecordingMeta } from '../recording/recording.ts';
import { DEFAULT_AE_RATE_HZ, type Experiment, experiments, FULL_EXPERIMENTS, MINI_EXPERIMENTS } from '../fixtures/experiments.ts';
import { GENERATOR_VERSION, generateExperiment, generatorParameters } from '../fixtures/generate.ts';
import { applySettings, formatParams } from '../fixtures/params.ts';
import { analyseRecording, formatSummaryTable, type SummaryRow } from '../fixtures/summary.ts';

export const DEFAULT_RECORDINGS_DIR = resolve(import.meta.dirname, '..', 'data', 'recordings');

const HELP = `Generate slipwatch recordings from the physics-based generators.

Usage: npm run fixtures -- [EXPERIMENT ...] [options]
       npm run fixtures -- NAME --seed N --set key=value ... --out DIR    a variant
       npm run fixtures -- NAME --list-params                             what --set can change

Experiments (default: ${FULL_EXPERIMENTS.join(' ')}):
${Object.values(experiments())
  .map((e) => `  ${e.id.padEnd(11)} ${e.description}`)
  .join('\n')}
  all         every experiment above
  mini        ${MINI_EXPERIMENTS.join(' ')} (the small ones committed under fixtures/data)

Options:
  --out DIR        where recordings go (default: data/recordings)
  --ae-rate HZ     raw AE sample rate of the lab experiments (default: ${DEFAULT_AE_RATE_HZ})
  --force          regenerate even when an up-to-date recording exists
  --summary-only   do not generate; summarise the recordings already in --out
  --seed N         random seed (integer; default: the experiment's own)
  --set KEY=VALUE  change a documented parameter (repeatable; see --list-params)
  --list-params    print each parameter with its unit, default and valid range
  -h, --help       this help

Every recording stores its seed and every parameter used (recording.json, source).

A recording that exists and was made by the same generator version with the same parameters is
kept (generation is deterministic); otherwise it is regenerated. Output is written to a temporary
directory first and renamed into place, so an interrupted run never leaves a partial recording.`;

interface CliOptions {
  ids: string[];
  out: string;
  aeRateHz: number;
  force: boolean;
  summaryOnly: boolean;
  seed?: number;
  settings: string[];
  listParams: boolean;
}

const OPTIONS: ParseArgsConfig['options'] & {} = {
  out: { type: 'string', default: DEFAULT_RECORDINGS_DIR },
  'ae-rate': { type: 'string', default: String(DEFAULT_AE_RATE_HZ) },
  force: { type: 'boolean', default: false },
  'summary-only': { type: 'boolean', default: false },
  seed: { type: 'string' },
  set: { type: 'string', multiple: true, default: [] as string[] },
  'list-params': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
};

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  } catch (e) {
    // node's message, cut to its first sentence, plus the valid options
    const first = (e as Error).message.split('. ')[0];
    throw new Error(`${first}; valid options: ${Object.keys(OPTIONS).map((o) => `--${o}`).join(', ')}`);
  }
}

export function parseArguments(argv: string[]): CliOptions | 'help' {
  const parsed = parse(argv);
  const positionals = parsed.positionals;
  const values = parsed.values as { out: string; 'ae-rate': string; force: boolean; 'summary-only': boolean; seed?: string; set: string[]; 'list-params': boolean; help: boolean };
  if (values.help) return 'help';
  const aeRateHz = Number(values['ae-rate']);
  if (!Number.isInteger(aeRateHz) || aeRateHz < 1000 || aeRateHz % 1000 !== 0)
    throw new Error(`--ae-rate must be a whole multiple of the 1000 Hz mechanical rate, got ${values['ae-rate']}`);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && (!/^-?\d+$/.test(values.seed!.trim()) || !Number.isSafeInteger(seed))) throw new Error(`--seed must be an integer, got ${values.seed}`);
  const known = experiments(aeRateHz);
  const ids: string[] = [];
  for (const p of positionals.length ? positionals : [...FULL_EXPERIMENTS]) {
    if (p === 'all') ids.push(...Object.keys(known));
    else if (p === 'mini') ids.push(...MINI_EXPERIMENTS);
    else if (known[p]) ids.push(p);
    else throw new Error(`unknown experiment "${p}"; valid: ${[...Object.keys(known), 'all', 'mini'].join(', ')}`);
  }
  const settings = values.set as string[];
  const unique = [...new Set(ids)];
  // check every setting before any work: a bad key or value fails with the valid choices
  for (const id of unique) applySettings(known[id], settings, seed);
  return { ids: unique, out: resolve(values.out!), aeRateHz, force: values.force!, summaryOnly: values['summary-only']!, seed, settings, listParams: values['list-params']! };
}

/** True when dir holds a recording of exactly this experiment from this generator version. */
export function isUpToDate(dir: string, e: Experiment): boolean {
  if (!existsSync(join(dir, 'recording.json'))) return false;
  try {
    const meta = readRecordingMeta(dir);
    if (meta.source.kind !== 'generator') return false;
    const { version, seed, parameters } = meta.source;
    return version === GENERATOR_VERSION && seed === e.seed && JSON.stringify(parameters) === JSON.stringify(generatorParameters(e));
  } catch {
    return false;
  }
}

function progressPrinter(id: string): (done: number, total: number) => void {
  const start = performance.now();
  let lastPrint = -Infinity;
  const tty = process.stderr.isTTY;
  return (done, total) => {
    const now = performance.now();
    if (done < total && now - lastPrint < (tty ? 200 : 5000)) return;
    lastPrint = now;
    const elapsed = (now - start) / 1000;
    const eta = done > 0 ? (elapsed * (total - done)) / done : 0;
    const line = `${id}: ${((100 * done) / total).toFixed(0).padStart(3)}%  ${done.toFixed(0)}/${total.toFixed(0)} s simulated  elapsed ${elapsed.toFixed(1)} s  eta ${eta.toFixed(1)} s`;
    if (tty) process.stderr.write(`\r${line}${done >= total ? '\n' : ''}`);
    else process.stderr.write(`${line}\n`);
  };
}

export async function main(argv: string[]): Promise<void> {
  const opts = parseArguments(argv);
  if (opts === 'help') {
    console.log(HELP);
    return;
  }
  const all = experiments(opts.aeRateHz);
  if (opts.listParams) {
    console.log(opts.ids.map((id) => formatParams(applySettings(all[id], opts.settings, opts.seed))).join('\n\n'));
    return;
  }
  const rows: SummaryRow[] = [];
  for (const id of opts.ids) {
    const e = applySettings(all[id], opts.settings, opts.seed);
    const dir = join(opts.out, id);
    if (!opts.summaryOnly) {
      if (!opts.force && isUpToDate(dir, e)) {
        console.error(`${id}: up to date in ${dir}`);
      } else {
        const partial = join(opts.out, `.${id}.partial-${process.pid}`);
        rmSync(partial, { recursive: true, force: true });
        const t0 = performance.now();
        generateExperiment(e, partial, progressPrinter(id));
        rmSync(dir, { recursive: true, force: true });
        renameSync(partial, dir);
        console.error(`${id}: generated in ${((performance.now() - t0) / 1000).toFixed(1)} s -> ${dir}`);
      }
    } else if (!existsSync(dir)) {
      throw new Error(`${dir} does not exist; run without --summary-only to generate it`);
    }
    rows.push(...(await analyseRecording(dir)).rows);
  }
  console.log(formatSummaryTable(rows));
}

if (process.argv[1] === import.meta.filename) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(`fixtures: ${(e as Error).message}`);
    process.exit(1);
  });
}
