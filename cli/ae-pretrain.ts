/**
 * npm run ae-pretrain [options]
 * Seed 003's self-supervised step: autoencoders (undercomplete, overcomplete) trained to reconstruct
 * AE scalograms of unlabelled recordings, saved under OUT/ae-<kind>-d<depth>.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { type CliSpec, CliError, numberOption, parseCli, runCli } from './args.ts';
import type { AutoencoderKind } from '../model/autoencoder.ts';
import { saveAutoencoder } from '../model/autoencoder-io.ts';
import { BACKENDS, initBackend } from '../model/tfjs/backend.ts';
import { pretrainAutoencoder, unlabelledData } from '../training/autoencoder-pretrain.ts';
import { conditionRecording } from '../training/dataset.ts';
import { presetById } from '../training/presets.ts';

const KINDS: AutoencoderKind[] = ['undercomplete', 'overcomplete'];
const DATA = join(import.meta.dirname, '..', 'data');

const SPEC = {
  command: 'npm run ae-pretrain',
  summary:
    'Self-supervised autoencoders on unlabelled AE (seed 003): the simulation, the bundled lab experiments and any --unlabelled\nrecording; p4677 (the labelled recording) contributes its training part only, its test part is reported as held out.',
  options: {
    recordings: { type: 'string', value: 'DIR', default: join(DATA, 'recordings'), doc: 'recordings' },
    sources: { type: 'string', value: 'LIST', default: 'sim,p4581,p4677', doc: 'unlabelled recordings (ids under --recordings)' },
    unlabelled: { type: 'string', value: 'REC,...', default: '', doc: 'more unlabelled recordings (ids or directories)' },
    kinds: { type: 'string', value: 'LIST', default: KINDS.join(','), doc: `autoencoders to train: ${KINDS.join(', ')}` },
    depth: { type: 'string', value: 'N', default: '3', doc: 'strided stages to the bottleneck (2 or 3)' },
    channels: { type: 'string', value: 'N', default: '128', doc: 'overcomplete bottleneck channels (seed 003: 128)' },
    epochs: { type: 'string', value: 'N', default: '15', doc: 'most epochs (a compute cap; seed 003 ran to early stopping)' },
    patience: { type: 'string', value: 'N', default: '20', doc: 'early-stopping patience (seed 003: 20)' },
    'step-s': { type: 'string', value: 'S', default: '1', doc: 'one window every S seconds' },
    seed: { type: 'string', value: 'N', default: '1', doc: 'initialisation and shuffling seed' },
    out: { type: 'string', value: 'DIR', default: join(DATA, 'models'), doc: 'writes OUT/ae-<kind>-d<depth>' },
    backend: { type: 'string', value: 'B', default: 'auto', choices: ['auto', ...BACKENDS], doc: 'tfjs backend' },
  },
} satisfies CliSpec;

async function main(): Promise<void> {
  const { values: v } = parseCli(SPEC);
  const kinds = v.kinds.split(',') as AutoencoderKind[];
  for (const k of kinds) if (!KINDS.includes(k)) throw new CliError(`unknown kind "${k}"; valid: ${KINDS.join(', ')}`);
  const depth = numberOption('depth', v.depth, { min: 2, max: 3, integer: true });
  const dirs = [...v.sources.split(','), ...v.unlabelled.split(',')].filter(Boolean).map((s) => (isAbsolute(s) || s.includes('/') ? resolve(s) : join(resolve(v.recordings), s)));
  for (const d of dirs) if (!existsSync(d)) throw new CliError(`no recording at ${d} (npm run fixtures regenerates the bundled ones)`);
  const o = {
    epochs: numberOption('epochs', v.epochs, { min: 1, integer: true }),
    patience: numberOption('patience', v.patience, { min: 1, integer: true }),
    seed: numberOption('seed', v.seed, { integer: true }),
    batchSize: 16,
    learningRate: 1e-3,
    log: (l: string) => console.error(l),
  };
  const stepS = numberOption('step-s', v['step-s'], { min: 0.01 });
  const overcompleteChannels = numberOption('channels', v.channels, { min: 1, integer: true });
  console.error((await initBackend(v.backend as 'auto')).summary);
  const preset = presetById('2s');
  const recs = await Promise.all(dirs.map((d) => conditionRecording(d, preset.sampleRateHz)));
  const data = unlabelledData(recs, 'p4677', preset, stepS);
  console.error(`${data.train.count} training, ${data.validation.count} validation windows from ${data.ids.join(', ')}`);
  for (const kind of kinds) {
    const { model, record } = await pretrainAutoencoder({ kind, depth, overcompleteChannels, name: `ae-${kind}-d${depth}` }, data, o);
    const dir = join(resolve(v.out), `ae-${kind}-d${depth}`);
    await saveAutoencoder(model, dir, record);
    const held = Object.entries(record.heldOutMse).map(([id, m]) => `${id} ${m.toFixed(4)}`).join(', ');
    console.log(`${kind} depth ${depth}: ${record.epochs} epochs (best ${record.bestEpoch}), ${record.secondsPerEpoch.toFixed(1)} s/epoch, validation MSE ${record.validationMse.toFixed(4)}, held-out MSE ${held} -> ${dir}`);
    model.dispose();
  }
}

if (process.argv[1] === import.meta.filename) runCli(SPEC.command, main);
