/**
 * Worker thread of one live adaptation (adapt-model.ts starts it): cross-trains a served model on a
 * session's cycles (training/adapt.ts), and when the adapted model scores better on the newest
 * cycle saves it with its manifest (tfjs layers files, which the inference worker loads and
 * translates to ONNX like every served model) plus its ONNX export, model.onnx. Training blocks
 * this thread for tens of seconds; the server's event loop and its inference workers run on.
 * Message out: {result} or {error}.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import type { ModelManifest } from '../../model/manifest.ts';
import { loadModel, saveModel } from '../../model/io.ts';
import { toOnnx } from '../../model/onnx/export.ts';
import { initBackend } from '../../model/tfjs/backend.ts';
import { adaptModel, type SessionSeries } from '../../training/adapt.ts';

const job = workerData as { modelDir: string; manifest: ModelManifest; series: SessionSeries; outDir: string; epochs: number; backend: string };
try {
  const backend = await initBackend(job.backend as 'auto');
  const { model } = await loadModel(job.modelDir);
  const r = await adaptModel(model, { ...job.manifest, training: { ...job.manifest.training, backend: backend.name } }, job.series, { epochs: job.epochs });
  const better = r.after.r2 > r.before.r2;
  if (better) {
    await saveModel(model, job.outDir, r.manifest);
    writeFileSync(join(job.outDir, 'model.onnx'), toOnnx(model));
  }
  parentPort!.postMessage({ result: { ...r, better, backend: backend.name } });
} catch (e) {
  parentPort!.postMessage({ error: (e as Error).message });
}
