/**
 * The live pipeline's stages, one RxJS operator each, composed in pipeline.ts. Each stage keeps
 * its state inside the operator (created per subscription, released on teardown) and calls the
 * same signal-core code as training and offline evaluation, so a replayed recording gives the
 * offline prediction sample for sample.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { Conditioner, type ConditionConfig, type ConditionedChunk } from '../shared/signal/condition.ts';
import type { CwtPlan } from '../shared/signal/cwt.ts';
import type { NormStats } from '../shared/signal/normalise.ts';
import { type AveragedSamples, OverlapAverager } from '../shared/signal/overlap-average.ts';
import { SlidingWindows } from '../shared/signal/sliding-windows.ts';

/** Raw AE of one data frame: channels at the AE rate from an absolute sample index. */
export interface RawChunk {
  startIndex: number;
  channels: ArrayLike<number>[];
}

/** A model-rate window, normalised, with its scalogram. */
export interface ScalogramWindow {
  startIndex: number;
  scalogram: Float32Array;
}

/** A window's predicted series, normalised, and the centre columns of its predicted scalogram. */
export interface SeriesWindow {
  startIndex: number;
  series: Float32Array;
  tile?: Float32Array;
}

/** Marks a break in the stream: nothing before it and after it may be combined. */
export interface Gap {
  kind: 'gap';
  fromIndex: number;
  toIndex: number;
}

/** Custom operator helper: per-subscription state, one input item to any number of outputs. */
function statefulMap<I, O>(makeState: () => (item: I, emit: (o: O) => void) => void, onComplete?: (emit: (o: O) => void) => void): OperatorFunction<I, O> {
  return (source) =>
    new Observable<O>((subscriber) => {
      const step = makeState();
      const emit = (o: O) => subscriber.next(o);
      return source.subscribe({
        next: (item) => {
          try {
            step(item, emit);
          } catch (e) {
            subscriber.error(e);
          }
        },
        error: (e) => subscriber.error(e),
        complete: () => {
          onComplete?.(emit);
          subscriber.complete();
        },
      });
    });
}

/** condition: raw AE chunks -> model-rate series chunks and gap markers (shared/signal/condition.ts). */
export function condition(config: ConditionConfig): OperatorFunction<RawChunk, ConditionedChunk> {
  return statefulMap(() => {
    const c = new Conditioner(config);
    return (chunk, emit) => {
      for (const out of c.push(chunk.startIndex, chunk.channels)) emit(out);
    };
  });
}

/** windows: model-rate chunks -> windows on the preset's grid; a gap restarts the window buffer. */
export function windows(windowSamples: number, stepSamples: number, transform: (x: Float32Array) => Float32Array): OperatorFunction<ConditionedChunk, { startIndex: number; values: Float32Array } | Gap> {
  return statefulMap(() => {
    const sw = new SlidingWindows(windowSamples, stepSamples);
    return (chunk, emit) => {
      if (chunk.kind === 'gap') return emit({ kind: 'gap', fromIndex: chunk.fromIndex, toIndex: chunk.toIndex });
      for (const w of sw.push(chunk.startIndex, transform(chunk.values))) emit(w);
    };
  });
}

/** scalograms: normalise a window and transform it (the preset's CWT plan). */
export function scalograms(plan: CwtPlan, stats: NormStats): OperatorFunction<{ startIndex: number; values: Float32Array } | Gap, ScalogramWindow | Gap> {
  return statefulMap(() => {
    const z = new Float64Array(plan.n);
    return (w, emit) => {
      if ('kind' in w) return emit(w);
      for (let i = 0; i < plan.n; i++) z[i] = (w.values[i] - stats.mean) / stats.std;
      const scalogram = new Float32Array(plan.scales * plan.n);
      plan.transform(z, scalogram);
      emit({ startIndex: w.startIndex, scalogram });
    };
  });
}

/** What the model returns for a batch of n windows. */
export interface InferResult {
  /** n x samples normalised series */
  series: Float32Array;
  /** n x scales x tile columns of the predicted scalograms (CED models; head models have none) */
  tiles: Float32Array | null;
}

/** The model behind the infer stage: a batch of scalograms in, normalised series (and tiles) out. */
export type InferBatch = (scalograms: Float32Array, count: number) => Promise<InferResult>;

/**
 * infer: windows -> predicted series. Windows that arrive while a batch is running wait and go
 * together in the next batch (up to maxBatch), so a pipeline that falls behind catches up with
 * bigger, cheaper batches; order is kept.
 */
export interface InferStats {
  windowsIn: number;
  windowsOut: number;
  batches: number;
  /** windows waiting now, and the most that ever waited */
  queued: number;
  maxQueued: number;
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
      const pump = async (): Promise<void> => {
        if (running) return;
        running = true;
        try {
          while (queue.length) {
            const head = queue[0];
            if ('kind' in head) {
              queue.shift();
              subscriber.next(head);
              continue;
            }
            const batch: ScalogramWindow[] = [];
            while (queue.length && !('kind' in queue[0]) && batch.length < maxBatch) batch.push(queue.shift() as ScalogramWindow);
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
          if (stats && !('kind' in w)) {
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

/** overlapAverage: de-normalise each series and average the overlaps; each sample emitted once. */
export function overlapAverage(windowSamples: number, stats: NormStats): OperatorFunction<SeriesWindow | Gap, AveragedSamples> {
  let avg: OverlapAverager;
  return statefulMap(
    () => {
      avg = new OverlapAverager(windowSamples);
      const series = new Float32Array(windowSamples);
      return (w, emit) => {
        if ('kind' in w) {
          const rest = avg.flush();
          if (rest) emit(rest);
          avg = new OverlapAverager(windowSamples);
          return;
        }
        for (let i = 0; i < windowSamples; i++) series[i] = w.series[i] * stats.std + stats.mean;
        const out = avg.add(w.startIndex, series);
        if (out) emit(out);
      };
    },
    (emit) => {
      const rest = avg.flush();
      if (rest) emit(rest);
    },
  );
}
