/**
 * What `npm run evaluate` scores, through the serving path (training/evaluate.ts): each model on
 * the p4677 test split, on each p4581 load level, and (simulation-conditioned models) on the
 * simulation's test split. The headline is the served normalisation (the manifest's statistics,
 * what the monitor shows); the paper's protocol (each experiment's or level's own statistics) is
 * a second, separately labelled score. Baselines that need no training sit beside them.
 */
import { isAbsolute, join } from 'node:path';
import type * as tfTypes from '@tensorflow/tfjs';
import type { ModelManifest, Target } from '../model/manifest.ts';
import { createInference, type RuntimeChoice } from '../model/runtime/inference.ts';
import { modelSpec } from '../model/spec.ts';
import { readRecordingMeta } from '../recording/recording.ts';
import type { SeriesScores } from '../shared/metrics.ts';
import { type ConditionedRecording, conditionRecording, makeWindows, normalisationOver, type Truth, truthOf } from './dataset.ts';
import { type AveragedPrediction, averageWindows, predictRecording, scoreOver, servingModel } from './evaluate.ts';
import { levelRanges, type Range, splitRange } from './splits.ts';
import { rangeSeconds, type SpanSpec, spanRange } from './spans.ts';

/** TTF MAPE is undefined near failure (TTF -> 0); it is computed where TTF >= 1 s. */
export const TTF_MAPE_FLOOR_S = 1;
/** AE seconds fed before a scored range, so its first windows are complete (the paper-protocol runs start mid-recording). */
const LEAD_S = 10;

export interface ScoreRow {
  model: string;
  target: Target;
  testedOn: string;
  /** with the manifest's normalisation: what the monitor shows */
  served: SeriesScores;
  /** with the tested experiment's (or load level's) own statistics: seed 000's protocol */
  paper?: SeriesScores;
}

/** A scored range of a recording, with its own statistics' range for the paper protocol. */
interface Case {
  id: string;
  label: string;
  range: Range;
  /** paper protocol: statistics over this range; the whole experiment when it is the test split */
  statsRange: Range;
  /** the paper-protocol run feeds only this much AE (seconds); undefined: all */
  fromS?: number;
  toS?: number;
}

export class Evaluation {
  private cache = new Map<string, ConditionedRecording>();
  constructor(
    private recordings: string,
    private runtime: 'auto' | RuntimeChoice = 'auto',
    private log: (line: string) => void = () => {},
    /** score on these spans (--test-on) instead of the bundled experiments' test parts */
    private testOn: SpanSpec[] = [],
  ) {}

  /** A recording's directory: a name under the recordings folder, or a directory (--test-on). */
  private dirOf(id: string): string {
    return isAbsolute(id) ? id : join(this.recordings, id);
  }

  async recording(id: string, rateHz: number): Promise<ConditionedRecording> {
    const key = `${id}@${rateHz}`;
    if (!this.cache.has(key)) {
      this.log(`conditioning ${id} at ${rateHz} Hz ...`);
      this.cache.set(key, await conditionRecording(this.dirOf(id), rateHz));
    }
    return this.cache.get(key)!;
  }

  /** The ranges a model is scored on: p4677 test, each p4581 level, and the simulation's test split for simulation models. */
  async cases(m: ModelManifest): Promise<Case[]> {
    const rate = m.preset.sampleRateHz;
    if (this.testOn.length) return this.spanCases(rate);
    if (m.input.conditioning !== 'envelope') {
      const sim = await this.recording('sim', rate);
      return [{ id: 'sim', label: 'sim test', range: splitRange(sim, 'simulation', 'test'), statsRange: [0, sim.ae.length] }];
    }
    const lab = await this.recording('p4677', rate);
    const out: Case[] = [{ id: 'p4677', label: 'p4677 test', range: splitRange(lab, 'lab', 'test'), statsRange: [0, lab.ae.length] }];
    const p4581 = await this.recording('p4581', rate);
    for (const { normalStressMPa, range } of levelRanges(p4581, readRecordingMeta(join(this.recordings, 'p4581')).normalStressSchedule)) {
      if (range[1] - range[0] < 2 * rate * m.preset.windowS) continue;
      const [fromS, toS] = [(p4581.startIndex + range[0]) / rate, (p4581.startIndex + range[1]) / rate];
      out.push({ id: 'p4581', label: `p4581 @ ${normalStressMPa} MPa`, range, statsRange: range, fromS: Math.max(0, fromS - LEAD_S), toS });
    }
    return out;
  }

  /** The --test-on spans as cases (the paper protocol's statistics over the span itself). */
  private async spanCases(rate: number): Promise<Case[]> {
    const out: Case[] = [];
    for (const s of this.testOn) {
      const r = await this.recording(s.dir, rate);
      const range = spanRange(r, s);
      const [fromS, toS] = rangeSeconds(r, range);
      out.push({ id: s.dir, label: `${r.id} ${fromS.toFixed(1)}-${toS.toFixed(1)} s`, range, statsRange: range, fromS: Math.max(0, fromS - LEAD_S), toS });
    }
    return out;
  }

  /** Every case of a model, served and under the paper protocol, plus the constant baseline. */
  async scoreModel(model: tfTypes.LayersModel, manifest: ModelManifest): Promise<ScoreRow[]> {
    const inference = await createInference(model, { runtime: this.runtime, threads: 2 });
    this.log(`${manifest.name}: inference ${inference.name}${inference.fallbackReason ? ` (${inference.fallbackReason})` : ''}`);
    const rows: ScoreRow[] = [];
    const opts = { mapeFloor: manifest.target === 'ttf' ? TTF_MAPE_FLOOR_S : 0 };
    try {
      const served = new Map<string, AveragedPrediction>();
      for (const c of await this.cases(manifest)) {
        const rec = await this.recording(c.id, manifest.preset.sampleRateHz);
        const truth = truthOf(rec, manifest.target);
        if (!served.has(c.id)) served.set(c.id, await predictRecording(servingModel(inference, manifest), this.dirOf(c.id)));
        const own: ModelManifest = { ...manifest, ...normalisationOver(rec, c.statsRange, manifest.target, manifest.input.log10) };
        const paper = await predictRecording(servingModel(inference, own), this.dirOf(c.id), { fromS: c.fromS, toS: c.toS });
        rows.push({ model: manifest.name, target: manifest.target, testedOn: c.label, served: scoreOver(served.get(c.id)!, truth, c.range, opts), paper: scoreOver(paper, truth, c.range, opts) });
        this.log(`${manifest.name} on ${c.label}: R^2 ${rows.at(-1)!.served.r2.toFixed(3)} served, ${rows.at(-1)!.paper!.r2.toFixed(3)} paper protocol`);
      }
      if (manifest.input.conditioning !== 'envelope' && !this.testOn.length) rows.push(await this.zeroShot(inference, manifest, opts));
    } finally {
      await inference.dispose();
    }
    return rows;
  }

  /**
   * Seed 000's zero-shot row: a simulation model on the lab's test split, the lab's AE conditioned
   * as lab AE and normalised by the lab's own statistics (the paper protocol). It cannot be served:
   * its manifest knows only the simulation's statistics, so the served columns stay empty.
   */
  private async zeroShot(inference: Parameters<typeof servingModel>[0], manifest: ModelManifest, opts: { mapeFloor: number }): Promise<ScoreRow> {
    const rec = await this.recording('p4677', manifest.preset.sampleRateHz);
    const range = splitRange(rec, 'lab', 'test');
    const own: ModelManifest = { ...manifest, ...normalisationOver(rec, [0, rec.ae.length], manifest.target, manifest.input.log10) };
    const paperScore = scoreOver(await predictRecording(servingModel(inference, own), this.dirOf('p4677')), truthOf(rec, manifest.target), range, opts);
    const notServable = Object.fromEntries(Object.keys(paperScore).map((k) => [k, Number.NaN])) as unknown as typeof paperScore;
    this.log(`${manifest.name} zero-shot on p4677 test: R^2 ${paperScore.r2.toFixed(3)} (paper protocol)`);
    return { model: `${manifest.name} (zero-shot)`, target: manifest.target, testedOn: 'p4677 test', served: notServable, paper: paperScore };
  }

  /**
   * Baselines that need no training, on every case of a model: the training mean (the manifest's
   * output mean, a constant) served; the tested range's own mean under the paper protocol.
   */
  async constantBaseline(manifest: ModelManifest): Promise<ScoreRow[]> {
    const rows: ScoreRow[] = [];
    const opts = { mapeFloor: manifest.target === 'ttf' ? TTF_MAPE_FLOOR_S : 0 };
    for (const c of await this.cases(manifest)) {
      const truth = truthOf(await this.recording(c.id, manifest.preset.sampleRateHz), manifest.target);
      const ownMean = normalisationOver(await this.recording(c.id, manifest.preset.sampleRateHz), c.statsRange, manifest.target).output.stats.mean;
      rows.push({ model: 'constant: training mean', target: manifest.target, testedOn: c.label, served: scoreOver(constant(truth, manifest.output.stats.mean), truth, c.range, opts), paper: scoreOver(constant(truth, ownMean), truth, c.range, opts) });
    }
    return rows;
  }

  /**
   * Reference rows on the p4677 test split that bound what a CED can reach: the true friction
   * scalogram (with and without the window mean) reconstructed by the model spec and averaged by
   * the pipeline's operator, under the served normalisation.
   */
  async references(manifest: ModelManifest): Promise<ScoreRow[]> {
    const lab = await this.recording('p4677', manifest.preset.sampleRateHz);
    const spec = modelSpec(manifest);
    const range = splitRange(lab, 'lab', 'test');
    const set = makeWindows(lab, range, spec, manifest.target);
    const size = set.scales * set.samples;
    const rebuild = (withMean: boolean) =>
      averageWindows(
        set.starts.map((startIndex, k) => ({ startIndex, series: spec.reconstruct([set.y.slice(k * size, (k + 1) * size), Float32Array.of(withMean ? set.yMean[k] : 0)]) })),
        set.samples,
      );
    const truth = truthOf(lab, manifest.target);
    return [
      { model: 'reference: true scalogram and window mean', target: manifest.target, testedOn: 'p4677 test', served: scoreOver(await rebuild(true), truth, range) },
      { model: 'reference: true scalogram alone (seed 000 CED ceiling)', target: manifest.target, testedOn: 'p4677 test', served: scoreOver(await rebuild(false), truth, range) },
    ];
  }
}

/** A constant prediction over the whole truth. */
function constant(truth: Truth, value: number): AveragedPrediction {
  const n = truth.values.length;
  return { startIndex: truth.startIndex, mean: new Float32Array(n).fill(value), std: new Float32Array(n), count: new Uint16Array(n).fill(1) };
}
