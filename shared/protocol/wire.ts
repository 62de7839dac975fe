/**
 * The wire protocol between producers (a lab's acquisition, the replay client), the server and
 * dashboards: WebSocket binary messages, each one msgpack-encoded frame. Defined once here and
 * used by every peer. docs/protocol.md is the specification.
 *
 * msgpackr keeps typed arrays intact only with `moreTypes` (its default encodes them as plain
 * byte buffers or arrays and they come back as something else), so every peer uses the one Packr
 * made here.
 */
import { Packr } from 'msgpackr';
import type { Alert } from '../alerts.ts';
import { WINDOW_PRESETS } from '../signal/window-preset.ts';

export const PROTOCOL_VERSION = 1;

const packr = new Packr({ moreTypes: true, useRecords: false });

/** Why a frame or a session was refused; sent to the peer and counted by reason. */
export type ErrorCode =
  | 'malformed' // not msgpack, or not an object
  | 'bad-frame' // a field missing or of the wrong type or range
  | 'non-finite' // NaN or Infinity in the samples
  | 'too-large' // more samples or bytes than a frame may carry
  | 'unauthorized' // missing or wrong producer token
  | 'unknown-session' // data or end for a session never started
  | 'out-of-order' // a sequence number that skips ahead
  | 'duplicate' // a sequence number already acknowledged (harmless on resume: re-acked, not stored)
  | 'wrong-rate' // a preset whose model rate does not divide the AE rate
  | 'internal';

export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type AeSamples = Int16Array | Float32Array;

export const MECH_CHANNELS = ['shear_stress_MPa', 'normal_stress_MPa', 'mu'] as const;
export type MechChannel = (typeof MECH_CHANNELS)[number];

/** Opens (or resumes) a producer session. */
export interface StartFrame {
  type: 'start';
  protocol: number;
  session: string;
  experimentId: string;
  aeRateHz: number;
  /** the sample type every data frame's AE arrays have */
  aeType: 'int16' | 'float32';
  /** one entry per AE channel: name, unit, physical units per stored unit */
  aeChannels: { name: string; unit: string; scale: number }[];
  /** mechanical channels sent alongside, and their rate */
  mech?: { rateHz: number; channels: MechChannel[] };
  /** window preset the session is analysed with; must match the model's */
  preset: string;
  /** names of the server's models to predict with (default: every model of the preset) */
  models?: string[];
}

/** A contiguous block of samples. seq counts frames from 0; indices count samples from 0. */
export interface DataFrame {
  type: 'data';
  session: string;
  seq: number;
  /** index of ae[c][0] in the session's AE sample count */
  aeStartIndex: number;
  ae: AeSamples[];
  mech?: { startIndex: number; values: Partial<Record<MechChannel, Float32Array>> };
}

export interface EndFrame {
  type: 'end';
  session: string;
  seq: number;
}

/** Server -> producer: every frame up to and including seq is durably stored. */
export interface AckFrame {
  type: 'ack';
  session: string;
  seq: number;
}

export interface ErrorFrame {
  type: 'error';
  code: ErrorCode;
  message: string;
  session?: string;
  seq?: number;
}

export type ProducerFrame = StartFrame | DataFrame | EndFrame;
export type ServerToProducerFrame = AckFrame | ErrorFrame;

// ---- server -> dashboards (ws /stream) ----

/** What a dashboard needs to draw a model's tiles: which columns, their cone of influence, periods. */
export interface TileGeometry {
  scales: number;
  /** columns per tile (the window step) */
  columns: number;
  /** 1 where edge effects matter, scales x columns, scale-major */
  coi: Uint8Array;
  /** Fourier period of each scale, s */
  periodsS: Float64Array;
  /** quantised bytes map linearly from -range..range normalised units */
  range: number;
}

export interface HelloFrame {
  type: 'hello';
  models: { name: string; target: string; preset: { id: string; windowS: number; stepS: number; sampleRateHz: number }; tiles: TileGeometry }[];
}

export interface PredictionFrame {
  type: 'prediction';
  session: string;
  target: string;
  /** model-rate index of mean[0]; time = startIndex / rateHz from the session start */
  startIndex: number;
  rateHz: number;
  mean: Float32Array;
  std: Float32Array;
}

export interface AlertFrame {
  type: 'alert';
  session: string;
  event: 'on' | 'off';
  alert: Alert;
}

/** The conditioned AE (RMS envelope of the channel norm) at the model rate. */
export interface EnvelopeFrame {
  type: 'envelope';
  session: string;
  startIndex: number;
  rateHz: number;
  values: Float32Array;
}

/** Measured friction from the producer's mechanical channels, decimated for display. */
export interface MeasuredFrame {
  type: 'measured';
  session: string;
  startIndex: number;
  rateHz: number;
  mu: Float32Array;
}

/** One window's centre columns of the input scalogram or of a model's predicted scalogram. */
export interface TileFrame {
  type: 'tile';
  session: string;
  /** 'input' or the model's target */
  of: string;
  /** model-rate index of the first column */
  startIndex: number;
  rateHz: number;
  /** scales x columns, scale-major, quantised (TileGeometry.range) */
  data: Uint8Array;
}

/** A slip found in the measured friction (shared/labels.ts), once it is final. */
export interface SlipFrame {
  type: 'slip';
  session: string;
  /** failure onset, s from the session start */
  tS: number;
  dropMu: number;
}

export type StreamFrame = HelloFrame | PredictionFrame | AlertFrame | EnvelopeFrame | MeasuredFrame | TileFrame | SlipFrame;

/** The most samples one frame may carry per channel (1 s at 1 MHz). */
export const MAX_SAMPLES_PER_FRAME = 1 << 20;
export const MAX_CHANNELS = 8;

export function encodeFrame(frame: object): Uint8Array {
  return packr.pack(frame);
}

/** Decode without validation (frames from a trusted server). */
export function decodeFrame(bytes: Uint8Array): unknown {
  try {
    return packr.unpack(bytes);
  } catch (e) {
    throw new ProtocolError('malformed', `not a msgpack message: ${(e as Error).message}`);
  }
}

const SESSION_RE = /^[A-Za-z0-9_.-]{1,64}$/;

function fail(code: ErrorCode, message: string): never {
  throw new ProtocolError(code, message);
}

function int(name: string, v: unknown, min = 0): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) fail('bad-frame', `${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return v;
}

function finiteSamples(name: string, a: AeSamples | Float32Array): void {
  if (a instanceof Int16Array) return;
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) fail('non-finite', `${name}[${i}] is ${a[i]}`);
}

/** Decode and validate a frame from a producer; throws ProtocolError with a reason. */
export function decodeProducerFrame(bytes: Uint8Array): ProducerFrame {
  const f = decodeFrame(bytes) as Record<string, unknown>;
  if (typeof f !== 'object' || f === null || Array.isArray(f)) fail('malformed', 'a frame must be a msgpack map');
  if (typeof f.session !== 'string' || !SESSION_RE.test(f.session)) fail('bad-frame', `session must match ${SESSION_RE}, got ${JSON.stringify(f.session)}`);
  switch (f.type) {
    case 'start':
      return validateStart(f);
    case 'data':
      return validateData(f);
    case 'end':
      return { type: 'end', session: f.session as string, seq: int('seq', f.seq) };
    default:
      return fail('bad-frame', `type must be start, data or end, got ${JSON.stringify(f.type)}`);
  }
}

function validateStart(f: Record<string, unknown>): StartFrame {
  if (f.protocol !== PROTOCOL_VERSION) fail('bad-frame', `protocol ${JSON.stringify(f.protocol)} is not supported (server speaks ${PROTOCOL_VERSION})`);
  if (typeof f.experimentId !== 'string' || f.experimentId.length === 0 || f.experimentId.length > 128) fail('bad-frame', 'experimentId must be a string of 1-128 characters');
  if (typeof f.aeRateHz !== 'number' || !(f.aeRateHz > 0) || f.aeRateHz > 50e6) fail('bad-frame', `aeRateHz must be in (0, 50e6], got ${JSON.stringify(f.aeRateHz)}`);
  if (f.aeType !== 'int16' && f.aeType !== 'float32') fail('bad-frame', `aeType must be int16 or float32, got ${JSON.stringify(f.aeType)}`);
  const chans = f.aeChannels;
  if (!Array.isArray(chans) || chans.length < 1 || chans.length > MAX_CHANNELS) fail('bad-frame', `aeChannels must list 1-${MAX_CHANNELS} channels`);
  for (const c of chans as Record<string, unknown>[]) {
    if (typeof c?.name !== 'string' || typeof c.unit !== 'string' || typeof c.scale !== 'number' || !(c.scale > 0))
      fail('bad-frame', 'each AE channel needs a name, a unit and a scale > 0');
  }
  const preset = WINDOW_PRESETS[f.preset as string];
  if (!preset) fail('bad-frame', `preset must be one of ${Object.keys(WINDOW_PRESETS).join(', ')}, got ${JSON.stringify(f.preset)}`);
  if (!Number.isInteger((f.aeRateHz as number) / preset.sampleRateHz))
    fail('wrong-rate', `the AE rate ${f.aeRateHz} Hz must be a whole multiple of preset ${preset.id}'s ${preset.sampleRateHz} Hz`);
  let models: string[] | undefined;
  if (f.models !== undefined) {
    if (!Array.isArray(f.models) || f.models.length === 0 || f.models.length > 16 || f.models.some((m) => typeof m !== 'string' || m.length === 0 || m.length > 128))
      fail('bad-frame', 'models must be a list of 1-16 model names');
    models = f.models as string[];
  }
  let mech: StartFrame['mech'];
  if (f.mech !== undefined) {
    const m = f.mech as Record<string, unknown>;
    if (typeof m?.rateHz !== 'number' || !(m.rateHz > 0)) fail('bad-frame', 'mech.rateHz must be > 0');
    if (!Array.isArray(m.channels) || m.channels.length === 0 || m.channels.some((c) => !MECH_CHANNELS.includes(c as MechChannel)))
      fail('bad-frame', `mech.channels must be a non-empty subset of ${MECH_CHANNELS.join(', ')}`);
    mech = { rateHz: m.rateHz, channels: m.channels as MechChannel[] };
  }
  return {
    type: 'start',
    protocol: PROTOCOL_VERSION,
    session: f.session as string,
    experimentId: f.experimentId,
    aeRateHz: f.aeRateHz,
    aeType: f.aeType,
    aeChannels: (chans as StartFrame['aeChannels']).map((c) => ({ name: c.name, unit: c.unit, scale: c.scale })),
    mech,
    preset: preset.id,
    ...(models ? { models } : {}),
  };
}

function validateData(f: Record<string, unknown>): DataFrame {
  const seq = int('seq', f.seq);
  const aeStartIndex = int('aeStartIndex', f.aeStartIndex);
  const ae = f.ae;
  if (!Array.isArray(ae) || ae.length < 1 || ae.length > MAX_CHANNELS) fail('bad-frame', `ae must be a list of 1-${MAX_CHANNELS} typed arrays`);
  const n = (ae[0] as AeSamples)?.length;
  ae.forEach((a, c) => {
    if (!(a instanceof Int16Array || a instanceof Float32Array)) fail('bad-frame', `ae[${c}] must be an Int16Array or Float32Array, got ${a?.constructor?.name ?? typeof a}`);
    if (a.length !== n) fail('bad-frame', `ae[${c}] has ${a.length} samples, ae[0] has ${n}`);
    if (a.length > MAX_SAMPLES_PER_FRAME) fail('too-large', `ae[${c}] has ${a.length} samples; at most ${MAX_SAMPLES_PER_FRAME} per frame`);
    finiteSamples(`ae[${c}]`, a);
  });
  let mech: DataFrame['mech'];
  if (f.mech !== undefined) {
    const m = f.mech as Record<string, unknown>;
    const startIndex = int('mech.startIndex', m?.startIndex);
    const values = m.values as Record<string, unknown>;
    if (typeof values !== 'object' || values === null) fail('bad-frame', 'mech.values must be a map of channel -> Float32Array');
    for (const [k, v] of Object.entries(values)) {
      if (!MECH_CHANNELS.includes(k as MechChannel)) fail('bad-frame', `unknown mechanical channel ${k}; valid: ${MECH_CHANNELS.join(', ')}`);
      if (!(v instanceof Float32Array)) fail('bad-frame', `mech.values.${k} must be a Float32Array`);
      if (v.length > MAX_SAMPLES_PER_FRAME) fail('too-large', `mech.values.${k} has ${v.length} samples`);
      finiteSamples(`mech.values.${k}`, v);
    }
    mech = { startIndex, values: values as Partial<Record<MechChannel, Float32Array>> };
  }
  return { type: 'data', session: f.session as string, seq, aeStartIndex, ae: ae as AeSamples[], mech };
}
