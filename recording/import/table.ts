/**
 * Delimited numeric text, streamed line by line: the layout (header lines, delimiter, column
 * names) sniffed from the first lines, rows as cells with their line numbers, and column specs
 * (a 0-based number or a header name) resolved or refused with the columns that exist.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { cellNumber, ImportRefusal, summarise } from './refusal.ts';

export interface TableLayout {
  headerLines: number;
  /** how a line splits into cells */
  split: (line: string) => string[];
  /** the last header line's cells (column names), if there is a header */
  header: string[] | null;
  /** cells of the first data row */
  width: number;
}

const SPLITTERS: [RegExp, (l: string) => string[]][] = [
  [/,/, (l) => l.split(',')],
  [/\t/, (l) => l.split('\t')],
  [/;/, (l) => l.split(';')],
  [/./, (l) => l.trim().split(/\s+/)],
];

export function splitterFor(line: string): (l: string) => string[] {
  return SPLITTERS.find(([re]) => re.test(line))![1];
}

const numericRow = (cells: string[]) => cells.length > 0 && cells.every((c) => Number.isFinite(cellNumber(c)));

/** Sniff the layout: header lines (given, or the lines before the first all-numeric one) and the delimiter. */
export async function sniffLayout(path: string, headerLines?: number): Promise<TableLayout> {
  const lines: string[] = [];
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const line of rl) {
    if (line.trim() !== '') lines.push(line);
    if (lines.length >= 60) break;
  }
  rl.close();
  if (lines.length === 0) throw new ImportRefusal(path, null, 'the file is empty');
  let h = headerLines;
  if (h === undefined) {
    h = lines.findIndex((l) => numericRow(splitterFor(l)(l)));
    if (h < 0) throw new ImportRefusal(path, null, `no all-numeric row in the first ${lines.length} lines; give --header-lines N`);
  }
  const first = lines[h];
  if (first === undefined) throw new ImportRefusal(path, null, `no data after ${h} header lines`);
  const split = splitterFor(first);
  const header = h > 0 ? split(lines[h - 1]).map((c) => c.trim().replace(/^"(.*)"$/, '$1')) : null;
  return { headerLines: h, split, header, width: split(first).length };
}

/** The data rows: cells and 1-based line numbers (blank lines skipped). */
export async function* tableRows(path: string, layout: TableLayout, onBytes?: (bytes: number) => void): AsyncGenerator<{ row: number; cells: string[] }> {
  const input = createReadStream(path, { highWaterMark: 1 << 20 });
  const rl = createInterface({ input, crlfDelay: Infinity });
  let row = 0;
  let nonBlank = 0;
  for await (const line of rl) {
    row++;
    if (line.trim() === '') continue;
    if (++nonBlank <= layout.headerLines) continue;
    if ((row & 0xffff) === 0) onBytes?.(input.bytesRead);
    yield { row, cells: layout.split(line) };
  }
  onBytes?.(input.bytesRead);
}

/** A column spec (0-based number, or a header name, case-insensitive) as a column index. */
export function resolveColumn(path: string, layout: TableLayout, spec: string, what: string): number {
  const names = layout.header ?? [];
  const listing = names.length === layout.width ? `columns: ${summarise(names.map((n, i) => `${i} "${n}"`), 12)}` : `${layout.width} unnamed columns (0-${layout.width - 1})`;
  if (/^\d+$/.test(spec.trim())) {
    const i = Number(spec);
    if (i >= layout.width) throw new ImportRefusal(path, null, `${what} column ${i} does not exist (the first data row has ${listing})`);
    return i;
  }
  const i = names.findIndex((n) => n.toLowerCase() === spec.trim().toLowerCase());
  if (i < 0) throw new ImportRefusal(path, null, `${what} column "${spec}" does not exist (${listing})`);
  return i;
}
