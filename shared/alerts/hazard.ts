/**
 * The failure forecaster and its alerts: a small artefact (trained-models/alerting/alerting-model.json,
 * fitted by `npm run fit-alerts`) maps the causal features (features.ts) to the probability of a
 * slip within each horizon (logistic regression, Platt-recalibrated on validation data) and to a
 * time to failure relative to the running recurrence (a scale-free linear fit). Alerts fire on
 * one horizon's probability with hysteresis and carry it, the predicted TTF and its uncertainty.
 * Pure, browser-safe: the server runs it live, evaluation replays it.
 */
import { type AlertEvent, HysteresisDetector } from './detector.ts';
import { type FeatureConfig, FEATURE_NAMES, FeatureState } from './features.ts';

export interface AlertingModel {
  kind: 'slipwatch-alerting';
  version: 1;
  features: FeatureConfig;
  featureNames: readonly string[];
  horizonsS: number[];
  /** per horizon: [bias, w1..wn] on the features */
  logistic: number[][];
  /** per horizon: Platt recalibration p = sigmoid(a z + b) of the logit z, fitted on validation */
  platt: [number, number][];
  /** TTF / running recurrence = max(0, [1, features at the first horizon] . weights); residual std of that ratio */
  ttf: { weights: number[]; residualStd: number };
  alert: { horizonS: number; onAbove: number; offBelow: number; minDurationS: number; clearAfterS?: number };
}

export interface Forecast {
  /** the sample time the forecast is for, s */
  tS: number;
  /** P(slip within horizonsS[i]) */
  probabilities: number[];
  ttfS: number;
  ttfStdS: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
const dot = (w: readonly number[], x: readonly number[]) => x.reduce((s, v, i) => s + w[i + 1] * v, w[0]);

/** Probabilities and TTF from a feature vector per horizon. */
export function forecastOf(m: AlertingModel, tS: number, xs: number[][], recurrenceS: number): Forecast {
  const probabilities = xs.map((x, i) => sigmoid(m.platt[i][0] * dot(m.logistic[i], x) + m.platt[i][1]));
  const u = Math.max(0, dot(m.ttf.weights, xs[0]));
  return { tS, probabilities, ttfS: u * recurrenceS, ttfStdS: m.ttf.residualStd * recurrenceS };
}

export class Forecaster {
  readonly state: FeatureState;
  constructor(readonly model: AlertingModel) {
    this.state = new FeatureState(model.features);
  }

  slip(onsetS: number): void {
    this.state.slip(onsetS);
  }

  /** Feed the AE level of the sample at tS; the forecast for tS, or null while warming up (before two slips). */
  push(tS: number, level: number): Forecast | null {
    this.state.push(tS, level);
    const xs: number[][] = [];
    for (const h of this.model.horizonsS) {
      const x = this.state.vector(tS, h);
      if (!x) return null;
      xs.push(x);
    }
    return forecastOf(this.model, tS, xs, this.state.clock(tS).meanS);
  }
}

/** The forecaster's alerts: hysteresis on the alert horizon's probability, stamped with issue times. */
export class HazardAlerts {
  readonly forecaster: Forecaster;
  readonly detector: HysteresisDetector;
  private readonly k: number;
  last: Forecast | null = null;

  constructor(readonly model: AlertingModel) {
    if (FEATURE_NAMES.some((n, i) => model.featureNames[i] !== n)) throw new Error(`alerting model features ${model.featureNames.join(',')} are not this code's ${FEATURE_NAMES.join(',')}`);
    this.forecaster = new Forecaster(model);
    this.detector = new HysteresisDetector({ onAbove: model.alert.onAbove, offBelow: model.alert.offBelow, minDurationS: model.alert.minDurationS, clearAfterS: model.alert.clearAfterS });
    this.k = model.horizonsS.indexOf(model.alert.horizonS);
    if (this.k < 0) throw new Error(`alert horizon ${model.alert.horizonS} s is not among ${model.horizonsS.join(', ')}`);
  }

  /** A slip was reported at knownAtS: the warning it answered clears then (the forecast restarts its cycle). */
  slip(onsetS: number, knownAtS?: number): void {
    this.forecaster.slip(onsetS);
    if (knownAtS !== undefined && this.detector.isActive) this.detector.clear(knownAtS);
  }

  /** The AE level of the sample at sampleS, which the monitor had at issuedS. */
  push(sampleS: number, issuedS: number, level: number): AlertEvent[] {
    const f = this.forecaster.push(sampleS, level);
    this.last = f;
    if (!f) return [];
    const p = f.probabilities[this.k];
    return this.detector.push(issuedS, p, () => ({ probability: p, horizonS: this.model.alert.horizonS, predictedTtfS: f.ttfS, ttfStdS: f.ttfStdS }));
  }
}
