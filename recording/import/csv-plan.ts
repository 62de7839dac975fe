/**
 * What a generic text import maps where: the options (column specs by number or header name),
 * resolved against the file's layout into the fields each row is parsed into, the recording's
 * streams, and how a parsed row fills a batch of those streams.
 */
import type { ColumnSpec, StreamSpec } from '../../shared/recording-meta.ts';
import { ImportRefusal } from './refusal.ts';
import { resolveColumn, type TableLayout } from './table.ts';

export interface CsvImportOptions {
  experimentId: string;
  /** the source format, recorded in recording.json (csv, psu-biaxial-csv, lanl-biaxial-text) */
  from: string;
  /** header lines to skip (default: the lines before the first all-numeric one) */
  headerLines?: number;
  /** time column, s; or rateHz (and startS) for files without one; both: they must agree */
  time?: string;
  rateHz?: number;
  startS?: number;
  shear?: string;
  normal?: string;
  /** a constant normal stress, MPa, for files without a normal-stress column */
  normalStressMPa?: number;
  /** friction measured or computed by the lab (else shear / normal when both are known) */
  friction?: string;
  /** multiply stresses by this to get MPa (1 for MPa, 0.001 for kPa) */
  stressToMPa?: number;
  /** AE waveform channels, their unit and physical units per stored unit */
  ae?: string[];
  aeUnit?: string;
  aeScale?: number;
  /** AE already reduced to a variance (or RMS, stored squared as a variance) series per channel */
  aeVariance?: string[];
  aeRms?: string[];
  /** labels: time to failure, s; or a column that is non-zero at failure onsets */
  ttf?: string;
  failure?: string;
  skipBadRows?: boolean;
  /** a time step over this many nominal steps is a gap, refused (default 3) */
  maxStepRatio?: number;
  batchRows?: number;
  onProgress?: (pass: number, bytes: number, total: number) => void;
}

export interface Field {
  what: string;
  col: number;
}

type Batch = Record<string, Record<string, Float32Array | Float64Array>>;

export interface ImportPlan {
  layout: TableLayout;
  fields: Field[];
  timed: boolean;
  has: { normal: boolean; ttf: boolean };
  describe: string;
  notes: string[];
  /** a parsed row's time and checked values (t is the row index / rate when there is no time column) */
  read: (v: Float64Array, i: number) => { t: number; normal?: number; minFeature?: number; ttf?: number; failure?: number };
  streams: (rateHz: number, startTimeS: number) => Record<string, StreamSpec>;
  newBatch: (n: number) => Batch;
  fill: (b: Batch, k: number, v: Float64Array, t: number | undefined) => void;
}

const col = (name: string, type: ColumnSpec['type'], unit: string, quantity: ColumnSpec['quantity'], scale?: number): ColumnSpec => ({ name, type, unit, quantity, ...(scale !== undefined ? { scale } : {}) });

/** The columns of the mech, ae and labels streams for what a file has. */
function streamColumns(o: CsvImportOptions, has: { shear: boolean; normal: boolean; mu: boolean; ae: number; features: number; ttf: boolean }) {
  const mech: ColumnSpec[] = [col('time_s', 'float64', 's', 'time')];
  if (has.shear) mech.push(col('shear_stress_MPa', 'float32', 'MPa', 'shear-stress'));
  if (has.normal) mech.push(col('normal_stress_MPa', 'float32', 'MPa', 'normal-stress'));
  if (has.mu) mech.push(col('mu', 'float32', '1', 'friction'));
  const unit = o.aeUnit ?? 'V';
  const ae = has.ae
    ? Array.from({ length: has.ae }, (_, c) => col(`ae${c}`, 'float32', unit, 'acoustic-emission', o.aeScale))
    : Array.from({ length: has.features }, (_, c) => col(`ae${c}_variance`, 'float32', `${unit}^2`, 'acoustic-emission-variance', o.aeScale === undefined ? undefined : o.aeScale ** 2));
  const labels = has.ttf ? [col('ttf_s', 'float64', 's', 'time-to-failure')] : [];
  return { mech, ae, labels };
}

/** Refuse options that contradict each other or cannot be right whatever the file holds. */
function refuseContradictions(path: string, o: CsvImportOptions): void {
  const refuse = (reason: string): never => {
    throw new ImportRefusal(path, null, reason);
  };
  if (o.time === undefined && o.rateHz === undefined) refuse('no time column and no --rate-hz: say when the rows were sampled');
  if (o.rateHz !== undefined && !(o.rateHz > 0)) refuse(`--rate-hz ${o.rateHz}: must be > 0`);
  if (o.normal !== undefined && o.normalStressMPa !== undefined) refuse('both a normal-stress column and --normal-stress-mpa: give one');
  if (o.normalStressMPa !== undefined && !(o.normalStressMPa > 0)) refuse(`--normal-stress-mpa ${o.normalStressMPa}: must be > 0`);
  if (o.ae?.length && (o.aeVariance?.length || o.aeRms?.length)) refuse('both AE waveform and AE feature columns: import them as two recordings');
}

/** Each mapped column's index into the parsed row (-1: not mapped); refuses a column the file lacks. */
function resolveFields(path: string, layout: TableLayout, o: CsvImportOptions) {
  const fields: Field[] = [];
  const at = (spec: string | undefined, what: string): number => {
    if (spec === undefined) return -1;
    fields.push({ what, col: resolveColumn(path, layout, spec, what) });
    return fields.length - 1;
  };
  const idx = {
    t: at(o.time, 'time'),
    shear: at(o.shear, 'shear stress'),
    normal: at(o.normal, 'normal stress'),
    mu: at(o.friction, 'friction'),
    ae: (o.ae ?? []).map((c, k) => at(c, `AE channel ${k}`)),
    variance: (o.aeVariance ?? []).map((c, k) => at(c, `AE variance ${k}`)),
    rms: (o.aeRms ?? []).map((c, k) => at(c, `AE RMS ${k}`)),
    ttf: at(o.ttf, 'time to failure'),
    failure: at(o.failure, 'failure flag'),
  };
  if (fields.length === (idx.t >= 0 ? 1 : 0)) throw new ImportRefusal(path, null, 'no columns to import: map at least one of shear stress, friction, AE, AE features or labels');
  return { fields, idx };
}

/** The recording's streams, and empty batches of them, for the columns a file has. */
function streamsOf(cols: ReturnType<typeof streamColumns>): Pick<ImportPlan, 'streams' | 'newBatch'> {
  const { mech, ae, labels } = cols;
  const named: [string, ColumnSpec[]][] = [
    ['mech', mech.length > 1 ? mech : []],
    ['ae', ae],
    ['labels', labels],
  ];
  const present = named.filter(([, c]) => c.length > 0);
  return {
    streams: (sampleRateHz, startTimeS) => Object.fromEntries(present.map(([name, columns]) => [name, { file: `${name}.arrows`, sampleRateHz, startTimeS, columns }])),
    newBatch: (n) => Object.fromEntries(present.map(([name, columns]) => [name, Object.fromEntries(columns.map((c) => [c.name, c.type === 'float64' ? new Float64Array(n) : new Float32Array(n)]))])),
  };
}

/** Resolve the options against the layout, or refuse (a missing column, a contradiction, nothing to import). */
export function planImport(path: string, layout: TableLayout, o: CsvImportOptions): ImportPlan {
  refuseContradictions(path, o);
  const { fields, idx } = resolveFields(path, layout, o);
  const { t: iT, shear: iShear, normal: iNormal, mu: iMu, ae: iAe, ttf: iTtf, failure: iFail } = idx;
  const k = o.stressToMPa ?? 1;
  const constNormal = o.normalStressMPa;
  const hasMu = iMu >= 0 || (iShear >= 0 && (iNormal >= 0 || constNormal !== undefined));
  const nFeat = idx.variance.length + idx.rms.length;
  const notes: string[] = [];
  if (iShear >= 0 && !hasMu) notes.push('no normal stress: friction is unknown; training uses the shear stress as the friction target (give --normal-stress-mpa X to compute friction)');
  if (idx.rms.length) notes.push('AE RMS columns are stored squared, as variances');
  const cols = streamColumns(o, { shear: iShear >= 0, normal: iNormal >= 0 || (constNormal !== undefined && iShear >= 0), mu: hasMu, ae: iAe.length, features: nFeat, ttf: iTtf >= 0 });
  const feat = [...idx.variance, ...idx.rms.map((i) => -1 - i)]; // negative: an RMS field, squared

  return {
    layout,
    fields,
    timed: iT >= 0,
    has: { normal: iNormal >= 0, ttf: iTtf >= 0 },
    describe: JSON.stringify({ columns: Object.fromEntries(fields.map((f) => [f.what, f.col])), rateHz: o.rateHz, normalStressMPa: constNormal, stressToMPa: k }),
    notes,
    read: (v, i) => ({
      t: iT >= 0 ? v[iT] : (o.startS ?? 0) + i / o.rateHz!,
      normal: iNormal >= 0 ? v[iNormal] * k : undefined,
      minFeature: nFeat ? Math.min(...feat.map((f) => (f >= 0 ? v[f] : v[-1 - f]))) : undefined,
      ttf: iTtf >= 0 ? v[iTtf] : undefined,
      failure: iFail >= 0 ? v[iFail] : undefined,
    }),
    ...streamsOf(cols),
    fill: (b, j, v, t) => {
      if (b.mech) {
        const m = b.mech;
        m.time_s[j] = t ?? v[iT];
        const shear = iShear >= 0 ? v[iShear] * k : Number.NaN;
        const normal = iNormal >= 0 ? v[iNormal] * k : (constNormal ?? Number.NaN);
        if (m.shear_stress_MPa) m.shear_stress_MPa[j] = shear;
        if (m.normal_stress_MPa) m.normal_stress_MPa[j] = normal;
        if (m.mu) m.mu[j] = iMu >= 0 ? v[iMu] : shear / normal;
      }
      if (b.ae) iAe.length ? iAe.forEach((f, c) => (b.ae[`ae${c}`][j] = v[f])) : feat.forEach((f, c) => (b.ae[`ae${c}_variance`][j] = f >= 0 ? v[f] : v[-1 - f] ** 2));
      if (b.labels) b.labels.ttf_s[j] = v[iTtf];
    },
  };
}
