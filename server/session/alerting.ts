/**
 * A session's failure warnings, live and causal, in the embedded monitor: the AE is conditioned
 * once more at the forecaster's own rate (independent of the CED models, so alerts work with any
 * model or none), then warned on as conditioned-alerting.ts says (the bus's alerts role gets that
 * envelope from its conditioning role). The same rules `npm run evaluate` replays
 * (training/alerting-replay.ts).
 */
import type { AlertEvent } from '../../shared/alerts.ts';
import type { AlertingModel } from '../../shared/alerts/hazard.ts';
import { Conditioner } from '../../shared/signal/condition.ts';
import type { DataFrame, StartFrame } from '../../shared/protocol/frames.ts';
import { ConditionedAlerting } from './conditioned-alerting.ts';

export class SessionAlerting extends ConditionedAlerting {
  private readonly conditioner: Conditioner;

  constructor(start: StartFrame, model: AlertingModel) {
    super(start, model);
    this.conditioner = new Conditioner({
      inputRateHz: start.aeRateHz,
      outputRateHz: this.rateHz,
      // AE sent as a variance series (aeKind) is already the power the envelope would compute
      mode: start.aeKind === 'variance' ? 'feature' : 'envelope',
      channels: start.aeChannels.length,
      channelScales: start.aeChannels.map((c) => c.scale),
    });
  }

  /** A data frame that arrived when the session clock read issuedS (its last AE sample's time). */
  push(frame: DataFrame, issuedS: number): AlertEvent[] {
    return this.pushConditioned(this.conditioner.push(frame.aeStartIndex, frame.ae), issuedS);
  }
}
