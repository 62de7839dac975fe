/**
 * Message framing of the Arrow IPC streaming format, read directly from a file descriptor:
 *   <0xFFFFFFFF> <int32 metadata length> <flatbuffer Message, padded> <body of Message.bodyLength>
 *   ... and an end-of-stream marker <0xFFFFFFFF> <0x00000000>.
 * Scanning only reads the 8-byte prefixes and metadata, seeking over bodies, so checking a
 * multi-GB file costs a few reads per record batch. A crash mid-write leaves a torn last message;
 * the scan reports where the last complete message ends so readers stop there and writers
 * truncate there before appending.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Message, MessageHeader } from 'apache-arrow';

export const CONTINUATION = 0xffffffff;
export const EOS_MARKER = new Uint8Array([0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0]);

export interface MessageExtent {
  /** byte offset of the continuation marker */
  offset: number;
  /** total bytes: prefix + metadata + body */
  length: number;
  /** length of the prefix + metadata part (the body follows it) */
  headerLength: number;
  kind: 'schema' | 'record-batch' | 'dictionary-batch' | 'other';
  /** rows of a record batch */
  rows?: number;
}

export interface StreamScan {
  messages: MessageExtent[];
  /** byte offset just after the last complete message (excluding any end-of-stream marker) */
  validEnd: number;
  /** how the file ended */
  ending: 'end-of-stream' | 'end-of-file' | 'torn';
  fileSize: number;
}

function readExactly(fd: number, length: number, position: number): Uint8Array | null {
  const buf = new Uint8Array(length);
  let got = 0;
  while (got < length) {
    const n = readSync(fd, buf, got, length - got, position + got);
    if (n === 0) return null;
    got += n;
  }
  return buf;
}

/** Scan the messages of an Arrow IPC stream file. */
export function scanIpcStream(path: string): StreamScan {
  const fd = openSync(path, 'r');
  try {
    return scanIpcStreamFd(fd);
  } finally {
    closeSync(fd);
  }
}

export function scanIpcStreamFd(fd: number): StreamScan {
  const fileSize = fstatSync(fd).size;
  const messages: MessageExtent[] = [];
  let pos = 0;
  for (;;) {
    if (pos === fileSize) return { messages, validEnd: pos, ending: 'end-of-file', fileSize };
    const prefix = readExactly(fd, 8, pos);
    if (!prefix) return { messages, validEnd: pos, ending: 'torn', fileSize };
    const view = new DataView(prefix.buffer);
    if (view.getUint32(0, true) !== CONTINUATION) {
      if (messages.length === 0) throw new Error('not an Arrow IPC stream (no continuation marker at offset 0)');
      return { messages, validEnd: pos, ending: 'torn', fileSize };
    }
    const metadataLength = view.getInt32(4, true);
    if (metadataLength === 0) return { messages, validEnd: pos, ending: 'end-of-stream', fileSize };
    if (metadataLength < 0 || pos + 8 + metadataLength > fileSize) return { messages, validEnd: pos, ending: 'torn', fileSize };
    const metadata = readExactly(fd, metadataLength, pos + 8);
    if (!metadata) return { messages, validEnd: pos, ending: 'torn', fileSize };
    let message: Message;
    try {
      message = Message.decode(metadata);
    } catch {
      return { messages, validEnd: pos, ending: 'torn', fileSize };
    }
    const headerLength = 8 + metadataLength;
    const length = headerLength + Number(message.bodyLength);
    if (pos + length > fileSize) return { messages, validEnd: pos, ending: 'torn', fileSize };
    const extent: MessageExtent = { offset: pos, length, headerLength, kind: kindOf(message.headerType) };
    if (message.isRecordBatch()) extent.rows = Number(message.header().length);
    messages.push(extent);
    pos += length;
  }
}

function kindOf(t: MessageHeader): MessageExtent['kind'] {
  switch (t) {
    case MessageHeader.Schema:
      return 'schema';
    case MessageHeader.RecordBatch:
      return 'record-batch';
    case MessageHeader.DictionaryBatch:
      return 'dictionary-batch';
    default:
      return 'other';
  }
}

/** Split an in-memory IPC stream (as tableToIPC writes it) into its message byte ranges. */
export function splitIpcMessages(bytes: Uint8Array): { kind: MessageExtent['kind']; bytes: Uint8Array }[] {
  const out: { kind: MessageExtent['kind']; bytes: Uint8Array }[] = [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = 0;
  while (pos + 8 <= bytes.length) {
    if (view.getUint32(pos, true) !== CONTINUATION) throw new Error(`bad IPC framing at byte ${pos}`);
    const metadataLength = view.getInt32(pos + 4, true);
    if (metadataLength === 0) break;
    const message = Message.decode(bytes.subarray(pos + 8, pos + 8 + metadataLength));
    const length = 8 + metadataLength + Number(message.bodyLength);
    out.push({ kind: kindOf(message.headerType), bytes: bytes.subarray(pos, pos + length) });
    pos += length;
  }
  return out;
}
