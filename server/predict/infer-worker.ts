/**
 * Worker thread that runs one model: tfjs calls block their thread for milliseconds per batch,
 * so the server keeps them off its event loop. Messages: {id, x, n} -> {id, out} or {id, error}.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend } from '../../shared/node/model/backend.ts';
import { modelPredictorFromArrays } from '../../shared/node/model/evaluate.ts';
import { loadModel } from '../../shared/node/model/model-io.ts';
import { cwtPlanFor } from '../../shared/windows.ts';

const { dir, backend } = workerData as { dir: string; backend: string };
const report = await initBackend(backend as 'auto');
const { model, manifest } = await loadModel(dir);
const plan = cwtPlanFor(manifest.preset);
const run = modelPredictorFromArrays(model, manifest.preset, plan.scales, plan.n);
parentPort!.on('message', (m: { id: number; x: Float32Array; n: number }) => {
  try {
    const out = run(m.x, m.n);
    const copy = Float32Array.from(out);
    parentPort!.postMessage({ id: m.id, out: copy }, [copy.buffer]);
  } catch (e) {
    parentPort!.postMessage({ id: m.id, error: (e as Error).message });
  }
});
parentPort!.postMessage({ ready: true, backend: report.name });
