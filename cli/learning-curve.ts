/**
 * npm run learning-curve -- --pretrained DIR [options]
 * Seed 003's question on seed 000's data: how does friction error fall with the amount of lab
 * training data, for a model from scratch, the cross-trained CED (latent space only), a frozen
 * pre-trained encoder with new application layers, and the fine-tuned CED (every layer at 5e-5)?
 * Writes a JSON file after every run, so an interrupted run keeps what it finished.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type * as tfTypes from '@tensorflow/tfjs';
import { type Block, buildCed, buildHeadModel } from '../model/ced.ts';
import { type BackendChoice, initBackend } from '../model/tfjs/backend.ts';
import { conditionRecording, makeWindows, statsOver, truthOf } from '../training/dataset.ts';
import { mape, modelPredictor, predictSeries } from '../training/evaluate.ts';
import { createInference } from '../model/runtime/inference.ts';
import { STRATEGIES } from './train.ts';
import { loadModel } from '../model/io.ts';
import { cyclesRange, splitRange } from '../training/splits.ts';
import { trainModel } from '../training/train.ts';
import { presetById } from '../training/presets.ts';

export const CURVE_STRATEGIES = ['scratch', 'cross-train', 'frozen-head', 'fine-tune'] as const;
type CurveStrategy = (typeof CURVE_STRATEGIES)[number];

export interface CurvePoint {
  strategy: CurveStrategy;
  cycles: number;
  seed: number;
  trainWindows: number;
  mapePct: number;
  epochs: number;
  seconds: number;
}

const HELP = `Learning curves: friction MAPE on the p4677 test split (last 60 %) against the amount of lab
training data, for ${CURVE_STRATEGIES.join(', ')}.

Usage: npm run learning-curve -- --pretrained DIR [options]

Options:
  --pretrained DIR   the CED pre-trained on the simulation (required)
  --recordings DIR   recordings (default data/recordings)
  --cycles LIST      amounts of training data in cycles (default 0.5,1,2,4,6)
  --seeds LIST       seeds (default 1,2,3)
  --strategies LIST  subset of ${CURVE_STRATEGIES.join(',')} (default all)
  --epochs N         most epochs per run (default 25)
  --patience N       early-stopping patience (default 5)
  --out FILE         JSON results (default docs/learning-curve.json); existing points are kept
  --backend B        auto, tensorflow-gpu, tensorflow, wasm, cpu (default auto)
  -h, --help         this help`;

function list(flag: string, v: string | undefined): number[] {
  const xs = (v ?? '').split(',').map(Number);
  if (xs.length === 0 || xs.some((x) => !(x > 0))) throw new Error(`--${flag} must be a comma-separated list of positive numbers, got ${v}`);
  return xs;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      pretrained: { type: 'string' },
      recordings: { type: 'string', default: join(import.meta.dirname, '..', 'data', 'recordings') },
      cycles: { type: 'string', default: '0.5,1,2,4,6' },
      seeds: { type: 'string', default: '1,2,3' },
      strategies: { type: 'string', default: CURVE_STRATEGIES.join(',') },
      epochs: { type: 'string', default: '25' },
      patience: { type: 'string', default: '5' },
      out: { type: 'string', default: join(import.meta.dirname, '..', 'docs', 'learning-curve.json') },
      backend: { type: 'string', default: 'auto' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  if (!values.pretrained) throw new Error('--pretrained DIR is required (see --help)');
  const strategies = values.strategies!.split(',') as CurveStrategy[];
  for (const s of strategies) if (!CURVE_STRATEGIES.includes(s)) throw new Error(`unknown strategy "${s}"; valid: ${CURVE_STRATEGIES.join(', ')}`);
  const cycles = list('cycles', values.cycles);
  const seeds = list('seeds', values.seeds);
  const epochs = list('epochs', values.epochs)[0];
  const patience = list('patience', values.patience)[0];
  const out = resolve(values.out!);
  const points: CurvePoint[] = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as { points: CurvePoint[] }).points : [];

  console.error((await initBackend(values.backend as 'auto' | BackendChoice)).summary);
  const preset = presetById('2s');
  const rec = await conditionRecording(join(resolve(values.recordings!), 'p4677'), preset.sampleRateHz);
  const stats = statsOver(rec, [0, rec.ae.length], 'friction', true);
  const val = makeWindows(rec, splitRange(rec, 'lab', 'validation'), preset, 'friction', stats, true);
  const test = makeWindows(rec, splitRange(rec, 'lab', 'test'), preset, 'friction', stats, true);
  const pretrainedDir = resolve(values.pretrained);

  for (const seed of seeds) {
    for (const c of cycles) {
      for (const strategy of strategies) {
        if (points.some((p) => p.strategy === strategy && p.cycles === c && p.seed === seed)) continue;
        const train = makeWindows(rec, cyclesRange(rec, c), preset, 'friction', stats, true);
        let model: tfTypes.LayersModel;
        let trainable: Block[];
        // the learning rates of the train CLI's strategies (one place: STRATEGIES)
        let lr: number = STRATEGIES['lab-only'].lr;
        if (strategy === 'scratch') {
          model = buildCed({ seed });
          trainable = ['encoder', 'latent', 'decoder'];
        } else {
          const pre = (await loadModel(pretrainedDir)).model;
          if (strategy === 'cross-train') {
            model = pre;
            trainable = ['latent'];
            lr = STRATEGIES['cross-train'].lr;
          } else if (strategy === 'fine-tune') {
            model = pre;
            trainable = ['encoder', 'latent', 'decoder'];
            lr = STRATEGIES['fine-tune'].lr;
          } else {
            model = buildHeadModel(pre, { seed });
            trainable = ['head'];
          }
        }
        const r = await trainModel(model, train, val, { epochs, patience, batchSize: 16, learningRate: lr, seed, trainable });
        const inference = await createInference(model, { threads: 2 });
        const m = mape(await predictSeries(modelPredictor(inference, test, preset), test, stats.output), truthOf(rec, 'friction'));
        await inference.dispose();
        points.push({ strategy, cycles: c, seed, trainWindows: train.count, mapePct: m, epochs: r.epochsRun, seconds: r.seconds });
        writeFileSync(out, `${JSON.stringify({ test: 'p4677 last 60 %, friction MAPE', points }, null, 1)}\n`);
        console.error(`${strategy.padEnd(12)} ${String(c).padStart(4)} cycles seed ${seed}: ${train.count} windows, MAPE ${m.toFixed(3)} %, ${r.epochsRun} epochs, ${r.seconds.toFixed(0)} s`);
        model.dispose();
      }
    }
  }
}

if (process.argv[1] === import.meta.filename) {
  main().catch((e: unknown) => {
    console.error(`learning-curve: ${(e as Error).message}`);
    process.exit(1);
  });
}
