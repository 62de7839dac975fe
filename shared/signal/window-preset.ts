/**
 * A window preset: window length, step, model sample rate and scalogram scales. Training chooses
 * one (training/presets.ts) and copies it into the model's manifest; from then on the manifest is
 * its only source: serving, evaluation and the dashboard read it from there.
 */
import { CwtPlan } from './cwt.ts';
import { type ScaleSpec, scalesFor, type WaveletName, waveletByName } from './wavelets.ts';

export interface WindowPreset {
  id: string;
  windowS: number;
  stepS: number;
  /** model-rate samples per second: AE is conditioned and friction decimated to this rate */
  sampleRateHz: number;
  wavelet: WaveletName;
  scales: ScaleSpec;
}

/** Window length and step in samples at the preset's rate; both must be whole numbers. */
export function windowGeometry(p: WindowPreset): { windowSamples: number; stepSamples: number } {
  const windowSamples = Math.round(p.windowS * p.sampleRateHz);
  const stepSamples = Math.round(p.stepS * p.sampleRateHz);
  if (Math.abs(windowSamples - p.windowS * p.sampleRateHz) > 1e-9 || Math.abs(stepSamples - p.stepS * p.sampleRateHz) > 1e-9)
    throw new RangeError(`preset ${p.id}: ${p.windowS} s and ${p.stepS} s must be whole numbers of samples at ${p.sampleRateHz} Hz`);
  if (stepSamples < 1 || stepSamples > windowSamples) throw new RangeError(`preset ${p.id}: need 0 < step <= window, got ${p.stepS} s, ${p.windowS} s`);
  return { windowSamples, stepSamples };
}

/**
 * The columns of each window that the dashboard's scrolling scalograms show: the step-long run at
 * the window's centre, farthest from its edges (least cone of influence). Consecutive windows'
 * runs tile the time axis without overlap, each column lagging the stream by half a window.
 */
export function tileColumns(p: WindowPreset): { from: number; count: number } {
  const { windowSamples, stepSamples } = windowGeometry(p);
  return { from: Math.floor((windowSamples - stepSamples) / 2), count: stepSamples };
}

const plans = new Map<string, CwtPlan>();

/** The CWT plan of a preset, cached (plans precompute filter banks): training and serving share it. */
export function cwtPlanFor(preset: WindowPreset): CwtPlan {
  const key = JSON.stringify(preset);
  let plan = plans.get(key);
  if (!plan) {
    const wavelet = waveletByName(preset.wavelet);
    const { scalesS, dj } = scalesFor(preset.scales, wavelet);
    plan = new CwtPlan({ n: windowGeometry(preset).windowSamples, dtS: 1 / preset.sampleRateHz, scalesS, dj, wavelet });
    plans.set(key, plan);
  }
  return plan;
}
