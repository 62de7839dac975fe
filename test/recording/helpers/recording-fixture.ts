/** A small two-stream recording description and deterministic batches for recording tests. */
import type { NewRecordingMeta } from '../../../recording/recording.ts';

export const AE_ROWS = 1000;
export const MECH_ROWS = 100;

export function testMeta(id = 'test-exp'): NewRecordingMeta {
  return {
    experimentId: id,
    domain: 'lab',
    description: 'recording round-trip test',
    source: { kind: 'instrument', name: 'test rig' },
    normalStressSchedule: [{ startS: 0, endS: 10, normalStressMPa: 2.5 }],
    streams: {
      ae: {
        file: 'ae.arrows',
        sampleRateHz: 10_000,
        startTimeS: 0,
        columns: [
          { name: 'ae0_counts', type: 'int16', unit: 'counts', quantity: 'acoustic-emission', scale: 10 / 32768 },
          { name: 'ae1_counts', type: 'int16', unit: 'counts', quantity: 'acoustic-emission', scale: 10 / 32768 },
        ],
      },
      mech: {
        file: 'mech.arrows',
        sampleRateHz: 1000,
        startTimeS: 0.001,
        columns: [
          { name: 'time_s', type: 'float64', unit: 's', quantity: 'time' },
          { name: 'mu', type: 'float32', unit: '1', quantity: 'friction' },
        ],
      },
    },
  };
}

/** Batch k of both streams; every value is a function of its global row index. */
export function batchFor(k: number) {
  const ae0 = new Int16Array(AE_ROWS);
  const ae1 = new Int16Array(AE_ROWS);
  for (let i = 0; i < AE_ROWS; i++) {
    const g = k * AE_ROWS + i;
    ae0[i] = (g % 65536) - 32768;
    ae1[i] = -((g * 7) % 30000);
  }
  const time = new Float64Array(MECH_ROWS);
  const mu = new Float32Array(MECH_ROWS);
  for (let i = 0; i < MECH_ROWS; i++) {
    const g = k * MECH_ROWS + i;
    time[i] = 0.001 * (g + 1);
    mu[i] = 0.6 + 0.01 * Math.sin(g / 10);
  }
  return { ae: { ae0_counts: ae0, ae1_counts: ae1 }, mech: { time_s: time, mu } };
}
