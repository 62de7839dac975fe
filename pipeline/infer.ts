/**
 * infer: scalogram windows -> predicted series. Windows that arrive while a batch is running wait
 * and go together in the next batch (up to maxBatch), so a pipeline that falls behind catches up
 * with bigger, cheaper batches; order is kept, gaps pass in place. Queue per subscription.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { type Gap, type InferBatch, type InferStats, isGap, type ScalogramWindow, type SeriesWindow } from './types.ts';

/** The next run of windows (no gap inside) from the queue's head, at most maxBatch. */
function takeBatch(queue: (ScalogramWindow | Gap)[], maxBatch: number): ScalogramWindow[] {
  const batch: ScalogramWindow[] = [];
  while (queue.length && !isGap(queue[0]) && batch.length < maxBatch) batch.push(queue.shift() as ScalogramWindow);
  return batch;
}

export function infer(run: InferBatch, samples: number, maxBatch: number, stats?: InferStats): OperatorFunction<ScalogramWindow | Gap, SeriesWindow | Gap> {
  return (source) =>
    new Observable<SeriesWindow | Gap>((subscriber) => {
      const queue: (ScalogramWindow | Gap)[] = [];
      let running = false;
      let done = false;
      const finishIfDone = () => {
        if (done && !running && queue.length === 0) subscriber.complete();
      };
      const runBatch = async (batch: ScalogramWindow[]) => {
        const size = batch[0].scalogram.length;
        const input = new Float32Array(batch.length * size);
        batch.forEach((w, k) => input.set(w.scalogram, k * size));
        if (stats) stats.queued = queue.length;
        const { series, tiles } = await run(input, batch.length);
        if (stats) {
          stats.batches++;
          stats.windowsOut += batch.length;
        }
        const tileSize = tiles ? tiles.length / batch.length : 0;
        batch.forEach((w, k) =>
          subscriber.next({ startIndex: w.startIndex, series: series.slice(k * samples, (k + 1) * samples), tile: tiles?.slice(k * tileSize, (k + 1) * tileSize) }),
        );
      };
      const pump = async (): Promise<void> => {
        if (running) return;
        running = true;
        try {
          while (queue.length) {
            if (isGap(queue[0])) subscriber.next(queue.shift() as Gap);
            else await runBatch(takeBatch(queue, maxBatch));
          }
        } catch (e) {
          subscriber.error(e);
        } finally {
          running = false;
        }
        finishIfDone();
      };
      const sub = source.subscribe({
        next: (w) => {
          queue.push(w);
          if (stats && !isGap(w)) {
            stats.windowsIn++;
            stats.queued = queue.length;
            stats.maxQueued = Math.max(stats.maxQueued, queue.length);
          }
          void pump();
        },
        error: (e) => subscriber.error(e),
        complete: () => {
          done = true;
          finishIfDone();
        },
      });
      return () => sub.unsubscribe();
    });
}
