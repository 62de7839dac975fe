/**
 * The streams of a session's archive: its AE, its mechanical channels when sent and the
 * predictions of its models (signals at a rate), and two event streams (rows at no rate): the
 * frames index and the alerts.
 */
import type { ColumnSpec, EventStreamSpec, StreamSpec } from '../../shared/recording-meta.ts';
import type { StartFrame } from '../../shared/protocol/frames.ts';

const NAME_RE = /^[A-Za-z][A-Za-z0-9_]{0,31}$/;

function aeColumns(start: StartFrame): ColumnSpec[] {
  // a name that is not a column name, or repeats an earlier one, becomes ae<i>
  return start.aeChannels.map((c, i) => ({
    name: NAME_RE.test(c.name) && start.aeChannels.findIndex((d) => d.name === c.name) === i ? c.name : `ae${i}`,
    type: start.aeType,
    unit: c.unit,
    quantity: start.aeKind === 'variance' ? 'acoustic-emission-variance' : 'acoustic-emission',
    scale: c.scale,
  }));
}

/** Prediction streams: each row says where it is, since predictions start after a warm-up. */
function outputStreams(rateHz: number, targets: readonly string[], startTimeS: number): Record<string, StreamSpec> {
  const streams: Record<string, StreamSpec> = {};
  for (const t of targets) {
    streams[`pred_${t}`] = {
      file: `pred_${t}.arrows`,
      sampleRateHz: rateHz,
      startTimeS,
      columns: [
        { name: 'index', type: 'float64', unit: 'samples', quantity: 'other' },
        { name: 'mean', type: 'float32', unit: t === 'ttf' ? 's' : '1', quantity: t === 'friction' ? 'friction' : 'other' },
        { name: 'std', type: 'float32', unit: t === 'ttf' ? 's' : '1', quantity: 'other' },
      ],
    };
  }
  return streams;
}

export function streamsFor(start: StartFrame, output: { rateHz: number; targets: readonly string[] } = { rateHz: 1, targets: [] }): Record<string, StreamSpec> {
  // experiment time of the session's first sample (a replay from 650 s: 650)
  const t0 = start.experimentStartS ?? 0;
  const streams: Record<string, StreamSpec> = {
    ae: { file: 'ae.arrows', sampleRateHz: start.aeRateHz, startTimeS: t0, columns: aeColumns(start) },
  };
  Object.assign(streams, outputStreams(output.rateHz, output.targets, t0));
  if (start.mech) {
    const quantity = { shear_stress_MPa: 'shear-stress', normal_stress_MPa: 'normal-stress', mu: 'friction' } as const;
    streams.mech = {
      file: 'mech.arrows',
      sampleRateHz: start.mech.rateHz,
      startTimeS: t0,
      columns: start.mech.channels.map((c) => ({ name: c, type: 'float32', unit: c === 'mu' ? '1' : 'MPa', quantity: quantity[c] })),
    };
  }
  return streams;
}

/**
 * The archive's event streams: `frames`, an index with one row per stored data frame (where its
 * samples end in each stream), and, when models predict, `alerts`, one row per alert turning on
 * or off at its experiment time.
 */
export function eventsFor(output: { targets: readonly string[] } = { targets: [] }): Record<string, EventStreamSpec> {
  const events: Record<string, EventStreamSpec> = {
    frames: {
      file: 'frames.arrows',
      columns: [
        { name: 'seq', type: 'float64', unit: '1', quantity: 'other' },
        { name: 'ae_end_index', type: 'float64', unit: 'samples', quantity: 'other' },
        { name: 'mech_end_index', type: 'float64', unit: 'samples', quantity: 'other' },
      ],
    },
  };
  if (output.targets.length) {
    events.alerts = {
      file: 'alerts.arrows',
      timeColumn: 'time_s',
      columns: [
        { name: 'alert_id', type: 'float64', unit: '1', quantity: 'other' },
        { name: 'is_on', type: 'float64', unit: '1', quantity: 'other' },
        { name: 'time_s', type: 'float64', unit: 's', quantity: 'time' },
        { name: 'predicted_ttf_s', type: 'float64', unit: 's', quantity: 'other' },
      ],
    };
  }
  return events;
}
