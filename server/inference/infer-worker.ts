/**
 * Worker thread that runs one model: inference blocks its thread (onnxruntime-node runs
 * synchronously once its promise starts; tfjs likewise), so the server keeps it off its event loop. Messages: {id, x, n} -> {id, out} or {id, error};
 * {close} -> the thread ends once its inferences are answered and its session released.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../../model/tfjs/backend.ts';
import { createInference, type RuntimeChoice } from '../../model/runtime/inference.ts';
import { loadModel } from '../../model/io.ts';
import { servingPredictor } from '../../model/runtime/serving-predictor.ts';

const { dir, backend, runtime } = workerData as { dir: string; backend: string; runtime: string };
const report = await initBackend(backend as 'auto');
const { model, manifest } = await loadModel(dir);
const inference = await createInference(model, { runtime: runtime as 'auto' | RuntimeChoice });
const run = servingPredictor(inference, manifest);
// in-flight inferences: a close waits for them before releasing the session (terminating a thread
// inside onnxruntime's native run aborts the whole process)
const inFlight = new Set<Promise<unknown>>();
// replies are matched to requests by id, so their order does not matter
parentPort!.on('message', async (m: { id: number; x: Float32Array; n: number } | { close: true }) => {
  if ('close' in m) {
    await Promise.allSettled([...inFlight]);
    await inference.dispose();
    process.exit(0); // in a worker thread: ends this thread only
  }
  try {
    const running = run(m.x, m.n);
    inFlight.add(running);
    const out = await running.finally(() => inFlight.delete(running));
    // both arrays are fresh (never views of shared memory): move them instead of copying
    const buffers = [out.series.buffer, ...(out.tiles ? [out.tiles.buffer] : [])] as ArrayBuffer[];
    parentPort!.postMessage({ id: m.id, out }, buffers);
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: (e as Error).message });
  }
});
const runs = inference.runtime === 'tfjs' ? report.summary.replace('tfjs backend: ', 'tfjs ') : inference.name;
parentPort!.postMessage({ ready: true, backend: inference.fallbackReason ? `${runs} (${inference.fallbackReason})` : runs });
