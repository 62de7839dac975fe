/**
 * Saving and loading models on disk in the standard tfjs layers format (model.json +
 * weights.bin, loadable by tfjs anywhere) plus slipwatch's manifest.json. tfjs's file:// handler
 * needs tfjs-node, which may be absent, so the files are written here from the model artifacts.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { type ModelManifest, validateManifest } from './manifest.ts';

/** Write model.json, weights.bin and manifest.json into dir (created if needed). */
export async function saveModel(model: tf.LayersModel, dir: string, manifest: ModelManifest): Promise<void> {
  validateManifest(manifest);
  mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData;
      if (!weightData || Array.isArray(weightData)) throw new Error('expected the weights as one buffer');
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      // write-then-rename each file so a crash never leaves a half-written model
      const put = (name: string, data: string | Uint8Array): void => {
        writeFileSync(join(dir, `${name}.tmp`), data);
        renameSync(join(dir, `${name}.tmp`), join(dir, name));
      };
      put('weights.bin', new Uint8Array(weightData));
      put('model.json', JSON.stringify(modelJson));
      put('manifest.json', `${JSON.stringify(manifest, null, 2)}\n`);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** Load a model saved by saveModel. */
export async function loadModel(dir: string): Promise<{ model: tf.LayersModel; manifest: ModelManifest }> {
  let manifest: unknown;
  let modelJson: { modelTopology: object; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    modelJson = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  } catch (e) {
    throw new Error(`${dir} is not a slipwatch model (${(e as Error).message})`);
  }
  validateManifest(manifest);
  const weights = readFileSync(join(dir, modelJson.weightsManifest[0].paths[0]));
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
      weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
    }),
  );
  return { model, manifest };
}
