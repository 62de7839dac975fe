/**
 * The model a session's pipeline calls, which live adaptation can replace while it runs. The
 * pipeline's infer stage sends one batch of whole windows at a time, in order; a swap takes effect
 * at the next batch (a window boundary), so every window is inferred exactly once, by the old model
 * or the new one, and the pipeline itself (windows, overlap averaging, its manifest's input
 * transform) never restarts: no prediction is lost or sent twice. Windows are counted as they are
 * dispatched and as they come out: windows sit on a fixed grid, so the first window of the new
 * model is known by its start index at the moment of the swap.
 */
import type { InferBatch, ServingModel } from '../../pipeline/pipeline.ts';

export class SwitchableModel implements ServingModel {
  readonly manifest: ServingModel['manifest'];
  private current: ServingModel;
  /** windows sent to a model so far (an in-flight batch included), and windows come out */
  private dispatched = 0;
  private served = 0;
  /** the first window's start index; null until it comes out, or once a gap broke the grid */
  private firstStart: number | null = null;
  private gridBroken = false;
  /** 0: the model the session started with; k: its k-th replacement */
  version = 0;
  /** batches in flight per model: a replaced model is retired once its last batch is answered */
  private readonly inFlight = new Map<ServingModel, number>();
  private readonly replaced = new Set<ServingModel>();
  /** told when a replaced model will never be called again (its worker can close) */
  onRetired: (m: ServingModel) => void = () => {};

  constructor(
    initial: ServingModel,
    /** the window step at the model rate: windows sit on this grid */
    private readonly stepSamples: number,
  ) {
    this.manifest = initial.manifest;
    this.current = initial;
  }

  readonly infer: InferBatch = (x, n) => {
    const model = this.current;
    this.dispatched += n;
    this.inFlight.set(model, (this.inFlight.get(model) ?? 0) + 1);
    return model.infer(x, n).finally(() => {
      const left = this.inFlight.get(model)! - 1;
      this.inFlight.set(model, left);
      if (left === 0) this.retireIfDone(model);
    });
  };

  private retireIfDone(model: ServingModel): void {
    if (!this.replaced.has(model) || (this.inFlight.get(model) ?? 0) > 0) return;
    this.replaced.delete(model);
    this.inFlight.delete(model);
    this.onRetired(model);
  }

  /**
   * From the next batch on, `next` infers (it must take the same input transform: the pipeline
   * z-scores with this.manifest). Returns the start index of its first window: the next on the
   * grid after the windows already dispatched (null if no window came out yet, or a gap broke the grid).
   */
  swap(next: ServingModel): number | null {
    const previous = this.current;
    this.current = next;
    this.replaced.add(previous);
    this.retireIfDone(previous);
    this.version++;
    return this.firstStart === null || this.gridBroken ? null : this.firstStart + this.dispatched * this.stepSamples;
  }

  /** Every inferred window, in stream order (the pipeline's nowcast), by its start index. */
  windowOut(startIndex: number): void {
    const k = this.served++;
    if (k === 0) this.firstStart = startIndex;
    else if (this.firstStart !== null && startIndex !== this.firstStart + k * this.stepSamples) this.gridBroken = true;
  }

  /** The model serving now. */
  get serving(): ServingModel {
    return this.current;
  }
}
