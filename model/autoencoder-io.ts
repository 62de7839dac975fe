/**
 * Saving and loading autoencoders: the standard tfjs layers files (model.json + weights.bin, as
 * model/io.ts writes for CEDs) plus autoencoder.json (its config, the unlabelled data it saw and
 * its reconstruction errors). A serving manifest is not written: an autoencoder predicts nothing.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { AutoencoderConfig } from './autoencoder.ts';

export interface AutoencoderRecord {
  config: AutoencoderConfig;
  /** recordings trained on, and the reconstruction MSE (normalised units) on each held-out part */
  trainedOn: string[];
  heldOutMse: Record<string, number>;
  validationMse: number;
  epochs: number;
  bestEpoch: number;
  secondsPerEpoch: number;
  windows: number;
}

/** Write model.json, weights.bin and autoencoder.json into dir. */
export async function saveAutoencoder(model: tf.LayersModel, dir: string, record: AutoencoderRecord): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      if (!a.weightData || Array.isArray(a.weightData)) throw new Error('expected the weights as one buffer');
      writeFileSync(join(dir, 'weights.bin'), new Uint8Array(a.weightData));
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: a.modelTopology, format: a.format, generatedBy: a.generatedBy, weightsManifest: [{ paths: ['weights.bin'], weights: a.weightSpecs }] }));
      writeFileSync(join(dir, 'autoencoder.json'), `${JSON.stringify(record, null, 2)}\n`);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** Load what saveAutoencoder wrote. */
export async function loadAutoencoder(dir: string): Promise<{ model: tf.LayersModel; record: AutoencoderRecord }> {
  let record: AutoencoderRecord;
  let json: { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  try {
    record = JSON.parse(readFileSync(join(dir, 'autoencoder.json'), 'utf8')) as AutoencoderRecord;
    json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  } catch (e) {
    throw new Error(`${dir} is not a slipwatch autoencoder (${(e as Error).message})`);
  }
  const w = readFileSync(join(dir, json.weightsManifest[0].paths[0]));
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData: w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) }),
  );
  return { model, record };
}
