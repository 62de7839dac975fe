/**
 * server/session/alerting.ts (SessionAlerting) after its conditioning step: the forecaster's
 * envelope arrives already conditioned (the bus's conditioning role made it with the same
 * Conditioner settings), and each sample's log10 level feeds the forecaster at the issue time of
 * the frame that completed it; slips (measured, or found in the AE) restart its cycle.
 *
 * The loop below is SessionAlerting.push's inner loop, line for line; SessionAlerting is not this
 * helper's to edit, so /tmp/slipwatch-notes/h15.md asks for it to call pushConditioned (one code
 * path). The bus test holds the two to the same alerts on the same recording.
 */
import type { AlertEvent } from '../shared/alerts.ts';
import { AeSlipDetector } from '../shared/alerts/ae-slips.ts';
import { type AlertingModel, HazardAlerts } from '../shared/alerts/hazard.ts';
import type { StartFrame } from '../shared/protocol/frames.ts';
import type { ConditionedChunk } from '../shared/signal/condition.ts';
import { LOG10_FLOOR } from '../model/spec.ts';

export class ConditionedAlerting {
  private readonly hazard: HazardAlerts;
  readonly rateHz: number;
  /** slips found in the AE, for a stream without measured friction (null: the friction reports them) */
  private readonly aeSlips: AeSlipDetector | null;
  private pending: { startIndex: number; values: number[] } | null = null;

  constructor(start: StartFrame, model: AlertingModel) {
    this.hazard = new HazardAlerts(model);
    this.rateHz = model.features.rateHz;
    this.aeSlips = start.mech?.channels.includes('mu') ? null : new AeSlipDetector({ rateHz: this.rateHz });
  }

  get history() {
    return this.hazard.detector.history;
  }

  /** Conditioned chunks that a frame arriving at session time issuedS completed. */
  pushConditioned(chunks: ConditionedChunk[], issuedS: number): AlertEvent[] {
    const events: AlertEvent[] = [];
    for (const c of chunks) {
      if (c.kind === 'gap') continue;
      for (let i = 0; i < c.values.length; i++) {
        const level = Math.log10(Math.max(c.values[i], LOG10_FLOOR));
        events.push(...this.hazard.push((c.startIndex + i) / this.rateHz, issuedS, level));
        this.pending ??= { startIndex: c.startIndex + i, values: [] };
        this.pending.values.push(this.hazard.last?.probabilities[this.horizonIndex] ?? Number.NaN);
        const onset = this.aeSlips?.push(c.startIndex + i, level) ?? null;
        if (onset !== null) events.push(...this.slip(onset / this.rateHz, issuedS));
      }
    }
    return events;
  }

  /** The alert horizon's probability for the samples fed since the last call (for the dashboard). */
  takeForecast(): { startIndex: number; rateHz: number; horizonS: number; probability: Float32Array } | null {
    const p = this.pending;
    this.pending = null;
    return p && { startIndex: p.startIndex, rateHz: this.rateHz, horizonS: this.hazard.model.alert.horizonS, probability: Float32Array.from(p.values) };
  }

  private get horizonIndex(): number {
    return this.hazard.model.horizonsS.indexOf(this.hazard.model.alert.horizonS);
  }

  /** A slip with onset onsetS, reported (final) at knownAtS: the warning it answered clears. */
  slip(onsetS: number, knownAtS: number): AlertEvent[] {
    const wasOn = this.hazard.detector.isActive;
    this.hazard.slip(onsetS, knownAtS);
    const last = this.history[this.history.length - 1];
    return wasOn && last?.offS !== undefined ? [{ kind: 'off', alert: last }] : [];
  }

  /** The session ends at endS: an alert still on is closed with it. */
  close(endS: number): AlertEvent[] {
    return this.hazard.detector.close(endS);
  }
}
