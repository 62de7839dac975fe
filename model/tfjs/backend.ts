/**
 * Picks the fastest tfjs backend this machine has: tfjs-node-gpu (CUDA) > tfjs-node (native
 * TensorFlow) > wasm (XNNPACK, SIMD) > cpu (plain JavaScript). The native packages are optional
 * dependencies whose install downloads libtensorflow; where that failed npm drops them, so they are
 * loaded by dynamic import and skipped when absent. The wasm backend gets the convolution gradient
 * kernels it lacks (shared/model/wasm-conv-gradients.ts), so every backend can train, and faster
 * channel Concat/SplitV (shared/model/wasm-copy-kernels.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { registerWasmConvGradients } from './wasm-conv-gradients.ts';
import { registerWasmCopyKernels } from './wasm-copy-kernels.ts';

export const BACKENDS = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export type BackendChoice = (typeof BACKENDS)[number];

export interface BackendReport {
  /** what runs */
  name: BackendChoice;
  /** tfjs's own name for it ('tensorflow', 'wasm', 'cpu') */
  tfjsName: string;
  /** one line for logs and status: which backend, and why the faster ones were skipped */
  summary: string;
  skipped: { name: BackendChoice; reason: string }[];
}

// indirection so TypeScript does not try to resolve packages that may not be installed
const importOptional = (name: string): Promise<unknown> => import(name);

async function activate(name: BackendChoice): Promise<string> {
  switch (name) {
    case 'tensorflow-gpu':
    case 'tensorflow': {
      await importOptional(name === 'tensorflow-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node');
      if (!(await tf.setBackend('tensorflow'))) throw new Error('the tensorflow backend did not initialise');
      return 'tensorflow';
    }
    case 'wasm': {
      await import('@tensorflow/tfjs-backend-wasm');
      registerWasmConvGradients();
      registerWasmCopyKernels();
      if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
      return 'wasm';
    }
    case 'cpu': {
      if (!(await tf.setBackend('cpu'))) throw new Error('the cpu backend did not initialise');
      return 'cpu';
    }
  }
}

/**
 * Initialise a backend. 'auto' tries them fastest first; a named backend must work or this
 * throws (asking for one explicitly means the caller wants that one).
 */
export async function initBackend(choice: 'auto' | BackendChoice = 'auto'): Promise<BackendReport> {
  if (choice !== 'auto' && !BACKENDS.includes(choice)) throw new Error(`unknown backend "${choice}"; valid: auto, ${BACKENDS.join(', ')}`);
  tf.enableProdMode(); // no per-op NaN checks, and no "install tfjs-node" banner on every start
  const order = choice === 'auto' ? [...BACKENDS] : [choice];
  const skipped: BackendReport['skipped'] = [];
  for (const name of order) {
    try {
      const tfjsName = await activate(name);
      await tf.ready();
      const why = skipped.length ? ` (skipped: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')})` : '';
      return { name, tfjsName, skipped, summary: `tfjs backend: ${name}${why}` };
    } catch (e) {
      const reason = (e as Error).message.split('\n')[0];
      if (choice !== 'auto') throw new Error(`backend ${name} is not available here: ${reason}`);
      skipped.push({ name, reason });
    }
  }
  throw new Error(`no tfjs backend could start: ${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}`);
}
