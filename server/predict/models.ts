/**
 * The models the server predicts with: every `models/<name>/` holding a saved model and its
 * manifest (models/friction and models/ttf are shipped). Inference runs in this thread for now.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel } from '../../shared/node/model/model-io.ts';
import { inProcessModel, type ServingModel } from '../pipeline/pipeline.ts';

export async function loadServingModels(dir: string): Promise<ServingModel[]> {
  if (!existsSync(dir)) return [];
  const out: ServingModel[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!existsSync(join(dir, name, 'manifest.json'))) continue;
    const { model, manifest } = await loadModel(join(dir, name));
    out.push(inProcessModel(model, manifest));
  }
  return out;
}
