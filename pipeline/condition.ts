/** condition: raw AE chunks -> model-rate series chunks and gap markers (shared/signal/condition.ts). */
import type { OperatorFunction } from 'rxjs';
import { type ConditionConfig, type ConditionedChunk, Conditioner } from '../shared/signal/condition.ts';
import { statefulMap } from './stateful-map.ts';
import type { RawChunk } from './types.ts';

export function condition(config: ConditionConfig): OperatorFunction<RawChunk, ConditionedChunk> {
  return statefulMap(() => {
    const c = new Conditioner(config);
    return {
      step: (chunk, emit) => {
        for (const out of c.push(chunk.startIndex, chunk.channels)) emit(out);
      },
    };
  });
}
