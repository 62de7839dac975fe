/** scalograms: each window -> the model's input scalogram (the spec's z-score and CWT). */
import type { OperatorFunction } from 'rxjs';
import type { ModelSpec } from '../model/spec.ts';
import { statefulMap } from './stateful-map.ts';
import { type Gap, type InputWindow, isGap, type ScalogramWindow } from './types.ts';

export function scalograms(spec: Pick<ModelSpec, 'scalogram'>): OperatorFunction<InputWindow | Gap, ScalogramWindow | Gap> {
  return statefulMap(() => ({
    step: (w, emit) => emit(isGap(w) ? w : { startIndex: w.startIndex, scalogram: spec.scalogram(w.values) }),
  }));
}
