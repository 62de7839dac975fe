/**
 * Window presets: the one table of window length, step, model sample rate and scalogram scales.
 * A model's manifest names its preset; serving reads everything from there.
 *
 * Both presets give 200-sample windows and 64 scales, so one CED input shape serves both: seed
 * 000's 0.4 s / 0.1 s windows for tiny data are the 2 s windows at 5x the sample rate.
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

export const WINDOW_PRESETS: Readonly<Record<string, WindowPreset>> = {
  // seed 000's windows: 2 s long, a new one every 0.2 s; periods from Nyquist to the window length
  '2s': {
    id: '2s',
    windowS: 2,
    stepS: 0.2,
    sampleRateHz: 100,
    wavelet: 'dog2',
    scales: { kind: 'periods', minPeriodS: 0.02, maxPeriodS: 2, count: 64 },
  },
  // seed 000's windows for extremely limited data: 0.4 s / 0.1 s
  '0.4s': {
    id: '0.4s',
    windowS: 0.4,
    stepS: 0.1,
    sampleRateHz: 500,
    wavelet: 'dog2',
    scales: { kind: 'periods', minPeriodS: 0.004, maxPeriodS: 0.4, count: 64 },
  },
};

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

/** A preset by id; an unknown id fails with the valid ones. */
export function presetById(id: string): WindowPreset {
  const p = WINDOW_PRESETS[id];
  if (!p) throw new Error(`unknown window preset "${id}"; valid: ${Object.keys(WINDOW_PRESETS).join(', ')}`);
  return p;
}

/** Any other window length and step, with the default scale rule (periods from 2 dt to the window). */
export function customPreset(windowS: number, stepS: number, sampleRateHz: number, scaleCount = 64): WindowPreset {
  const p: WindowPreset = {
    id: `${windowS}s/${stepS}s@${sampleRateHz}Hz`,
    windowS,
    stepS,
    sampleRateHz,
    wavelet: 'dog2',
    scales: { kind: 'periods', minPeriodS: 2 / sampleRateHz, maxPeriodS: windowS, count: scaleCount },
  };
  windowGeometry(p);
  return p;
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
