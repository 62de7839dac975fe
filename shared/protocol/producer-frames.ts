/**
 * Validation of what producers send: every frame is decoded and checked completely before the
 * server acts on it, and refused with a ProtocolError that says what was wrong.
 */
import { decodeFrame } from './codec.ts';
import { type AeSamples, type DataFrame, type ErrorCode, MAX_CHANNELS, MAX_SAMPLES_PER_FRAME, MECH_CHANNELS, type MechChannel, type ProducerFrame, ProtocolError } from './frames.ts';
import { checkMessageShape } from './msgpack-scan.ts';
import { checkSessionName } from './session-name.ts';
import { validateStart } from './start-frame.ts';

function fail(code: ErrorCode, message: string): never {
  throw new ProtocolError(code, message);
}

function int(name: string, v: unknown, min = 0): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) fail('bad-frame', `${name} must be an integer from ${min} to 2^53-1, got ${typeof v === 'number' ? v : typeof v}`);
  return v;
}

function finiteSamples(name: string, a: AeSamples | Float32Array): void {
  if (a instanceof Int16Array) return;
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) fail('non-finite', `${name}[${i}] is ${a[i]}`);
}

/** Decode and validate a frame from a producer; throws ProtocolError with a reason. */
export function decodeProducerFrame(bytes: Uint8Array): ProducerFrame {
  // count the values first: building millions of them would stall the event loop
  checkMessageShape(bytes);
  const f = decodeFrame(bytes) as Record<string, unknown>;
  if (typeof f !== 'object' || f === null || Array.isArray(f)) fail('malformed', 'a frame must be a msgpack map');
  checkSessionName(f.session);
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

function validateData(f: Record<string, unknown>): DataFrame {
  const seq = int('seq', f.seq);
  const aeStartIndex = int('aeStartIndex', f.aeStartIndex);
  const ae = f.ae;
  if (!Array.isArray(ae) || ae.length < 1 || ae.length > MAX_CHANNELS) fail('bad-frame', `ae must be a list of 1-${MAX_CHANNELS} typed arrays`);
  const n = (ae[0] as AeSamples)?.length;
  ae.forEach((a, c) => {
    if (!(a instanceof Int16Array || a instanceof Float32Array)) fail('bad-frame', `ae[${c}] must be an Int16Array or Float32Array, got ${a?.constructor?.name ?? typeof a}`);
    if (a.constructor !== ae[0].constructor) fail('bad-frame', `ae[${c}] is a ${a.constructor.name}, ae[0] a ${ae[0].constructor.name}; all channels have one type`);
    if (a.length !== n) fail('bad-frame', `ae[${c}] has ${a.length} samples, ae[0] has ${n}`);
    if (a.length > MAX_SAMPLES_PER_FRAME) fail('too-large', `ae[${c}] has ${a.length} samples; at most ${MAX_SAMPLES_PER_FRAME} per frame`);
    finiteSamples(`ae[${c}]`, a);
  });
  let mech: DataFrame['mech'];
  if (f.mech !== undefined) {
    const m = f.mech as Record<string, unknown>;
    const startIndex = int('mech.startIndex', m?.startIndex);
    const values = m.values as Record<string, unknown>;
    if (typeof values !== 'object' || values === null || Array.isArray(values) || values instanceof Uint8Array) fail('bad-frame', 'mech.values must be a map of channel -> Float32Array');
    let len = -1;
    for (const [k, v] of Object.entries(values)) {
      if (!MECH_CHANNELS.includes(k as MechChannel)) fail('bad-frame', `unknown mechanical channel ${JSON.stringify(k.slice(0, 40))}; valid: ${MECH_CHANNELS.join(', ')}`);
      if (!(v instanceof Float32Array)) fail('bad-frame', `mech.values.${k} must be a Float32Array`);
      if (v.length > MAX_SAMPLES_PER_FRAME) fail('too-large', `mech.values.${k} has ${v.length} samples; at most ${MAX_SAMPLES_PER_FRAME} per frame`);
      // every channel covers the same span: unequal lengths cannot be stored as one table
      if (len >= 0 && v.length !== len) fail('bad-frame', `mech.values.${k} has ${v.length} samples, the other channels ${len}; all must be equal`);
      len = v.length;
      finiteSamples(`mech.values.${k}`, v);
    }
    mech = { startIndex, values: values as Partial<Record<MechChannel, Float32Array>> };
  }
  return { type: 'data', session: f.session as string, seq, aeStartIndex, ae: ae as AeSamples[], mech };
}
