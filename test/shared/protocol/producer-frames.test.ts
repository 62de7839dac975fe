import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Packr } from 'msgpackr';
import { decodeProducerFrame } from '../../../shared/protocol/producer-frames.ts';
import { encodeFrame, type Frame } from '../../../shared/protocol/codec.ts';
import { ProtocolError, type StartFrame } from '../../../shared/protocol/frames.ts';
import { startFrame } from '../../helpers/frames.ts';

const start: StartFrame = startFrame('rig-1', { experimentId: 'p4677', mech: { rateHz: 1000, channels: ['mu'] } });

function rejects(frame: unknown, code: string, message: RegExp): void {
  const bytes = frame instanceof Uint8Array ? frame : encodeFrame(frame as Frame);
  assert.throws(
    () => decodeProducerFrame(bytes),
    (e: unknown) => e instanceof ProtocolError && e.code === code && message.test(e.message),
    `${code} ${message}`,
  );
}

test('frames round-trip with their typed arrays intact', () => {
  assert.deepEqual(decodeProducerFrame(encodeFrame(start)), start);
  const data = {
    type: 'data',
    session: 'rig-1',
    seq: 3,
    aeStartIndex: 30_000,
    ae: [Int16Array.from([1, -2, 32767]), Int16Array.from([0, 5, -32768])],
    mech: { startIndex: 3000, values: { mu: Float32Array.from([0.6, 0.61, 0.62]) } },
  };
  const back = decodeProducerFrame(encodeFrame(data as Frame));
  assert.deepEqual(back, data);
  if (back.type !== 'data') throw new Error('not data');
  assert.ok(back.ae[0] instanceof Int16Array && back.mech?.values.mu instanceof Float32Array);
});

test("msgpackr's default encoding does not keep typed arrays (why the shared Packr has moreTypes)", () => {
  const plain = new Packr();
  const back = plain.unpack(plain.pack({ a: Float32Array.from([1.5, 2]) })) as { a: unknown };
  assert.ok(!(back.a instanceof Float32Array), `default msgpackr returned ${(back.a as object).constructor.name}`);
});

test('every malformed input is refused with its reason', () => {
  rejects(Uint8Array.from([0x92, 0x01]), 'malformed', /truncated message/); // an array of 2 with 1 element
  rejects([1, 2], 'malformed', /must be a msgpack map/);
  rejects({ ...start, session: 'bad session!' }, 'bad-frame', /session must be 1-64 characters of A-Z a-z 0-9 _ \. -/);
  rejects({ ...start, type: 'hello' }, 'bad-frame', /type must be start, data or end/);
  rejects({ ...start, protocol: 99 }, 'bad-frame', /protocol 99 is not supported/);
  rejects({ ...start, preset: '1 s' }, 'bad-frame', /preset must be a preset id/);
  rejects({ ...start, preset: 7 }, 'bad-frame', /preset must be a preset id/);
  rejects({ ...start, aeChannels: [] }, 'bad-frame', /1-8 channels/);
  rejects({ ...start, aeType: 'int32' }, 'bad-frame', /aeType must be "int16" or "float32", got "int32"/);
  rejects({ ...start, mech: { rateHz: 1000, channels: ['torque'] } }, 'bad-frame', /mech.channels must be distinct names among shear_stress_MPa/);
  const data = { type: 'data', session: 'rig-1', seq: 0, aeStartIndex: 0, ae: [new Int16Array(4), new Int16Array(4)] };
  rejects({ ...data, seq: -1 }, 'bad-frame', /seq must be an integer from 0 to 2\^53-1, got -1/);
  rejects({ ...data, seq: 1.5 }, 'bad-frame', /seq must be an integer/);
  rejects({ ...data, ae: [[1, 2, 3]] }, 'bad-frame', /ae\[0\] must be an Int16Array or Float32Array, got Array/);
  rejects({ ...data, ae: [new Int16Array(4), new Int16Array(3)] }, 'bad-frame', /ae\[1\] has 3 samples, ae\[0\] has 4/);
  rejects({ ...data, ae: [Float32Array.from([0, Number.NaN])] }, 'non-finite', /ae\[0\]\[1\] is NaN/);
  rejects({ ...data, ae: [Float32Array.from([Number.POSITIVE_INFINITY])] }, 'non-finite', /is Infinity/);
  rejects({ ...data, ae: [new Int16Array((1 << 20) + 1)] }, 'too-large', /at most 1048576 per frame/);
  rejects({ ...data, mech: { startIndex: 0, values: { mu: Float32Array.from([Number.NaN]) } } }, 'non-finite', /mech.values.mu\[0\] is NaN/);
  rejects({ type: 'end', session: 'rig-1', seq: 'x' }, 'bad-frame', /seq must be an integer/);
});

test('a session name is safe as a directory name: never . or .., no separators or NUL, bounded', () => {
  for (const name of ['.', '..', '../x', 'a/b', 'a\\b', 'a\0b', '.hidden', '-x', '', 'x'.repeat(65), 'sp ace'])
    rejects({ ...start, session: name }, 'bad-frame', /session must be 1-64 characters/);
  for (const name of ['a', 'rig-1', 'A.b_c-9', 'x'.repeat(64)]) assert.equal((decodeProducerFrame(encodeFrame({ ...start, session: name })) as StartFrame).session, name);
});

test('every number of a start frame is finite and in its documented range; strings are bounded', () => {
  const ch = start.aeChannels[0];
  rejects({ ...start, aeRateHz: Number.POSITIVE_INFINITY }, 'bad-frame', /aeRateHz must be a finite number from 1 to 50000000 Hz, got Infinity/);
  rejects({ ...start, aeRateHz: Number.NaN }, 'bad-frame', /aeRateHz .* got NaN/);
  rejects({ ...start, mech: { rateHz: Number.POSITIVE_INFINITY, channels: ['mu'] } }, 'bad-frame', /mech.rateHz must be a finite number from 0.1 to 100000 Hz, got Infinity/);
  rejects({ ...start, mech: { rateHz: 1e308, channels: ['mu'] } }, 'bad-frame', /mech.rateHz .* got 1e\+308/);
  rejects({ ...start, mech: { rateHz: 1000, channels: ['mu', 'mu'] } }, 'bad-frame', /distinct/);
  rejects({ ...start, aeChannels: [{ ...ch, scale: Number.POSITIVE_INFINITY }] }, 'bad-frame', /aeChannels\[0\].scale must be a finite number/);
  rejects({ ...start, aeChannels: [{ ...ch, scale: 0 }] }, 'bad-frame', /aeChannels\[0\].scale/);
  rejects({ ...start, aeChannels: [{ ...ch, unit: 'u'.repeat(1 << 20) }] }, 'bad-frame', /aeChannels\[0\].unit must be a string of 0-32 characters/);
  rejects({ ...start, aeChannels: [{ ...ch, name: '' }] }, 'bad-frame', /aeChannels\[0\].name must be a string of 1-64/);
  rejects({ ...start, experimentId: 'e'.repeat(129) }, 'bad-frame', /experimentId must be a string of 1-128/);
  rejects({ ...start, models: ['m'.repeat(129)] }, 'bad-frame', /models\[0\] must be a string of 1-128/);
});

test('a data frame whose mechanical channels differ in length is refused whole', () => {
  const data = { type: 'data', session: 'rig-1', seq: 0, aeStartIndex: 0, ae: [new Int16Array(4)], mech: { startIndex: 0, values: { mu: new Float32Array(10), shear_stress_MPa: new Float32Array(9) } } };
  rejects(data, 'bad-frame', /mech.values.shear_stress_MPa has 9 samples, the other channels 10; all must be equal/);
  rejects({ ...data, ae: [new Int16Array(4), new Float32Array(4)] }, 'bad-frame', /ae\[1\] is a Float32Array, ae\[0\] a Int16Array/);
});

test('a 12 MiB message of tiny values is refused before it is built (no event-loop stall)', () => {
  const n = 12 << 20;
  const bytes = new Uint8Array(5 + n); // array32 of 12 Mi fixints 0
  bytes[0] = 0xdd;
  new DataView(bytes.buffer).setUint32(1, n);
  const t0 = performance.now();
  rejects(bytes, 'malformed', /at most 4096 values/);
  const ms = performance.now() - t0;
  // building it took ~1.4 s on main; the count stops after 4096 values
  assert.ok(ms < 200, `refused after ${ms.toFixed(0)} ms`);
  const map = new Uint8Array(5 + 2 * n).fill(0xc0); // map32 of nils
  map[0] = 0xdf;
  new DataView(map.buffer).setUint32(1, n);
  rejects(map, 'malformed', /at most 4096 values/);
});
