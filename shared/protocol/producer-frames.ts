/**
 * Validation of what producers send: every frame is decoded and checked completely before the
 * server acts on it, and refused with a ProtocolError that says what was wrong.
 */
import { decodeFrame } from './codec.ts';
import { type AeSamples, type DataFrame, type ErrorCode, MAX_CHANNELS, MAX_SAMPLES_PER_FRAME, MECH_CHANNELS, type MechChannel, PROTOCOL_VERSION, type ProducerFrame, ProtocolError, type StartFrame } from './frames.ts';

const SESSION_RE = /^[A-Za-z0-9_.-]{1,64}$/;
const PRESET_RE = /^[A-Za-z0-9_.@\/-]{1,64}$/;

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
  // the preset is checked against the server's models by the session (they define the presets)
  if (f.preset !== undefined && (typeof f.preset !== 'string' || !PRESET_RE.test(f.preset))) fail('bad-frame', `preset must be a preset id matching ${PRESET_RE}, got ${JSON.stringify(f.preset)}`);
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
    ...(f.preset !== undefined ? { preset: f.preset as string } : {}),
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
