/**
 * windows: model-rate chunks -> windows on the preset's grid of absolute indices, each chunk first
 * put through the spec's input transform (log10); a gap restarts the window buffer.
 */
import type { OperatorFunction } from 'rxjs';
import type { ConditionedChunk } from '../shared/signal/condition.ts';
import { SlidingWindows } from '../shared/signal/sliding-windows.ts';
import { statefulMap } from './stateful-map.ts';
import type { Gap, InputWindow } from './types.ts';

export function windows(windowSamples: number, stepSamples: number, transform: (x: Float32Array) => Float32Array): OperatorFunction<ConditionedChunk, InputWindow | Gap> {
  return statefulMap(() => {
    const sw = new SlidingWindows(windowSamples, stepSamples);
    return {
      step: (chunk, emit) => {
        if (chunk.kind === 'gap') return emit({ kind: 'gap', fromIndex: chunk.fromIndex, toIndex: chunk.toIndex });
        for (const w of sw.push(chunk.startIndex, transform(chunk.values))) emit(w);
      },
    };
  });
}
