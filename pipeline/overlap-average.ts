/**
 * overlapAverage: the windows' series (physical units) -> mean +- std per sample over the windows
 * that cover it, each sample emitted once, as soon as no later window can cover it. A gap flushes.
 */
import type { OperatorFunction } from 'rxjs';
import { type AveragedSamples, OverlapAverager } from '../shared/signal/overlap-average.ts';
import { statefulMap } from './stateful-map.ts';
import { type Gap, isGap, type SeriesWindow } from './types.ts';

export function overlapAverage(windowSamples: number): OperatorFunction<SeriesWindow | Gap, AveragedSamples> {
  return statefulMap(() => {
    let avg = new OverlapAverager(windowSamples);
    const flush = (emit: (a: AveragedSamples) => void) => {
      const rest = avg.flush();
      if (rest) emit(rest);
    };
    return {
      step: (w, emit) => {
        if (isGap(w)) {
          flush(emit);
          avg = new OverlapAverager(windowSamples);
          return;
        }
        const out = avg.add(w.startIndex, w.series);
        if (out) emit(out);
      },
      complete: flush,
    };
  });
}
