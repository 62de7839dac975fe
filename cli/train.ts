/**
 * npm run train -- --strategy NAME [options]
 * Trains one CED on generated (or imported) recordings and saves it with its manifest.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type * as tfTypes from '@tensorflow/tfjs';
import { buildCed, DEFAULT_CED, type Block, parameterSplit } from '../model/ced.ts';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelManifest, type Target } from '../model/manifest.ts';
import { type BackendChoice, initBackend } from '../model/tfjs/backend.ts';
import { conditionRecording, type ConditionedRecording, makeWindows, statsOver, subsetWindows, type WindowSet } from '../training/dataset.ts';
import { portionRange, type Range, splitRange } from '../training/splits.ts';
import { loadModel, saveModel } from '../model/io.ts';
import { trainModel } from '../training/train.ts';
import { presetById, WINDOW_PRESETS } from '../training/presets.ts';

/** Where the training and validation windows come from: two ranges, or one range split by windows. */
type Split = (r: ConditionedRecording) => { train: Range; validation: Range } | { portion: Range; trainFraction: number };
const labSplit: Split = (r) => ({ train: splitRange(r, 'lab', 'train'), validation: splitRange(r, 'lab', 'validation') });
/**
 * One cycle's portion (seed 000 used the second cycle of p4677): its windows, 90 % to train and
 * the last 10 % to validate (a portion is only a few seconds: splitting its time would leave the
 * validation part shorter than one window).
 */
const portionSplit =
  (which: 'pre' | 'post'): Split =>
  (r) => ({ portion: portionRange(r, which, 1), trainFraction: 0.9 });

/** Each strategy: its data, split, preset, which blocks train, learning rate (seeds 000 and 003). */
export const STRATEGIES = {
  pretrain: { data: 'sim', split: ((r) => ({ train: splitRange(r, 'simulation', 'train'), validation: splitRange(r, 'simulation', 'validation') })) as Split, preset: '2s', blocks: ['encoder', 'latent', 'decoder'], lr: 1e-3, from: false, doc: 'train every block on the simulation (60/20/20)' },
  'lab-only': { data: 'p4677', split: labSplit, preset: '2s', blocks: ['encoder', 'latent', 'decoder'], lr: 1e-3, from: false, doc: 'train every block from scratch on the first 20 % of p4677 (20/20/60)' },
  // 3e-3: the latent space alone converges in ~30 epochs (1e-3 needed 60 for a worse validation loss; docs/model.md)
  'cross-train': { data: 'p4677', split: labSplit, preset: '2s', blocks: ['latent'], lr: 3e-3, from: true, doc: 'seed 000: encoder and decoder frozen, the latent space trained on the first 20 % of p4677' },
  'fine-tune': { data: 'p4677', split: labSplit, preset: '2s', blocks: ['encoder', 'latent', 'decoder'], lr: 5e-5, from: true, doc: 'seed 003: every layer trained at 5e-5 on the first 20 % of p4677' },
  'limited-pre': { data: 'p4677', split: portionSplit('pre'), preset: '0.4s', blocks: ['latent'], lr: 1e-3, from: true, doc: 'seed 000: latent space only, on the pre-failure portion of one p4677 cycle, 0.4 s windows, 90/10' },
  'limited-post': { data: 'p4677', split: portionSplit('post'), preset: '0.4s', blocks: ['latent'], lr: 1e-3, from: true, doc: 'seed 000: latent space only, on the post-failure portion of one p4677 cycle, 0.4 s windows, 90/10' },
} as const;
export type StrategyName = keyof typeof STRATEGIES;

const HELP = `Train a convolutional encoder-decoder (CED) and save it with its manifest.

Usage: npm run train -- --strategy NAME --out DIR [options]

Strategies:
${Object.entries(STRATEGIES)
  .map(([k, v]) => `  ${k.padEnd(12)} ${v.doc}`)
  .join('\n')}

Options:
  --strategy NAME     one of the above (required)
  --out DIR           where the model goes (required)
  --from DIR          the pre-trained model (cross-train, fine-tune)
  --target T          friction or ttf (default friction)
  --preset ID         window preset: ${Object.keys(WINDOW_PRESETS).join(', ')} (default: the strategy's)
  --recordings DIR    recordings (default data/recordings; make them with npm run fixtures)
  --epochs N          most epochs (default 40)
  --patience N        stop after N epochs without validation improvement (default 8; the
                      limited-data strategies default to 100, as in seed 000)
  --batch N           batch size (default 16)
  --lr X              learning rate (default: the strategy's: 1e-3; cross-train 3e-3; fine-tune 5e-5)
  --seed N            initialisation and shuffling seed (default 1)
  --backend B         auto, tensorflow-gpu, tensorflow, wasm, cpu (default auto)
  -h, --help          this help`;

function positiveInt(flag: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} must be a whole number >= 1, got ${v}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      strategy: { type: 'string' },
      out: { type: 'string' },
      from: { type: 'string' },
      target: { type: 'string', default: 'friction' },
      preset: { type: 'string' },
      recordings: { type: 'string', default: join(import.meta.dirname, '..', 'data', 'recordings') },
      epochs: { type: 'string', default: '40' },
      patience: { type: 'string' },
      batch: { type: 'string', default: '16' },
      lr: { type: 'string' },
      seed: { type: 'string', default: '1' },
      backend: { type: 'string', default: 'auto' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  const name = values.strategy as StrategyName;
  const strategy = STRATEGIES[name];
  if (!strategy) throw new Error(`--strategy must be one of ${Object.keys(STRATEGIES).join(', ')} (see --help)`);
  if (!values.out) throw new Error('--out DIR is required');
  if (strategy.from && !values.from) throw new Error(`--from DIR (the pre-trained model) is required for ${name}`);
  const target = values.target as Target;
  if (target !== 'friction' && target !== 'ttf') throw new Error(`--target must be friction or ttf, got ${values.target}`);
  const preset = presetById(values.preset ?? strategy.preset);
  const epochs = positiveInt('epochs', values.epochs);
  const patience = positiveInt('patience', values.patience ?? (name.startsWith('limited') ? '100' : '8'));
  const batchSize = positiveInt('batch', values.batch);
  const learningRate = values.lr === undefined ? strategy.lr : Number(values.lr);
  if (!(learningRate > 0 && learningRate < 1)) throw new Error(`--lr must be a number in (0, 1), got ${values.lr}`);
  const seed = positiveInt('seed', values.seed);
  const recDir = join(resolve(values.recordings!), strategy.data);
  if (!existsSync(join(recDir, 'recording.json'))) throw new Error(`${recDir} is missing; run npm run fixtures first`);

  const backend = await initBackend(values.backend as 'auto' | BackendChoice);
  console.error(backend.summary);
  console.error(`conditioning ${recDir} at ${preset.sampleRateHz} Hz ...`);
  const rec: ConditionedRecording = await conditionRecording(recDir, preset.sampleRateHz);
  const where = strategy.split(rec);
  const log10 = true;
  // per-experiment statistics, as in seed 000: each experiment is normalised by its own
  const stats = statsOver(rec, [0, rec.ae.length], target, log10);
  let train: WindowSet;
  let val: WindowSet;
  if ('portion' in where) {
    const all = makeWindows(rec, where.portion, preset, target, stats, log10);
    const cut = Math.max(1, Math.min(all.count - 1, Math.round(where.trainFraction * all.count)));
    train = subsetWindows(all, 0, cut);
    val = subsetWindows(all, cut, all.count);
  } else {
    train = makeWindows(rec, where.train, preset, target, stats, log10);
    val = makeWindows(rec, where.validation, preset, target, stats, log10);
  }
  console.error(`${train.count} training and ${val.count} validation windows`);

  let model: tfTypes.LayersModel;
  let ced = { ...DEFAULT_CED, seed, name: `ced-${target}` };
  let trainedBefore: string[] = [];
  if (strategy.from) {
    const loaded = await loadModel(resolve(values.from!));
    if (loaded.manifest.target !== target) throw new Error(`--from model predicts ${loaded.manifest.target}, not ${target}`);
    if (loaded.manifest.preset.windowS * loaded.manifest.preset.sampleRateHz !== preset.windowS * preset.sampleRateHz)
      throw new Error(`--from model takes ${loaded.manifest.preset.windowS * loaded.manifest.preset.sampleRateHz}-sample windows; preset ${preset.id} has ${preset.windowS * preset.sampleRateHz}`);
    model = loaded.model;
    ced = loaded.manifest.ced;
    trainedBefore = loaded.manifest.training.trainedOn;
  } else {
    model = buildCed(ced);
  }
  const split = parameterSplit(model);
  console.error(`parameters: ${split.total} (encoder ${split.encoder}, latent ${split.latent}, decoder ${split.decoder}); training ${strategy.blocks.join(' + ')}`);
  const out = resolve(values.out);
  const manifestFor = (bestValidationLoss: number, epochsRun: number, seconds: number): ModelManifest => ({
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    name: `${name}-${target}`,
    target,
    preset,
    ced,
    input: { conditioning: rec.conditioning, log10, stats: stats.input },
    output: { stats: stats.output },
    training: { strategy: name, trainedOn: [...trainedBefore, rec.id], trainableBlocks: [...strategy.blocks], epochs: epochsRun, seed, backend: backend.name, bestValidationLoss, learningRate, seconds: Math.round(seconds) },
  });
  const result = await trainModel(model, train, val, {
    epochs,
    patience,
    batchSize,
    learningRate,
    seed,
    trainable: strategy.blocks as readonly Block[],
    onBatch: (done, total, loss) => {
      if (!process.stderr.isTTY) return;
      const width = 30;
      const filled = Math.round((width * done) / total);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}  loss ${loss.toFixed(4)}`);
    },
    onEpoch: async (e) => {
      if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      console.error(
        `epoch ${String(e.epoch).padStart(3)}/${e.epochs}  loss ${e.trainLoss.toFixed(4)}  val ${e.valLoss.toFixed(4)}${e.best ? ' *' : '  '}  ` +
          `elapsed ${e.elapsedS.toFixed(0)} s  eta <= ${e.etaS.toFixed(0)} s`,
      );
      // checkpoint: the best model so far is always on disk
      if (e.best) await saveModel(model, out, manifestFor(e.valLoss, e.epoch, e.elapsedS));
    },
  });
  await saveModel(model, out, manifestFor(result.bestValLoss, result.epochsRun, result.seconds));
  console.error(`best validation loss ${result.bestValLoss.toFixed(4)} at epoch ${result.bestEpoch}; ${result.seconds.toFixed(0)} s; saved ${out}`);
}

if (process.argv[1] === import.meta.filename) {
  main().catch((e: unknown) => {
    console.error(`train: ${(e as Error).message}`);
    process.exit(1);
  });
}
