/**
 * Live adaptation off the event loop: one worker thread (adapt-worker.ts) per adaptation, which
 * the session can stop (it ends, or the server closes) without waiting for the training.
 */
import { Worker } from 'node:worker_threads';
import type { ModelManifest } from '../../model/manifest.ts';
import type { AdaptResult, SessionSeries } from '../../training/adapt.ts';

export interface AdaptJob {
  /** the served model's folder (model.json, weights.bin) */
  modelDir: string;
  /** the manifest the session serves it with (its normalisation: the manifest's or the session's) */
  manifest: ModelManifest;
  series: SessionSeries;
  /** where the adapted model goes when it scores better */
  outDir: string;
  epochs: number;
  /** tfjs backend to train with (auto: the fastest available) */
  backend?: string;
}

export type AdaptOutcome = AdaptResult & { better: boolean; backend: string };

/** Run one adaptation in a worker thread; `stop` terminates it (the promise then rejects). */
export function adaptInWorker(job: AdaptJob): { done: Promise<AdaptOutcome>; stop: () => Promise<void> } {
  const worker = new Worker(new URL('./adapt-worker-entry.mjs', import.meta.url), { workerData: { backend: 'auto', ...job } });
  const done = new Promise<AdaptOutcome>((resolve, reject) => {
    worker.once('message', (m: { result?: AdaptOutcome; error?: string }) => {
      if (m.result) resolve(m.result);
      else reject(new Error(`live adaptation: ${m.error}`));
      void worker.terminate(); // its job is done; tfjs would keep the thread alive
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`live adaptation worker exited (${code})`)));
  });
  return { done, stop: () => worker.terminate().then(() => undefined) };
}
