/**
 * npm run import -- FILE --format psu|kaggle|csv|lanl --out DIR [options]
 * Turns a lab file into a slipwatch recording (docs/import.md has each format, an excerpt and the
 * command). Every check runs before anything is written; a refusal is one line with the row.
 */
import { basename, resolve } from 'node:path';
import { type CliSpec, CliError, numberOption, parseCli, runCli } from './args.ts';
import { type CsvImportOptions, describeImport, importCsv } from '../recording/import/csv.ts';
import { describeKaggle, importKaggle } from '../recording/import/kaggle.ts';
import { psuOptions } from '../recording/import/psu.ts';
import { sniffLayout } from '../recording/import/table.ts';
import { DEFAULT_LANL_TEXT, lanlTextOptions } from '../recording/lanl-text.ts';

const col = (doc: string) => ({ type: 'string', value: 'C', doc: `${doc} (0-based number or header name)` }) as const;
const cols = (doc: string) => ({ type: 'string', value: 'C,C', doc: `${doc} (comma-separated numbers or header names)` }) as const;
const SPEC = {
  command: 'npm run import',
  summary: 'Import a lab file as a slipwatch recording (see docs/import.md).',
  positionals: 'FILE',
  usage: 'npm run import -- FILE --format psu|kaggle|csv|lanl --out DIR [options]',
  options: {
    format: { type: 'string', value: 'F', choices: ['psu', 'kaggle', 'csv', 'lanl'], doc: 'file format (required)' },
    out: { type: 'string', value: 'DIR', doc: 'recording directory to create (required; never overwritten)' },
    id: { type: 'string', value: 'NAME', doc: 'experiment id (default: the file name without extension)' },
    'time-col': col('time column, s'),
    'rate-hz': { type: 'string', value: 'R', doc: 'sample rate of the rows (files without a time column; with one, it must agree)' },
    'start-s': { type: 'string', value: 'S', doc: 'time of the first row without a time column (default 0)' },
    'shear-col': col('shear stress column'),
    'normal-col': col('normal stress column'),
    'normal-stress-mpa': { type: 'string', value: 'X', doc: 'constant normal stress, MPa (files without a normal-stress column)' },
    'friction-col': col('friction column (else shear / normal)'),
    'stress-unit': { type: 'string', value: 'U', default: 'MPa', choices: ['MPa', 'kPa'], doc: 'unit of the stress columns' },
    'ae-cols': cols('AE waveform channels'),
    'ae-unit': { type: 'string', value: 'U', doc: 'unit of the AE columns (default V)' },
    'ae-scale': { type: 'string', value: 'X', doc: 'physical units per stored AE unit' },
    'ae-variance-cols': cols('AE feature channels: variance at the row rate'),
    'ae-rms-cols': cols('AE feature channels: RMS at the row rate (stored squared)'),
    'ttf-col': col('label: time to failure, s'),
    'failure-col': col('label: non-zero at failure onsets'),
    'header-lines': { type: 'string', value: 'N', doc: 'header lines (default: the lines before the first numeric row; lanl 5)' },
    'skip-bad-rows': { type: 'boolean', doc: 'skip rows with non-numeric cells (listed) instead of refusing the file' },
    'max-step-ratio': { type: 'string', value: 'K', default: '3', doc: 'a time step over K nominal steps is a gap, refused' },
    'burst-samples': { type: 'string', value: 'N', default: '4096', doc: 'kaggle: samples per burst' },
    'sample-rate-hz': { type: 'string', value: 'R', default: '4000000', doc: 'kaggle: the digitiser rate within a burst' },
    'burst-period-s': { type: 'string', value: 'S', doc: "kaggle: burst start to burst start (default: the first bursts' labels)" },
  },
  epilogue: `Formats:
  psu     Penn State biaxial CSV: header row; time, shear stress, AE variance and TTF columns found by name
  kaggle  Kaggle LANL raw: acoustic_data,time_to_failure at 4 MHz in bursts of 4096 (multi-GB, streamed)
  csv     any delimited numeric text: map columns with the flags above
  lanl    LANL biaxial mechanical text: ${DEFAULT_LANL_TEXT.headerLines} header lines, shear col ${DEFAULT_LANL_TEXT.shearColumn}, normal col ${DEFAULT_LANL_TEXT.normalColumn}, time col ${DEFAULT_LANL_TEXT.timeColumn}`,
} satisfies CliSpec;

type V = ReturnType<typeof parseCli<typeof SPEC>>['values'];
const num = (v: V, k: keyof V & string, min = -Infinity) => (v[k] === undefined ? undefined : numberOption(k, String(v[k]), { min }));
const list = (s: string | undefined) => s?.split(',').map((x) => x.trim()).filter(Boolean);

/** The generic options every text format shares, from the flags given (absent flags stay absent). */
function textOptions(v: V, id: string): Partial<CsvImportOptions> & { experimentId: string } {
  const o: Partial<CsvImportOptions> & { experimentId: string } = {
    experimentId: id,
    time: v['time-col'],
    rateHz: num(v, 'rate-hz', 1e-9),
    startS: num(v, 'start-s'),
    shear: v['shear-col'],
    normal: v['normal-col'],
    normalStressMPa: num(v, 'normal-stress-mpa'),
    friction: v['friction-col'],
    stressToMPa: v['stress-unit'] === 'kPa' ? 0.001 : 1,
    ae: list(v['ae-cols']),
    aeUnit: v['ae-unit'],
    aeScale: num(v, 'ae-scale'),
    aeVariance: list(v['ae-variance-cols']),
    aeRms: list(v['ae-rms-cols']),
    ttf: v['ttf-col'],
    failure: v['failure-col'],
    headerLines: num(v, 'header-lines', 0),
    skipBadRows: v['skip-bad-rows'],
    maxStepRatio: num(v, 'max-step-ratio', 1.01),
  };
  return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as typeof o;
}

function progress(label: string) {
  let last = Date.now(); // first report after 2 s: small files print nothing
  return (bytes: number, total: number) => {
    const now = Date.now();
    if (now - last < 2000) return;
    last = now;
    console.error(`${label}: ${(bytes / 1e6).toFixed(0)} / ${(total / 1e6).toFixed(0)} MB`);
  };
}

async function main(): Promise<void> {
  const { values: v, positionals } = parseCli(SPEC);
  if (positionals.length !== 1) throw new CliError('give exactly one input FILE (see --help)');
  if (!v.format) throw new CliError('--format psu|kaggle|csv|lanl is required');
  if (!v.out) throw new CliError('--out DIR is required');
  const file = positionals[0];
  const out = resolve(v.out);
  const id = v.id ?? basename(file).replace(/\.[^.]*$/, '');
  if (v.format === 'kaggle') {
    const r = await importKaggle(file, out, {
      experimentId: id,
      burstSamples: numberOption('burst-samples', v['burst-samples'], { min: 1, integer: true }),
      sampleRateHz: numberOption('sample-rate-hz', v['sample-rate-hz'], { min: 1 }),
      burstPeriodS: num(v, 'burst-period-s', 1e-12),
      onProgress: progress('kaggle'),
    });
    for (const line of describeKaggle(r)) console.log(line);
    return;
  }
  const given = textOptions(v, id);
  const pass = progress(v.format);
  const onProgress = (p: number, b: number, t: number) => pass(b, t);
  let o: CsvImportOptions;
  if (v.format === 'lanl') o = { ...lanlTextOptions(id), ...given };
  else if (v.format === 'psu') o = psuOptions(file, await sniffLayout(file, given.headerLines), given);
  else o = { from: 'csv', ...given };
  for (const line of describeImport(await importCsv(file, out, { ...o, onProgress }))) console.log(line);
}

if (process.argv[1] === import.meta.filename) runCli(SPEC.command, main);
