/**
 * One point of seed 003's learning curve: train a strategy on some cycles of p4677 (drawn anew for
 * every seed: training/ae-curve.ts), then score it through the serving path (training/evaluate.ts)
 * on the p4677 test split.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { cedFor } from '../model/ced.ts';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelManifest } from '../model/manifest.ts';
import { createInference } from '../model/runtime/inference.ts';
import { modelSpec } from '../model/spec.ts';
import type { WindowPreset } from '../shared/signal/window-preset.ts';
import { type ConditionedRecording, makeWindows, normalisationOver, truthOf, type WindowSet } from './dataset.ts';
import { predictRecording, scoreOver, servingModel } from './evaluate.ts';
import { type Range, splitRange } from './splits.ts';
import { dataSeed, drawStretches, trainingCycles, windowsInStretches } from './ae-curve.ts';
import { windowsAt } from './ae-ced-row.ts';
import { Rng } from '../shared/random.ts';
import { CURVE_STRATEGIES, type CurveStrategy, initialModel, STRATEGIES } from './strategies.ts';
import { trainModel } from './train.ts';

export interface CurvePoint {
  strategy: CurveStrategy;
  cycles: number;
  seed: number;
  trainWindows: number;
  mapePct: number;
  epochs: number;
  seconds: number;
}

export interface CurveSetup {
  rec: ConditionedRecording;
  /** the recording's directory (the serving path replays its raw AE) */
  dir: string;
  preset: WindowPreset;
  pretrained: () => Promise<tfTypes.LayersModel>;
  epochs: number;
  patience: number;
}

/** Seconds of AE before the test split fed to the pipeline, so its first test window is complete. */
const LEAD_S = 10;

export async function curvePoint(s: CurveSetup, strategy: CurveStrategy, cycles: number, seed: number, val: WindowSet): Promise<CurvePoint> {
  const def = STRATEGIES[CURVE_STRATEGIES[strategy]];
  // the lab split's training part: the same statistics for every point and its validation windows, none from the test part
  const norm = normalisationOver(s.rec, splitRange(s.rec, 'lab', 'train'), 'friction');
  const spec = modelSpec({ preset: s.preset, ...norm });
  // each seed draws its own cycles (training/ae-curve.ts), so the spread is not initialisation alone
  const all = makeWindows(s.rec, splitRange(s.rec, 'lab', 'train'), spec, 'friction');
  const drawn = windowsInStretches(all.starts, all.samples, s.rec, drawStretches(trainingCycles(s.rec), cycles, new Rng(dataSeed(seed, cycles))));
  const train = windowsAt(all, drawn.map((k) => all.starts[k]));
  const ced = cedFor(s.preset, { seed, name: 'ced-friction' });
  const model = initialModel(def, def.from ? await s.pretrained() : null, ced);
  const r = await trainModel(model, train, val, { epochs: s.epochs, patience: s.patience, batchSize: 16, learningRate: def.lr, seed, trainable: def.blocks });
  const manifest: ModelManifest = {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    name: `curve-${strategy}`,
    target: 'friction',
    preset: s.preset,
    ced,
    ...norm,
    training: { strategy: CURVE_STRATEGIES[strategy], trainedOn: [s.rec.id], trainableBlocks: [...def.blocks], epochs: r.epochsRun, seed, backend: 'tfjs', bestValidationLoss: r.bestValLoss },
  };
  const test: Range = splitRange(s.rec, 'lab', 'test');
  const inference = await createInference(model, { threads: 2 });
  try {
    const fromS = Math.max(0, (s.rec.startIndex + test[0]) / s.rec.rateHz - LEAD_S);
    const p = await predictRecording(servingModel(inference, manifest), s.dir, { fromS });
    return { strategy, cycles, seed, trainWindows: train.count, mapePct: scoreOver(p, truthOf(s.rec, 'friction'), test).mapePct, epochs: r.epochsRun, seconds: r.seconds };
  } finally {
    await inference.dispose();
    model.dispose();
  }
}
