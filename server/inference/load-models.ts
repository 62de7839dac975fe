/**
 * The models the server predicts with: every `models/<name>/` holding a saved model and its
 * manifest (models/friction and models/ttf are shipped), each in its own worker thread.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ModelManifest, validateManifest } from '../../model/manifest.ts';
import { type WorkerModel, workerModel, type WorkerModelOptions } from './worker-model.ts';

/** Every model folder under dir (one holding a manifest.json), with its validated manifest, by name. */
export function modelFolders(dir: string): { dir: string; manifest: ModelManifest }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .filter((name) => existsSync(join(dir, name, 'manifest.json')))
    .map((name) => {
      const manifest: unknown = JSON.parse(readFileSync(join(dir, name, 'manifest.json'), 'utf8'));
      validateManifest(manifest);
      return { dir: join(dir, name), manifest };
    });
}

export async function loadServingModels(dir: string, options: WorkerModelOptions = {}): Promise<WorkerModel[]> {
  const out: WorkerModel[] = [];
  for (const m of modelFolders(dir)) out.push(await workerModel(m.dir, m.manifest, options));
  return out;
}
