/**
 * Frames to bytes and back: one msgpack message per WebSocket message.
 *
 * msgpackr keeps typed arrays intact only with `moreTypes` (its default encodes them as plain
 * byte buffers or arrays and they come back as something else), so every peer uses the one Packr
 * made here.
 */
import { Packr } from 'msgpackr';
import { type ProducerFrame, ProtocolError, type ServerToProducerFrame, type StreamFrame } from './frames.ts';

const packr = new Packr({ moreTypes: true, useRecords: false });

/** Any frame of the protocol, typed: nothing untyped goes on the wire. */
export type Frame = ProducerFrame | ServerToProducerFrame | StreamFrame;

export function encodeFrame(frame: Frame): Uint8Array {
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
