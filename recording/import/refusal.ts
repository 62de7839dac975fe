/**
 * How importers say no: one line naming the file, the row (1-based line number) and the reason,
 * so a user can open the file at that line. Long lists are summarised, never printed whole.
 */
export class ImportRefusal extends Error {
  constructor(
    readonly file: string,
    readonly row: number | null,
    readonly reason: string,
  ) {
    super(row === null ? `${file}: ${reason}` : `${file}:${row}: ${reason}`);
  }
}

/** "a, b, c, d and 12 more": at most `show` items, then a count. */
export function summarise<T>(items: readonly T[], show = 4, fmt: (x: T) => string = String): string {
  if (items.length === 0) return 'none';
  const head = items.slice(0, show).map(fmt).join(', ');
  return items.length > show ? `${head} and ${items.length - show} more` : head;
}

/** A cell as a finite number, or NaN (empty cells are not zero). */
export function cellNumber(cell: string | undefined): number {
  if (cell === undefined) return Number.NaN;
  const t = cell.trim().replace(/^"(.*)"$/, '$1');
  return t === '' ? Number.NaN : Number(t);
}

/** A nominal rate from a median step, rounded to 6 significant digits (1 / 0.001 is not 1000 in floating point). */
export function nominalRate(stepS: number): number {
  return Number((1 / stepS).toPrecision(6));
}
