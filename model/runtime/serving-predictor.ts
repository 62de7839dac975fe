/**
 * A model as the live pipeline calls it: a batch of scalograms in, each window's series in
 * physical units (the model spec's reconstruction) and the centre columns of its predicted
 * scalogram (for the dashboard) out. Runs in the inference worker, or in-process for evaluation.
 */
import type { ModelManifest } from '../manifest.ts';
import { modelSpec } from '../spec.ts';
import type { Inference } from './inference.ts';
import { extractColumns } from '../../shared/tiles.ts';
import { tileColumns } from '../../shared/signal/window-preset.ts';
import type { InferBatch } from '../../pipeline/types.ts';

export function servingPredictor(inference: Inference, manifest: ModelManifest): InferBatch {
  const spec = modelSpec(manifest);
  const cols = tileColumns(manifest.preset);
  return async (x, n) => {
    const outs = await inference.run(x, n);
    // a head model has no scalogram to show; tiles first: reconstruct writes into outs[0] of a head model
    const tiles = outs.length === 2 ? extractColumns(outs[0], n, spec.scales, spec.windowSamples, cols.from, cols.count) : null;
    return { series: spec.reconstruct(outs), tiles };
  };
}
