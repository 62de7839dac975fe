/**
 * A walk over a MessagePack message that counts its values without building them. A producer
 * frame holds a few dozen values; its samples travel as typed-array extensions, each one value.
 * A hostile 12 MiB message of millions of tiny values would cost msgpackr over a second of event
 * loop to build before validation could refuse it; this walk refuses it after MAX_VALUES.
 */
import { ProtocolError } from './frames.ts';

/** The most values (map keys and values, array items, scalars) one producer frame may hold. */
export const MAX_VALUES = 4096;

function fail(message: string): never {
  throw new ProtocolError('malformed', message);
}

/** Size of the header and payload of the value at `i`, and how many values it contains. */
function step(b: Uint8Array, v: DataView, i: number): { next: number; children: number } {
  const t = b[i];
  if (t <= 0x7f || t >= 0xe0 || t === 0xc0 || t === 0xc2 || t === 0xc3) return { next: i + 1, children: 0 };
  if (t <= 0x8f) return { next: i + 1, children: 2 * (t & 0x0f) };
  if (t <= 0x9f) return { next: i + 1, children: t & 0x0f };
  if (t <= 0xbf) return { next: i + 1 + (t & 0x1f), children: 0 };
  const u8 = () => b[i + 1];
  const u16 = () => v.getUint16(i + 1);
  const u32 = () => v.getUint32(i + 1);
  switch (t) {
    case 0xc4: return { next: i + 2 + u8(), children: 0 };
    case 0xc5: return { next: i + 3 + u16(), children: 0 };
    case 0xc6: return { next: i + 5 + u32(), children: 0 };
    case 0xc7: return { next: i + 3 + u8(), children: 0 };
    case 0xc8: return { next: i + 4 + u16(), children: 0 };
    case 0xc9: return { next: i + 6 + u32(), children: 0 };
    case 0xca: return { next: i + 5, children: 0 };
    case 0xcb: return { next: i + 9, children: 0 };
    case 0xcc: case 0xd0: return { next: i + 2, children: 0 };
    case 0xcd: case 0xd1: return { next: i + 3, children: 0 };
    case 0xce: case 0xd2: return { next: i + 5, children: 0 };
    case 0xcf: case 0xd3: return { next: i + 9, children: 0 };
    case 0xd4: return { next: i + 3, children: 0 };
    case 0xd5: return { next: i + 4, children: 0 };
    case 0xd6: return { next: i + 6, children: 0 };
    case 0xd7: return { next: i + 10, children: 0 };
    case 0xd8: return { next: i + 18, children: 0 };
    case 0xd9: return { next: i + 2 + u8(), children: 0 };
    case 0xda: return { next: i + 3 + u16(), children: 0 };
    case 0xdb: return { next: i + 5 + u32(), children: 0 };
    case 0xdc: return { next: i + 3, children: u16() };
    case 0xdd: return { next: i + 5, children: u32() };
    case 0xde: return { next: i + 3, children: 2 * u16() };
    case 0xdf: return { next: i + 5, children: 2 * u32() };
    default: return fail(`byte 0x${t.toString(16)} at ${i} is not MessagePack`);
  }
}

/** Throws ProtocolError (malformed) when the message holds more than MAX_VALUES values or is cut short. */
export function checkMessageShape(bytes: Uint8Array, maxValues = MAX_VALUES): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let i = 0;
  let pending = 1;
  let seen = 0;
  while (pending > 0) {
    if (i >= bytes.length) fail('truncated message');
    let r: { next: number; children: number };
    try {
      r = step(bytes, view, i);
    } catch (e) {
      if (e instanceof RangeError) fail('truncated message');
      throw e;
    }
    const { next, children } = r;
    pending += children - 1;
    seen++;
    if (seen > maxValues || pending > maxValues) fail(`a frame may hold at most ${maxValues} values outside its typed arrays`);
    i = next;
  }
}
