/**
 * Inference runtimes. A model is trained and saved with tfjs (one definition, shared/model/ced.ts);
 * it is served by onnxruntime-node when that is installed, from an ONNX graph translated at load
 * time (shared/model/onnx/export.ts), and by tfjs otherwise. onnxruntime runs this CED 7.6x
 * faster than tfjs-wasm on this CPU at batch 1 (BENCHMARKS.md): one fused native graph instead of ~30
 * separate tfjs kernel calls, each with its own dispatch and memory traffic.
 *
 * onnxruntime-node is loaded by dynamic import, so a machine without it (or where its native
 * binary fails to load) falls back to tfjs and says so.
 */
import * as tf from '@tensorflow/tfjs';
import { toOnnx } from '../onnx/export.ts';

export const RUNTIMES = ['onnxruntime', 'tfjs'] as const;
export type RuntimeChoice = (typeof RUNTIMES)[number];

export interface Inference {
  /** what runs, for logs and status: "onnxruntime 1.30.0 (cpu, 1 thread)" or "tfjs wasm" */
  name: string;
  runtime: RuntimeChoice;
  /** The model's outputs for n windows (x: n x scales x samples, channels-last like tfjs), each output flat. */
  run(x: Float32Array, n: number): Promise<Float32Array[]>;
  dispose(): Promise<void>;
}

export interface InferenceOptions {
  runtime?: 'auto' | RuntimeChoice;
  /** onnxruntime's intra-op threads; 1 by default, as the server runs one model per core */
  threads?: number;
}

// indirection so TypeScript does not try to resolve a package that may not be installed
const importOptional = (name: string): Promise<unknown> => import(name);

type Ort = typeof import('onnxruntime-node');

async function onnxInference(model: tf.LayersModel, threads: number): Promise<Inference> {
  const ort = (await importOptional('onnxruntime-node')) as Ort;
  const session = await ort.InferenceSession.create(toOnnx(model), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const inShape = (model.inputs[0].shape as (number | null)[]).slice(1) as number[];
  const outputNames = model.outputs.map((_, i) => `output_${i}`);
  return {
    name: `onnxruntime ${ort.env.versions.node ?? ort.env.versions.common} (cpu, ${threads} thread${threads === 1 ? '' : 's'})`,
    runtime: 'onnxruntime',
    run: async (x, n) => {
      const result = await session.run({ input: new ort.Tensor('float32', x, [n, ...inShape]) });
      // copy out: the tensors' memory belongs to the session
      return outputNames.map((name) => Float32Array.from(result[name].data as Float32Array));
    },
    dispose: () => session.release(),
  };
}

function tfjsInference(model: tf.LayersModel): Inference {
  const inShape = (model.inputs[0].shape as (number | null)[]).slice(1) as number[];
  return {
    name: `tfjs ${tf.getBackend()}`,
    runtime: 'tfjs',
    run: async (x, n) =>
      tf.tidy(() => {
        const y = model.predict(tf.tensor(x, [n, ...inShape]));
        return (Array.isArray(y) ? y : [y]).map((t) => t.dataSync() as Float32Array);
      }),
    dispose: async () => {},
  };
}

/**
 * Inference for a loaded model: 'auto' takes onnxruntime when it loads and tfjs (on whatever
 * backend initBackend chose) otherwise; a named runtime must work or this throws. fallbackReason
 * says why onnxruntime was skipped.
 */
export async function createInference(model: tf.LayersModel, options: InferenceOptions = {}): Promise<Inference & { fallbackReason?: string }> {
  const choice = options.runtime ?? 'auto';
  if (choice !== 'auto' && !RUNTIMES.includes(choice)) throw new Error(`unknown inference runtime "${choice}"; valid: auto, ${RUNTIMES.join(', ')}`);
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`inference threads must be a positive integer, got ${threads}`);
  if (choice === 'tfjs') return tfjsInference(model);
  try {
    return await onnxInference(model, threads);
  } catch (e) {
    const reason = (e as Error).message.split('\n')[0];
    if (choice === 'onnxruntime') throw new Error(`onnxruntime is not available here: ${reason}`);
    return { ...tfjsInference(model), fallbackReason: `onnxruntime: ${reason}` };
  }
}
