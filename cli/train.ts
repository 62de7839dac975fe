/**
 * npm run train -- --strategy NAME --out DIR [options]
 * Trains one model by a strategy of training/strategies.ts and saves it with its manifest.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type CliSpec, CliError, numberOption, parseCli, runCli } from './args.ts';
import { cedFor, parameterSplit } from '../model/ced.ts';
import { loadModel, saveModel } from '../model/io.ts';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelManifest, type Target } from '../model/manifest.ts';
import { modelSpec } from '../model/spec.ts';
import { BACKENDS, initBackend } from '../model/tfjs/backend.ts';
import { type ConditionedRecording, conditionRecording, normalisationOver } from '../training/dataset.ts';
import { parseSpan, rangeSeconds, spanRange } from '../training/spans.ts';
import { presetById, WINDOW_PRESETS } from '../training/presets.ts';
import { initialModel, normalisationRange, placementOf, STRATEGIES, STRATEGY_NAMES, type Strategy, strategyWindows } from '../training/strategies.ts';
import { trainModel } from '../training/train.ts';

const SPEC = {
  command: 'npm run train',
  summary: 'Train a convolutional encoder-decoder (CED) and save it with its manifest.',
  usage: 'npm run train -- --strategy NAME --out DIR [options]',
  options: {
    strategy: { type: 'string', value: 'NAME', choices: STRATEGY_NAMES, doc: 'training strategy (below; required)' },
    out: { type: 'string', value: 'DIR', doc: 'where the model goes (required)' },
    from: { type: 'string', value: 'DIR', doc: 'the pre-trained model (strategies that start from one)' },
    target: { type: 'string', value: 'T', default: 'friction', choices: ['friction', 'ttf'], doc: 'what the model predicts' },
    preset: { type: 'string', value: 'ID', choices: Object.keys(WINDOW_PRESETS), doc: "window preset (default: the strategy's)" },
    recordings: { type: 'string', value: 'DIR', default: join(import.meta.dirname, '..', 'data', 'recordings'), doc: 'recordings (make them with npm run fixtures)' },
    'train-on': { type: 'string', value: 'REC[@FROM-TO]', doc: "train on this recording (a name under --recordings, or a directory) and span: seconds (120-180, 120s-180s) or percent (0-20%) (default: the strategy's)" },
    'validate-on': { type: 'string', value: 'REC[@FROM-TO]', doc: 'validate on this span (default: the span of the same length after --train-on, else its last 10 % of windows)' },
    epochs: { type: 'string', value: 'N', doc: "most epochs (default: the strategy's, else 40)" },
    patience: { type: 'string', value: 'N', doc: "stop after N epochs without validation improvement (default: the strategy's)" },
    batch: { type: 'string', value: 'N', default: '16', doc: 'batch size' },
    lr: { type: 'string', value: 'X', doc: "learning rate (default: the strategy's)" },
    seed: { type: 'string', value: 'N', default: '1', doc: 'initialisation and shuffling seed' },
    backend: { type: 'string', value: 'B', default: 'auto', choices: ['auto', ...BACKENDS], doc: 'tfjs backend' },
  },
  epilogue: `Strategies:\n${Object.entries(STRATEGIES)
    .map(([k, v]) => `  ${k.padEnd(12)} ${v.doc}`)
    .join('\n')}`,
} satisfies CliSpec;

/** Refuse a target the recording cannot provide, saying what it has. */
function usableFor(rec: ConditionedRecording, target: Target): void {
  if (target === 'friction' && rec.frictionSource === 'none') throw new Error(`${rec.id} has no friction or shear stress: train --target ttf (its labels come from ${rec.labelSource})`);
  if (target === 'ttf' && rec.failuresS.length < 2) throw new Error(`${rec.id}: ${rec.failuresS.length} failures found (from ${rec.labelSource}); TTF needs at least 2`);
}

const int = (flag: string, raw: string) => numberOption(flag, raw, { min: 1, integer: true });

async function main(): Promise<void> {
  const { values: v } = parseCli(SPEC);
  if (!v.strategy) throw new CliError('--strategy NAME is required (see --help)');
  if (!v.out) throw new CliError('--out DIR is required');
  const name = v.strategy as keyof typeof STRATEGIES;
  const strategy = STRATEGIES[name];
  if (strategy.from && !v.from) throw new CliError(`--from DIR (the pre-trained model) is required for ${name}`);
  const target = v.target as Target;
  const preset = presetById(v.preset ?? strategy.preset);
  const [batchSize, seed] = [int('batch', v.batch), int('seed', v.seed)];
  const epochs = v.epochs === undefined ? ((strategy as Strategy).epochs ?? 40) : int('epochs', v.epochs);
  const patience = v.patience === undefined ? strategy.patience : int('patience', v.patience);
  const learningRate = v.lr === undefined ? strategy.lr : numberOption('lr', v.lr, { min: 1e-9, max: 0.999 });
  const recordings = resolve(v.recordings);
  const trainOn = v['train-on'] ? parseSpan(v['train-on'], recordings) : null;
  const validateOn = v['validate-on'] ? parseSpan(v['validate-on'], recordings) : null;
  if (validateOn && !trainOn) throw new CliError('--validate-on needs --train-on');
  const recDir = trainOn?.dir ?? join(recordings, strategy.data);
  if (!existsSync(join(recDir, 'recording.json'))) throw new Error(`${recDir} is missing; run npm run fixtures first`);

  const backend = await initBackend(v.backend as 'auto');
  console.error(backend.summary);
  console.error(`conditioning ${recDir} at ${preset.sampleRateHz} Hz ...`);
  const rec = await conditionRecording(recDir, preset.sampleRateHz);
  usableFor(rec, target);
  const valRec = validateOn && validateOn.dir !== recDir ? await conditionRecording(validateOn.dir, preset.sampleRateHz) : rec;
  const place = placementOf(strategy, rec, trainOn ? spanRange(rec, trainOn) : undefined, validateOn ? { r: valRec, range: spanRange(valRec, validateOn) } : undefined);
  // the statistics of the training data only: what the monitor will serve with
  const norm = normalisationOver(rec, normalisationRange(place), target);
  const spec = modelSpec({ preset, ...norm });
  const { train, val } = strategyWindows(place, spec, target);
  const secs = (r: typeof rec, x: [number, number]) => rangeSeconds(r, x).map((t) => t.toFixed(1)).join('-');
  const vr = 'range' in place.validation ? `${place.validation.r.id} ${secs(place.validation.r, place.validation.range)} s` : 'the last training windows';
  console.error(`${train.count} training windows (${rec.id} ${secs(rec, place.train.range)} s, ${rec.conditioning} AE, target ${target === 'friction' ? rec.frictionSource : `TTF from ${rec.labelSource}`}) and ${val.count} validation windows (${vr})`);

  const pre = strategy.from ? await loadModel(resolve(v.from!)) : null;
  if (pre && pre.manifest.target !== target) throw new Error(`--from model predicts ${pre.manifest.target}, not ${target}`);
  const ced = pre ? pre.manifest.ced : cedFor(preset, { seed, name: `ced-${target}` });
  if (ced.samples !== spec.windowSamples || ced.scales !== spec.scales) throw new Error(`--from model takes ${ced.scales} x ${ced.samples} scalograms; preset ${preset.id} makes ${spec.scales} x ${spec.windowSamples}`);
  const model = initialModel(strategy, pre?.model ?? null, { ...ced, seed });
  const split = parameterSplit(model);
  console.error(`parameters: ${split.total} (encoder ${split.encoder}, latent ${split.latent}, decoder ${split.decoder}, head ${split.head}); training ${strategy.blocks.join(' + ')}`);
  const out = resolve(v.out);
  const manifestFor = (bestValidationLoss: number, epochsRun: number, seconds: number): ModelManifest => ({
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    name: `${name}-${target}`,
    target,
    preset,
    ced,
    ...norm,
    training: { strategy: name, trainedOn: [...(pre?.manifest.training.trainedOn ?? []), trainOn ? trainOn.text : rec.id], trainableBlocks: [...strategy.blocks], epochs: epochsRun, seed, backend: backend.name, bestValidationLoss, learningRate, seconds: Math.round(seconds) },
  });
  const result = await trainModel(model, train, val, {
    epochs,
    patience,
    batchSize,
    learningRate,
    seed,
    trainable: strategy.blocks,
    onBatch: (done, total, loss) => {
      if (process.stderr.isTTY) process.stderr.write(`\r${done}/${total} batches  loss ${loss.toFixed(4)}`);
    },
    onEpoch: async (e) => {
      if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
      console.error(`epoch ${String(e.epoch).padStart(3)}/${e.epochs}  loss ${e.trainLoss.toFixed(4)}  val ${e.valLoss.toFixed(4)}${e.best ? ' *' : '  '}  elapsed ${e.elapsedS.toFixed(0)} s  eta <= ${e.etaS.toFixed(0)} s`);
      // checkpoint: the best model so far is always on disk
      if (e.best) await saveModel(model, out, manifestFor(e.valLoss, e.epoch, e.elapsedS));
    },
  });
  await saveModel(model, out, manifestFor(result.bestValLoss, result.epochsRun, result.seconds));
  console.error(`best validation loss ${result.bestValLoss.toFixed(4)} at epoch ${result.bestEpoch}; ${result.seconds.toFixed(0)} s; saved ${out}`);
}

if (process.argv[1] === import.meta.filename) runCli(SPEC.command, main);
