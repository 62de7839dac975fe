/**
 * Predictions for one producer session: its AE goes through one prediction pipeline per model
 * (friction, time to failure), and every averaged result is published to the dashboards.
 */
import { Subject, type Subscription } from 'rxjs';
import { type DataFrame, ProtocolError, type StartFrame } from '../../shared/protocol.ts';
import { predictionPipeline, type ServingModel } from '../pipeline/pipeline.ts';
import type { RawChunk } from '../pipeline/stages.ts';

export interface PredictionFrame {
  type: 'prediction';
  session: string;
  target: string;
  /** model-rate index of mean[0]; time = startIndex / rateHz from the session start */
  startIndex: number;
  rateHz: number;
  mean: Float32Array;
  std: Float32Array;
}

export class SessionPredictor {
  private readonly input = new Subject<RawChunk>();
  private readonly subs: Subscription[] = [];

  constructor(start: StartFrame, models: ServingModel[], publish: (f: PredictionFrame) => void, onError: (e: unknown) => void) {
    const usable = models.filter((m) => m.manifest.preset.id === start.preset);
    if (models.length > 0 && usable.length === 0)
      throw new ProtocolError('bad-frame', `no model for preset ${start.preset}; the server's models use ${[...new Set(models.map((m) => m.manifest.preset.id))].join(', ')}`);
    for (const model of usable) {
      const pipeline = predictionPipeline({ aeRateHz: start.aeRateHz, channelScales: start.aeChannels.map((c) => c.scale), model });
      this.subs.push(
        this.input.pipe(pipeline).subscribe({
          next: (avg) =>
            publish({ type: 'prediction', session: start.session, target: model.manifest.target, startIndex: avg.startIndex, rateHz: model.manifest.preset.sampleRateHz, mean: avg.mean, std: avg.std }),
          error: onError,
        }),
      );
    }
  }

  push(frame: DataFrame): void {
    this.input.next({ startIndex: frame.aeStartIndex, channels: frame.ae });
  }

  /** End of the session: the pipelines flush what they hold. */
  end(): void {
    this.input.complete();
  }
}
