/**
 * npm run train -- --strategy NAME --out DIR [options]
 * Trains one model by a strategy of training/strategies.ts and saves it with its manifest.
 */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type CliSpec, CliError, numberOption, parseCli, runCli, type Values } from './args.ts';
import { cedFor, parameterSplit } from '../model/ced.ts';
import { loadModel, saveModel } from '../model/io.ts';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelManifest, type Target } from '../model/manifest.ts';
import { modelSpec } from '../model/spec.ts';
import { BACKENDS, initBackend } from '../model/tfjs/backend.ts';
import { type ConditionedRecording, conditionRecording, normalisationOver } from '../training/dataset.ts';
import { parseSpan, rangeSeconds, spanRange } from '../training/spans.ts';
import { DEFAULT_PRESET_ID, presetById, WINDOW_PRESETS } from '../training/presets.ts';
import { initialModel, normalisationRange, placementOf, STRATEGIES, STRATEGY_NAMES, type Strategy, strategyWindows } from '../training/strategies.ts';
import { trainModel } from '../training/train.ts';

const SPEC = {
  command: 'npm run train',
  summary: 'Train a convolutional encoder-decoder (CED) and save it with its manifest.',
  usage: 'npm run train -- --strategy NAME --out DIR [options]',
  options: {
    strategy: { type: 'string', value: 'NAME', choices: STRATEGY_NAMES, doc: 'training strategy (below; required)' },
    out: { type: 'string', value: 'DIR', doc: 'where the model goes (required)' },
    name: { type: 'string', value: 'NAME', doc: 'the model\'s name in its manifest, unique among the served models (default: STRATEGY-TARGET, with -PRESET for a preset other than 2s)' },
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


/** The command line as training settings: one-line errors for anything missing or out of range. */
function settingsOf(v: Values<typeof SPEC>) {
  if (!v.strategy) throw new CliError('--strategy NAME is required (see --help)');
  if (!v.out) throw new CliError('--out DIR is required');
  const name = v.strategy as keyof typeof STRATEGIES;
  const strategy: Strategy = STRATEGIES[name];
  if (strategy.from && !v.from) throw new CliError(`--from DIR (the pre-trained model) is required for ${name}`);
  // every option is checked before anything is read from disk
  const numbers = {
    batchSize: int('batch', v.batch),
    seed: int('seed', v.seed),
    epochs: v.epochs === undefined ? (strategy.epochs ?? 40) : int('epochs', v.epochs),
    patience: v.patience === undefined ? strategy.patience : int('patience', v.patience),
    learningRate: v.lr === undefined ? strategy.lr : numberOption('lr', v.lr, { min: 1e-9, max: 0.999 }),
  };
  const recordings = resolve(v.recordings);
  const trainOn = v['train-on'] ? parseSpan(v['train-on'], recordings) : null;
  const validateOn = v['validate-on'] ? parseSpan(v['validate-on'], recordings) : null;
  if (validateOn && !trainOn) throw new CliError('--validate-on needs --train-on');
  const recDir = trainOn?.dir ?? join(recordings, strategy.data);
  if (!existsSync(join(recDir, 'recording.json'))) throw new Error(`${recDir} is missing; run npm run fixtures first`);
  return {
    name,
    strategy,
    out: resolve(v.out),
    from: v.from ? resolve(v.from) : null,
    target: v.target as Target,
    preset: presetById(v.preset ?? strategy.preset),
    ...numbers,
    recDir,
    trainOn,
    validateOn,
    backend: v.backend as 'auto',
    modelName: v.name,
  };
}
type Settings = ReturnType<typeof settingsOf>;

/** The recording(s) conditioned at the preset's rate, the placement, its statistics and windows, said on stderr. */
async function dataFor(s: Settings) {
  console.error(`conditioning ${s.recDir} at ${s.preset.sampleRateHz} Hz ...`);
  const rec = await conditionRecording(s.recDir, s.preset.sampleRateHz);
  usableFor(rec, s.target);
  const { trainOn, validateOn } = s;
  const valRec = validateOn && validateOn.dir !== s.recDir ? await conditionRecording(validateOn.dir, s.preset.sampleRateHz) : rec;
  const place = placementOf(s.strategy, rec, trainOn ? spanRange(rec, trainOn) : undefined, validateOn ? { r: valRec, range: spanRange(valRec, validateOn) } : undefined);
  // the statistics of the training data only: what the monitor will serve with
  const norm = normalisationOver(rec, normalisationRange(place), s.target);
  const spec = modelSpec({ preset: s.preset, ...norm });
  const { train, val } = strategyWindows(place, spec, s.target);
  const secs = (r: typeof rec, x: [number, number]) => rangeSeconds(r, x).map((t) => t.toFixed(1)).join('-');
  const vr = 'range' in place.validation ? `${place.validation.r.id} ${secs(place.validation.r, place.validation.range)} s` : 'the last training windows';
  console.error(`${train.count} training windows (${rec.id} ${secs(rec, place.train.range)} s, ${rec.conditioning} AE, target ${s.target === 'friction' ? rec.frictionSource : `TTF from ${rec.labelSource}`}) and ${val.count} validation windows (${vr})`);
  return { rec, norm, spec, train, val };
}

async function main(): Promise<void> {
  const s = settingsOf(parseCli(SPEC).values);
  const { name, strategy, target, preset, seed, learningRate, out } = s;
  const backend = await initBackend(s.backend);
  console.error(backend.summary);
  const { rec, norm, spec, train, val } = await dataFor(s);

  const pre = s.from ? await loadModel(s.from) : null;
  if (pre && pre.manifest.target !== target) throw new Error(`--from model predicts ${pre.manifest.target}, not ${target}`);
  const ced = pre ? pre.manifest.ced : cedFor(preset, { seed, name: `ced-${target}` });
  if (ced.samples !== spec.windowSamples || ced.scales !== spec.scales) throw new Error(`--from model takes ${ced.scales} x ${ced.samples} scalograms; preset ${preset.id} makes ${spec.scales} x ${spec.windowSamples}`);
  const model = initialModel(strategy, pre?.model ?? null, { ...ced, seed });
  const split = parameterSplit(model);
  console.error(`parameters: ${split.total} (encoder ${split.encoder}, latent ${split.latent}, decoder ${split.decoder}, head ${split.head}); training ${strategy.blocks.join(' + ')}`);
  const manifestFor = (bestValidationLoss: number, epochsRun: number, seconds: number): ModelManifest => ({
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    name: s.modelName ?? `${name}-${target}${preset.id === DEFAULT_PRESET_ID ? '' : `-${preset.id}`}`,
    target,
    preset,
    ced,
    ...norm,
    training: { strategy: name, trainedOn: [...(pre?.manifest.training.trainedOn ?? []), s.trainOn ? s.trainOn.text : rec.id], trainableBlocks: [...strategy.blocks], epochs: epochsRun, seed, backend: backend.name, bestValidationLoss, learningRate, seconds: Math.round(seconds) },
  });
  const result = await trainModel(model, train, val, {
    epochs: s.epochs,
    patience: s.patience,
    batchSize: s.batchSize,
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
