/**
 * A model as the live pipeline calls it: a batch of scalograms in, the normalised series of each
 * window (the offline evaluation's path, evaluate.ts) and the centre columns of its predicted
 * scalogram (for the dashboard) out. Runs in the inference worker, or in-process for tests.
 */
import type { ModelManifest } from '../../shared/model/manifest.ts';
import { seriesFromScalograms } from '../../shared/node/model/evaluate.ts';
import type { Inference } from '../../shared/node/model/inference.ts';
import { extractColumns } from '../../shared/tiles.ts';
import { cwtPlanFor, tileColumns } from '../../shared/windows.ts';
import type { InferBatch } from '../pipeline/stages.ts';

export function servingPredictor(inference: Inference, manifest: ModelManifest): InferBatch {
  const { preset } = manifest;
  const { scales, n: samples } = cwtPlanFor(preset);
  const cols = tileColumns(preset);
  return async (x, n) => {
    const outs = await inference.run(x, n);
    if (outs.length !== 2) return { series: outs[0], tiles: null }; // a head model: the series itself
    return {
      series: seriesFromScalograms(outs[0], outs[1], preset, scales, samples),
      tiles: extractColumns(outs[0], n, scales, samples, cols.from, cols.count),
    };
  };
}
