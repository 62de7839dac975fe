/**
 * Early stopping's memory: the best validation score so far, its epoch and a copy of the weights
 * that made it, restored into the model when training ends (every training loop uses this).
 */
import type * as tfTypes from '@tensorflow/tfjs';

export class BestWeights {
  epoch = 0;
  private weights: tfTypes.Tensor[];

  /** Starts from the model as it is, scored `score` before any training (epoch 0). */
  constructor(
    private readonly model: tfTypes.LayersModel,
    public score: number,
  ) {
    this.weights = model.getWeights().map((w) => w.clone());
  }

  /** An epoch's validation score (lower is better); keeps the weights when it improved. */
  offer(score: number, epoch: number): boolean {
    if (!(score < this.score)) return false;
    this.score = score;
    this.epoch = epoch;
    for (const w of this.weights) w.dispose();
    this.weights = this.model.getWeights().map((w) => w.clone());
    return true;
  }

  /** Puts the best weights back into the model and frees the copy. */
  restore(): void {
    this.model.setWeights(this.weights);
    for (const w of this.weights) w.dispose();
    this.weights = [];
  }
}
