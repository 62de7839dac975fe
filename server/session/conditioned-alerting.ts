/**
 * A session's failure warnings from its conditioned AE envelope: each sample's log10 level feeds
 * the forecaster (shared/alerts/hazard.ts) at the issue time of the frame that completed it, and
 * slips restart its cycle: those the measured friction reports when the stream carries it, else
 * those found in the AE itself (shared/alerts/ae-slips.ts). The embedded monitor conditions the AE
 * itself first (alerting.ts); the bus's alerts role gets the envelope from the conditioning role.
 */
import type { AlertEvent } from '../../shared/alerts.ts';
import { AeSlipDetector } from '../../shared/alerts/ae-slips.ts';
import { type AlertingModel, HazardAlerts } from '../../shared/alerts/hazard.ts';
import type { StartFrame } from '../../shared/protocol/frames.ts';
import type { ConditionedChunk } from '../../shared/signal/condition.ts';
import { LOG10_FLOOR } from '../../model/spec.ts';

export class ConditionedAlerting {
  private readonly hazard: HazardAlerts;
  readonly rateHz: number;
  /** time the last sample fed describes, s */
  lastSampleS = 0;
  /** slips found in the AE, for a stream without measured friction (null: the friction reports them) */
  private readonly aeSlips: AeSlipDetector | null;
  /** onsets of the slips found in the AE, s */
  readonly aeSlipsS: number[] = [];
  /** the alert horizon's probability of each sample fed since the last takeForecast (NaN while warming up) */
  private pending: { startIndex: number; values: number[] } | null = null;

  constructor(start: StartFrame, model: AlertingModel) {
    this.hazard = new HazardAlerts(model);
    this.rateHz = model.features.rateHz;
    this.aeSlips = start.mech?.channels.includes('mu') ? null : new AeSlipDetector({ rateHz: this.rateHz });
  }

  get history() {
    return this.hazard.detector.history;
  }

  /** The most recent forecast (probabilities, TTF and its spread), for the dashboard. */
  get forecast() {
    return this.hazard.last;
  }

  /** Conditioned chunks that a frame arriving at session time issuedS completed. */
  pushConditioned(chunks: ConditionedChunk[], issuedS: number): AlertEvent[] {
    const events: AlertEvent[] = [];
    for (const c of chunks) {
      if (c.kind === 'gap') continue;
      for (let i = 0; i < c.values.length; i++) {
        this.lastSampleS = (c.startIndex + i) / this.rateHz;
        const level = Math.log10(Math.max(c.values[i], LOG10_FLOOR));
        events.push(...this.hazard.push(this.lastSampleS, issuedS, level));
        this.pending ??= { startIndex: c.startIndex + i, values: [] };
        this.pending.values.push(this.hazard.last?.probabilities[this.horizonIndex] ?? Number.NaN);
        const onset = this.aeSlips?.push(c.startIndex + i, level) ?? null;
        if (onset !== null) {
          this.aeSlipsS.push(onset / this.rateHz);
          events.push(...this.slip(onset / this.rateHz, issuedS));
        }
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
