/**
 * The models the server predicts with: every `models/<name>/` holding a saved model and its
 * manifest (models/friction and models/ttf are shipped), each in its own worker thread.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateManifest } from '../../model/manifest.ts';
import { type WorkerModel, workerModel, type WorkerModelOptions } from './worker-model.ts';

export async function loadServingModels(dir: string, options: WorkerModelOptions = {}): Promise<WorkerModel[]> {
  if (!existsSync(dir)) return [];
  const out: WorkerModel[] = [];
  for (const name of readdirSync(dir).sort()) {
    const manifestPath = join(dir, name, 'manifest.json');
    if (!existsSync(manifestPath)) continue;
    const manifest: unknown = JSON.parse(readFileSync(manifestPath, 'utf8'));
    validateManifest(manifest);
    out.push(await workerModel(join(dir, name), manifest, options));
  }
  return out;
}
