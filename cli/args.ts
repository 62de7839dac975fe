/**
 * The one CLI helper: every command's options, help text and errors look alike. `--help` prints
 * before any work; an unknown option or a bad value exits 1 with one line naming what is allowed;
 * a failure inside the command prints one line too (a stack trace only with SLIPWATCH_DEBUG=1).
 */
import { parseArgs } from 'node:util';

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  default?: string | boolean;
  /** the value's placeholder in the help text, e.g. DIR */
  value?: string;
  /** valid values; anything else is refused with the list */
  choices?: readonly string[];
  doc: string;
}

export interface CliSpec {
  /** the command as typed, e.g. "npm run evaluate" */
  command: string;
  summary: string;
  usage?: string;
  options: Record<string, OptionSpec>;
  /** names positional arguments in the usage line; without it positionals are refused */
  positionals?: string;
  /** extra help text after the options */
  epilogue?: string;
}

/** A usage error: printed as one line, exit code 1. */
export class CliError extends Error {}

export function helpText(spec: CliSpec): string {
  const opts = Object.entries({ ...spec.options, help: { type: 'boolean', short: 'h', doc: 'this help' } as OptionSpec }).map(([name, o]) => {
    const flag = `${o.short ? `-${o.short}, ` : '    '}--${name}${o.type === 'string' ? ` ${o.value ?? 'X'}` : ''}`;
    const extra = [o.choices ? `one of ${o.choices.join(', ')}` : '', o.default !== undefined && o.type === 'string' ? `default ${o.default}` : ''].filter(Boolean).join('; ');
    return `  ${flag.padEnd(26)} ${o.doc}${extra ? ` (${extra})` : ''}`;
  });
  const usage = spec.usage ?? `${spec.command}${spec.positionals ? ` -- ${spec.positionals}` : ''} [-- options]`;
  return [spec.summary, '', `Usage: ${usage}`, '', 'Options:', ...opts, ...(spec.epilogue ? ['', spec.epilogue] : [])].join('\n');
}

export type Values<S extends CliSpec> = { [K in keyof S['options']]: S['options'][K]['type'] extends 'boolean' ? boolean : S['options'][K] extends { default: string } ? string : string | undefined };

/** Parse argv against the spec; prints help and exits 0 on --help, exits 1 with one line on a usage error. */
export function parseCli<S extends CliSpec>(spec: S, argv: string[] = process.argv.slice(2)): { values: Values<S>; positionals: string[] } {
  const name = spec.command.replace(/^npm run /, '');
  try {
    const options = Object.fromEntries(
      Object.entries(spec.options).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}), ...(o.default !== undefined ? { default: o.default } : {}) }]),
    ) as Record<string, { type: 'string' | 'boolean'; short?: string; default?: string | boolean }>;
    options.help = { type: 'boolean', short: 'h', default: false };
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    if (values.help) {
      console.log(helpText(spec));
      process.exit(0);
    }
    if (positionals.length && !spec.positionals) throw new CliError(`unexpected argument ${JSON.stringify(positionals[0])} (see --help)`);
    for (const [k, o] of Object.entries(spec.options)) {
      const v = values[k];
      if (o.choices && typeof v === 'string' && !o.choices.includes(v)) throw new CliError(`--${k} must be one of ${o.choices.join(', ')}, got ${JSON.stringify(v)}`);
    }
    return { values: values as Values<S>, positionals };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const valid = Object.keys(spec.options).map((k) => `--${k}`).concat('--help').join(', ');
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') fail(name, new CliError(`${(e as Error).message.split('.')[0].replace('Unknown', 'unknown')}; valid: ${valid}`));
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') fail(name, new CliError((e as Error).message.split('\n')[0]));
    fail(name, e);
  }
}

/** A number from an option's text, within bounds, or a one-line usage error. */
export function numberOption(flag: string, raw: string, { min = -Infinity, max = Infinity, integer = false } = {}): number {
  const x = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(x) || x < min || x > max || (integer && !Number.isInteger(x)))
    throw new CliError(`--${flag} must be ${integer ? 'an integer' : 'a number'}${Number.isFinite(min) ? ` >= ${min}` : ''}${Number.isFinite(max) ? ` and <= ${max}` : ''}, got ${JSON.stringify(raw)}`);
  return x;
}

/** Run a command's main; any error becomes one line on stderr and exit code 1. */
export function runCli(command: string, main: () => Promise<void> | void): void {
  Promise.resolve()
    .then(main)
    .catch((e: unknown) => fail(command.replace(/^npm run /, ''), e));
}

function fail(name: string, e: unknown): never {
  const message = e instanceof Error ? e.message : String(e);
  console.error(`${name}: ${message.split('\n')[0]}`);
  if (process.env.SLIPWATCH_DEBUG === '1' && e instanceof Error) console.error(e.stack);
  process.exit(1);
}
