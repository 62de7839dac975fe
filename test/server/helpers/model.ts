/** A small untrained friction model served in-process (no worker threads): real inference, quickly built. */
import { inProcessModel, type ServingModel } from '../../../pipeline/pipeline.ts';
import { buildCed, DEFAULT_CED } from '../../../model/ced.ts';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION } from '../../../model/manifest.ts';
import { initBackend } from '../../../model/tfjs/backend.ts';
import { presetById } from '../../../training/presets.ts';

export async function testModel(): Promise<ServingModel> {
  await initBackend('wasm');
  const preset = presetById('2s');
  return inProcessModel(buildCed({ seed: 4 }), {
    format: MODEL_FORMAT,
    formatVersion: MODEL_FORMAT_VERSION,
    name: 'test-friction',
    target: 'friction',
    preset,
    ced: { ...DEFAULT_CED, seed: 4 },
    input: { conditioning: 'envelope', log10: true, stats: { mean: -1.5, std: 0.5 } },
    output: { stats: { mean: 0.6, std: 0.01 } },
    training: { strategy: 'none', trainedOn: [], trainableBlocks: [], epochs: 0, seed: 4, backend: 'wasm', bestValidationLoss: 0 },
  });
}
