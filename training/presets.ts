/**
 * The window presets training offers. A trained model copies its preset into its manifest, which
 * is the preset's one source from then on (serving never reads this table).
 *
 * Both give 200-sample windows and 64 scales, so one CED input shape serves both: seed 000's
 * 0.4 s / 0.1 s windows for tiny data are the 2 s windows at 5x the sample rate.
 */
import { type WindowPreset, windowGeometry } from '../shared/signal/window-preset.ts';

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

/** The preset training uses unless told otherwise (seed 000's 2 s / 0.2 s). */
export const DEFAULT_PRESET_ID = '2s';

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

