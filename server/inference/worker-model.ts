/**
 * A model served from a worker thread (infer-worker.ts): the pipeline's infer stage awaits it
 * without blocking the event loop that ingest and the dashboards run on.
 */
import { Worker } from 'node:worker_threads';
import type { ModelManifest } from '../../model/manifest.ts';
import type { ServingModel } from '../../pipeline/pipeline.ts';
import type { InferResult } from '../../pipeline/pipeline.ts';

/** How long a closing inference worker may take to answer what it runs before it is terminated. */
const CLOSE_GRACE_MS = 5000;

export interface WorkerModelOptions {
  /** tfjs backend (auto, tensorflow-gpu, tensorflow, wasm, cpu) */
  backend?: string;
  /** inference runtime (auto, onnxruntime, tfjs) */
  runtime?: string;
}

export interface WorkerModel extends ServingModel {
  /** what runs the model, e.g. "onnxruntime 1.30.0 (cpu, 1 thread)" or "tfjs wasm" */
  backend: string;
  close(): Promise<void>;
}

export async function workerModel(dir: string, manifest: ModelManifest, { backend = 'auto', runtime = 'auto' }: WorkerModelOptions = {}): Promise<WorkerModel> {
  const worker = new Worker(new URL('./infer-worker-entry.mjs', import.meta.url), { workerData: { dir, backend, runtime } });
  const pending = new Map<number, { resolve: (x: InferResult) => void; reject: (e: Error) => void }>();
  let next = 0;
  const ready = new Promise<string>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`inference worker for ${dir} exited (${code}) before it was ready`)));
    worker.on('message', (m: { ready?: boolean; backend?: string; id?: number; out?: InferResult; error?: string }) => {
      if (m.ready) return resolve(m.backend!);
      const p = pending.get(m.id!);
      if (!p) return;
      pending.delete(m.id!);
      if (m.error) p.reject(new Error(`inference worker: ${m.error}`));
      else p.resolve(m.out!);
    });
  });
  worker.on('error', (e) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  });
  let alive = true;
  worker.once('exit', () => (alive = false));
  const usedBackend = await ready;
  return {
    manifest,
    backend: usedBackend,
    infer: (x, n) =>
      new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        const copy = Float32Array.from(x);
        worker.postMessage({ id, x: copy, n }, [copy.buffer]);
      }),
    close: async () => {
      // ask the thread to finish what it runs and release its session; terminate only if it hangs
      if (!alive) return;
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage({ close: true });
      const hung = setTimeout(() => void worker.terminate(), CLOSE_GRACE_MS);
      await exited;
      clearTimeout(hung);
      // nothing will answer these now: fail them rather than leave their callers waiting
      for (const p of pending.values()) p.reject(new Error('inference worker stopped'));
      pending.clear();
    },
  };
}
