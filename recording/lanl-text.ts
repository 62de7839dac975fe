/**
 * The LANL / Penn State biaxial mechanical text files (p4677, p4581, ...): 5 header lines, then
 * whitespace- or comma-separated numeric rows. As the LANL group describes them, column 2 is shear
 * stress, column 4 normal stress and column 5 time (0-based: after the record number, load-point
 * and layer displacements). Stresses in MPa. A preset of the generic text importer, so it has all
 * of its checks: time must increase steadily, normal stress must be positive, cells must be numbers
 * (or, with skipBadRows, the broken rows are skipped and listed).
 */
import { type CsvImportOptions, type ImportResult, importCsv } from './import/csv.ts';

export interface LanlTextOptions {
  headerLines: number;
  shearColumn: number;
  normalColumn: number;
  timeColumn: number;
  /** multiply stresses by this to get MPa (1 for files in MPa, 0.001 for kPa) */
  stressToMPa: number;
  skipBadRows: boolean;
  batchRows: number;
}

export const DEFAULT_LANL_TEXT: Readonly<LanlTextOptions> = {
  headerLines: 5,
  shearColumn: 2,
  normalColumn: 4,
  timeColumn: 5,
  stressToMPa: 1,
  skipBadRows: false,
  batchRows: 10_000,
};

export function lanlTextOptions(experimentId: string, options: Partial<LanlTextOptions> = {}): CsvImportOptions {
  const o = { ...DEFAULT_LANL_TEXT, ...options };
  return {
    experimentId,
    from: 'lanl-biaxial-text',
    headerLines: o.headerLines,
    time: String(o.timeColumn),
    shear: String(o.shearColumn),
    normal: String(o.normalColumn),
    stressToMPa: o.stressToMPa,
    skipBadRows: o.skipBadRows,
    batchRows: o.batchRows,
  };
}

/** Import a LANL mechanical text file as a recording with one stream, mech (time_s, shear, normal, mu = shear / normal). */
export function importLanlText(path: string, dir: string, experimentId: string, options: Partial<LanlTextOptions> = {}): Promise<ImportResult> {
  return importCsv(path, dir, lanlTextOptions(experimentId, options));
}
