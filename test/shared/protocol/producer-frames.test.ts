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
  rejects(Uint8Array.from([0x92, 0x01]), 'malformed', /not a msgpack message/); // an array of 2 with 1 element
  rejects([1, 2], 'malformed', /must be a msgpack map/);
  rejects({ ...start, session: 'bad session!' }, 'bad-frame', /session must match/);
  rejects({ ...start, type: 'hello' }, 'bad-frame', /type must be start, data or end/);
  rejects({ ...start, protocol: 99 }, 'bad-frame', /protocol 99 is not supported/);
  rejects({ ...start, preset: '1 s' }, 'bad-frame', /preset must be a preset id/);
  rejects({ ...start, preset: 7 }, 'bad-frame', /preset must be a preset id/);
  rejects({ ...start, aeChannels: [] }, 'bad-frame', /1-8 channels/);
  rejects({ ...start, aeType: 'int32' }, 'bad-frame', /aeType must be int16 or float32, got "int32"/);
  rejects({ ...start, mech: { rateHz: 1000, channels: ['torque'] } }, 'bad-frame', /subset of shear_stress_MPa/);
  const data = { type: 'data', session: 'rig-1', seq: 0, aeStartIndex: 0, ae: [new Int16Array(4), new Int16Array(4)] };
  rejects({ ...data, seq: -1 }, 'bad-frame', /seq must be an integer >= 0/);
  rejects({ ...data, seq: 1.5 }, 'bad-frame', /seq must be an integer/);
  rejects({ ...data, ae: [[1, 2, 3]] }, 'bad-frame', /ae\[0\] must be an Int16Array or Float32Array, got Array/);
  rejects({ ...data, ae: [new Int16Array(4), new Int16Array(3)] }, 'bad-frame', /ae\[1\] has 3 samples, ae\[0\] has 4/);
  rejects({ ...data, ae: [Float32Array.from([0, Number.NaN])] }, 'non-finite', /ae\[0\]\[1\] is NaN/);
  rejects({ ...data, ae: [Float32Array.from([Number.POSITIVE_INFINITY])] }, 'non-finite', /is Infinity/);
  rejects({ ...data, ae: [new Int16Array((1 << 20) + 1)] }, 'too-large', /at most 1048576 per frame/);
  rejects({ ...data, mech: { startIndex: 0, values: { mu: Float32Array.from([Number.NaN]) } } }, 'non-finite', /mech.values.mu\[0\] is NaN/);
  rejects({ type: 'end', session: 'rig-1', seq: 'x' }, 'bad-frame', /seq must be an integer/);
});
