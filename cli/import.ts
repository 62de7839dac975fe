/**
 * npm run import:lanl -- FILE --out DIR [--id NAME] [column flags]
 * Turns a LANL biaxial mechanical text file into a slipwatch recording (mech stream).
 */
import { basename, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_LANL_TEXT, importLanlText } from '../recording/lanl-text.ts';

const HELP = `Import a LANL biaxial mechanical text file as a slipwatch recording.

Usage: npm run import:lanl -- FILE --out DIR [options]

The file has ${DEFAULT_LANL_TEXT.headerLines} header lines, then numeric rows separated by spaces, tabs or commas.
Column numbers are 0-based.

Options:
  --out DIR            recording directory to create (required; must not hold a recording)
  --id NAME            experiment id (default: the file name without extension)
  --header-lines N     header lines to skip (default: ${DEFAULT_LANL_TEXT.headerLines})
  --shear-col N        shear stress column (default: ${DEFAULT_LANL_TEXT.shearColumn})
  --normal-col N       normal stress column (default: ${DEFAULT_LANL_TEXT.normalColumn})
  --time-col N         time column, s (default: ${DEFAULT_LANL_TEXT.timeColumn})
  --stress-unit U      MPa or kPa (default: MPa)
  -h, --help           this help`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string' },
    id: { type: 'string' },
    'header-lines': { type: 'string', default: String(DEFAULT_LANL_TEXT.headerLines) },
    'shear-col': { type: 'string', default: String(DEFAULT_LANL_TEXT.shearColumn) },
    'normal-col': { type: 'string', default: String(DEFAULT_LANL_TEXT.normalColumn) },
    'time-col': { type: 'string', default: String(DEFAULT_LANL_TEXT.timeColumn) },
    'stress-unit': { type: 'string', default: 'MPa' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

function wholeNumber(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${flag} must be a whole number >= 0, got ${v}`);
  return n;
}

async function main(): Promise<void> {
  if (values.help) {
    console.log(HELP);
    return;
  }
  if (positionals.length !== 1) throw new Error('give exactly one input FILE (see --help)');
  if (!values.out) throw new Error('--out DIR is required (see --help)');
  const unit = values['stress-unit'];
  if (unit !== 'MPa' && unit !== 'kPa') throw new Error(`--stress-unit must be MPa or kPa, got ${unit}`);
  const file = positionals[0];
  const id = values.id ?? basename(file).replace(/\.[^.]*$/, '');
  const result = await importLanlText(file, resolve(values.out), id, {
    headerLines: wholeNumber('header-lines', values['header-lines']),
    shearColumn: wholeNumber('shear-col', values['shear-col']),
    normalColumn: wholeNumber('normal-col', values['normal-col']),
    timeColumn: wholeNumber('time-col', values['time-col']),
    stressToMPa: unit === 'kPa' ? 0.001 : 1,
  });
  console.log(
    `${id}: ${result.rows} rows at ${result.sampleRateHz.toFixed(3)} Hz from t=${result.startTimeS} s, ` +
      `${result.skippedLines} non-numeric rows skipped, normal-stress levels: ` +
      result.schedule.map((l) => `${l.normalStressMPa} MPa (${l.startS.toFixed(1)}-${l.endS.toFixed(1)} s)`).join(', '),
  );
}

main().catch((e: unknown) => {
  console.error(`import:lanl: ${(e as Error).message}`);
  process.exit(1);
});
