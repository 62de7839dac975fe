/**
 * The Penn State biaxial CSV (the lab-quake ML data sets): a header row, an index column,
 * load-point displacement, shear stress (MPa), time (s), the AE variance of each channel at the row
 * rate (10 Hz) and a time-to-failure label; no normal stress. Columns are found by their header
 * names (any spelling that names them: "Shear Stress (MPa)", "shr_stress", "AE_var_1", "TTF", ...);
 * explicit options win over what the names suggest, and a column that cannot be found is refused
 * with the header and the option that names it.
 */
import type { CsvImportOptions } from './csv-plan.ts';
import { ImportRefusal, summarise } from './refusal.ts';
import type { TableLayout } from './table.ts';

const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
/** name patterns on the header, lower-cased with everything but letters and digits removed */
const PATTERNS = {
  ttf: /^(ttf|timetofailure|tf|timetofail)/,
  time: /^(time|t|times|timesec|timeins)$|^time(s|sec)?$/,
  shear: /shear|^shr|^tau/,
  normal: /normal|^nor.*stress|^sigman|^sn$/,
  variance: /var|ae|acoustic/,
} as const;

/** The PSU options for a file's header, with explicit options laid over them. */
export function psuOptions(path: string, layout: TableLayout, given: Partial<CsvImportOptions> & Pick<CsvImportOptions, 'experimentId'>): CsvImportOptions {
  const names = (layout.header ?? []).map(norm);
  if (!layout.header) throw new ImportRefusal(path, null, 'a Penn State CSV has a header row naming its columns; this file has none (use --format csv with column numbers)');
  const find = (re: RegExp, not: RegExp[] = []) => names.findIndex((n) => re.test(n) && !not.some((x) => x.test(n)));
  const ttf = find(PATTERNS.ttf);
  const time = find(PATTERNS.time);
  const shear = find(PATTERNS.shear);
  const normal = find(PATTERNS.normal);
  const variance = names.map((n, i) => (PATTERNS.variance.test(n) && !PATTERNS.ttf.test(n) && ![time, shear, normal].includes(i) ? String(i) : '')).filter(Boolean);
  const o: CsvImportOptions = {
    from: 'psu-biaxial-csv',
    headerLines: layout.headerLines,
    ...(time >= 0 ? { time: String(time) } : {}),
    ...(shear >= 0 ? { shear: String(shear) } : {}),
    ...(normal >= 0 ? { normal: String(normal) } : {}),
    ...(variance.length ? { aeVariance: variance } : {}),
    ...(ttf >= 0 ? { ttf: String(ttf) } : {}),
    ...given,
  };
  const header = summarise(layout.header.map((h, i) => `${i} "${h}"`), 12);
  if (o.time === undefined && o.rateHz === undefined) throw new ImportRefusal(path, null, `no time column found (header: ${header}); give --time-col or --rate-hz`);
  if (o.shear === undefined && o.friction === undefined) throw new ImportRefusal(path, null, `no shear-stress column found (header: ${header}); give --shear-col`);
  if (!o.aeVariance?.length && !o.aeRms?.length && !o.ae?.length) throw new ImportRefusal(path, null, `no AE variance column found (header: ${header}); give --ae-variance-cols`);
  return o;
}
