/**
 * A model as the live pipeline calls it: a batch of scalograms in, the normalised series of each
 * window (the offline evaluation's path, evaluate.ts) and the centre columns of its predicted
 * scalogram (for the dashboard) out. Runs in the inference worker, or in-process for tests.
 */
import type { ModelManifest } from '../manifest.ts';
import { seriesFromOutputs } from '../../training/evaluate.ts';
import type { Inference } from './inference.ts';
import { extractColumns } from '../../shared/tiles.ts';
import { cwtPlanFor, tileColumns } from '../../shared/signal/window-preset.ts';
import type { InferBatch } from '../../pipeline/stages.ts';

export function servingPredictor(inference: Inference, manifest: ModelManifest): InferBatch {
  const { preset } = manifest;
  const { scales, n: samples } = cwtPlanFor(preset);
  const cols = tileColumns(preset);
  return async (x, n) => {
    const outs = await inference.run(x, n);
    // a head model has no scalogram to show
    const tiles = outs.length === 2 ? extractColumns(outs[0], n, scales, samples, cols.from, cols.count) : null;
    return { series: seriesFromOutputs(outs, preset, scales, samples), tiles };
  };
}
