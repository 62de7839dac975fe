/**
 * The replay client: streams a recording into a server's ws /ingest as a producer would, at 1x,
 * Nx or as fast as the server acknowledges, resuming after a dropped connection without loss or
 * duplication. Used by `npm run replay`, `npm start` and the tests.
 */
import { type ColumnSpec, columnsOf, type StreamSpec } from '../shared/recording-meta.ts';
import { PROTOCOL_VERSION, type StartFrame } from '../shared/protocol/frames.ts';
import { checkSessionName } from '../shared/protocol/session-name.ts';
import { START_LIMITS } from '../shared/protocol/start-frame.ts';
import { type OpenedRecording, openRecording } from '../recording/recording.ts';
import { type ReplayPlan, runConnection } from './replay-connection.ts';

export interface ReplayOptions {
  recordingDir: string;
  /** ws://host:port/ingest */
  url: string;
  token: string;
  session: string;
  /** real-time factor, or 'max' to go as fast as acknowledgements allow */
  speed: number | 'max';
  /** window preset the server analyses the session with (default: its models') */
  preset?: string;
  /** the server's models to predict with (default: all of the preset's) */
  models?: string[];
  /** seconds of AE per frame */
  frameS?: number;
  /** most unacknowledged frames in flight */
  window?: number;
  onProgress?: (sentS: number, totalS: number, ackedSeq: number) => void;
  signal?: AbortSignal;
  /** start this far into the recording, s (seeking = a new session from a new position) */
  fromS?: number;
  /** pause control: while paused() is true, nothing is sent */
  paused?: () => boolean;
}

/**
 * What a producer can stream from a recording: its AE waveform. Anything else is refused with what
 * the recording holds and what to do with it instead.
 */
export function replayableAe(rec: OpenedRecording, dir: string): { ae: StreamSpec; aeCols: ColumnSpec[] } {
  const ae = rec.meta.streams.ae;
  const have = Object.entries(rec.meta.streams)
    .map(([name, s]) => `${name}: ${s.columns.map((c) => c.quantity).join(', ')}`)
    .join('; ');
  if (!ae) throw new Error(`${dir}: no AE stream to replay (the recording has ${have || 'no streams'}); a mechanical-only recording can be trained on and evaluated (npm run evaluate), not streamed`);
  const aeCols = columnsOf(ae, 'acoustic-emission');
  if (aeCols.length > 0) return { ae, aeCols };
  if (columnsOf(ae, 'acoustic-emission-variance').length > 0)
    throw new Error(`${dir}: its AE is a variance series, not a waveform; the live protocol streams waveforms, so evaluate it offline with npm run evaluate -- --test-on`);
  throw new Error(`${dir}: replay needs AE waveform columns (the AE stream has ${ae.columns.map((c) => c.quantity).join(', ')}; a simulation recording has only the kinetic-energy proxy)`);
}

/** A replay's start frame: the recording's AE channels and friction, from originRow on, in experiment time. */
function startFrameOf(o: ReplayOptions, rec: OpenedRecording, ae: StreamSpec, aeCols: ColumnSpec[], originRow: number): StartFrame {
  const mech = rec.meta.streams.mech;
  return {
    type: 'start',
    protocol: PROTOCOL_VERSION,
    session: o.session,
    experimentId: rec.meta.experimentId,
    aeRateHz: ae.sampleRateHz,
    aeType: aeCols[0].type === 'int16' ? 'int16' : 'float32',
    aeChannels: aeCols.map((c) => ({ name: c.name, unit: c.unit, scale: c.scale ?? 1 })),
    mech: mech && columnsOf(mech, 'friction').length ? { rateHz: mech.sampleRateHz, channels: ['mu'] } : undefined,
    ...(o.preset ? { preset: o.preset } : {}),
    ...(o.models ? { models: o.models } : {}),
    // experiment time: where the session's first sample is, and the load levels (archived with it)
    experimentStartS: ae.startTimeS + originRow / ae.sampleRateHz,
    ...(rec.meta.normalStressSchedule.length <= START_LIMITS.scheduleLevels ? { normalStressSchedule: rec.meta.normalStressSchedule } : {}),
  };
}

/** Replay a recording; resolves when the server has acknowledged the last frame and the end. */
export async function replay(o: ReplayOptions): Promise<{ frames: number; seconds: number }> {
  checkSessionName(o.session);
  const rec = await openRecording(o.recordingDir);
  const { ae, aeCols } = replayableAe(rec, o.recordingDir);
  const totalS = rec.streams.ae.rows / ae.sampleRateHz;
  const originRow = Math.round(Math.max(0, Math.min(o.fromS ?? 0, totalS)) * ae.sampleRateHz);
  const plan: ReplayPlan = { rec, start: startFrameOf(o, rec, ae, aeCols, originRow), frameRows: Math.round((o.frameS ?? 0.1) * ae.sampleRateHz), originRow, totalS, t0: performance.now() };
  let attempt = 0;
  for (;;) {
    if (o.signal?.aborted) throw new Error('replay aborted');
    try {
      const frames = await runConnection(o, plan);
      return { frames, seconds: (performance.now() - plan.t0) / 1000 };
    } catch (e) {
      if ((e as { fatal?: boolean }).fatal) throw e;
      // a dropped connection: back off and resume where the server says it is
      attempt++;
      if (attempt > 20) throw new Error(`replay gave up after ${attempt} reconnects: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, Math.min(2000, 50 * 2 ** attempt)));
    }
  }
}
