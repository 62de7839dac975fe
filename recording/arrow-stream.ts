/**
 * One Arrow IPC stream file of fixed-schema numeric columns, appended batch by batch.
 *
 * Durability contract: append() hands a whole record-batch message to the kernel in one write;
 * flush() fsyncs. After a crash the file holds the schema and every flushed batch, possibly
 * followed by a torn message; readers stop at the last complete message and reopen() truncates
 * the torn tail before appending again. No end-of-stream marker is needed to read a file
 * (pyarrow and arrow-js treat end-of-file as end-of-stream); close() writes one anyway.
 */
import { closeSync, fsync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import {
  Field,
  Float32,
  Float64,
  Int16,
  DataType,
  makeData,
  Precision,
  RecordBatch,
  Schema,
  Struct,
  Table,
  tableFromIPC,
  tableToIPC,
} from 'apache-arrow';
import type { ColumnSpec, ColumnType } from '../shared/recording-meta.ts';
import { EOS_MARKER, type MessageExtent, scanIpcStreamFd, splitIpcMessages } from './ipc-framing.ts';

export type NumericArray = Int16Array | Float32Array | Float64Array;
export type Columns = Record<string, NumericArray>;

const ARRAY_OF: Record<ColumnType, { new (n: number): NumericArray; name: string }> = {
  int16: Int16Array,
  float32: Float32Array,
  float64: Float64Array,
};

function arrowType(t: ColumnType): DataType {
  switch (t) {
    case 'int16':
      return new Int16();
    case 'float32':
      return new Float32();
    case 'float64':
      return new Float64();
  }
}

function columnTypeOf(field: Field): ColumnType {
  // decoded schemas carry generic Int_/Float types, so compare by width rather than class
  const t = field.type as DataType & { bitWidth?: number; isSigned?: boolean; precision?: Precision };
  if (DataType.isInt(t) && t.bitWidth === 16 && t.isSigned) return 'int16';
  if (DataType.isFloat(t) && t.precision === Precision.SINGLE) return 'float32';
  if (DataType.isFloat(t) && t.precision === Precision.DOUBLE) return 'float64';
  throw new Error(`column ${field.name} has Arrow type ${t}; slipwatch stores int16, float32 or float64`);
}

/** Build the Arrow schema of a stream; units and quantities go into field metadata. */
export function arrowSchemaFor(columns: ColumnSpec[], metadata: Record<string, string>): Schema {
  const fields = columns.map((c) => {
    const fm = new Map<string, string>([
      ['unit', c.unit],
      ['quantity', c.quantity],
    ]);
    if (c.scale !== undefined) fm.set('scale', String(c.scale));
    return new Field(c.name, arrowType(c.type), false, fm);
  });
  return new Schema(fields, new Map(Object.entries(metadata)));
}

/** Column specs recovered from an Arrow schema (inverse of arrowSchemaFor). */
export function columnSpecsOf(schema: Schema): ColumnSpec[] {
  return schema.fields.map((f) => {
    const scale = f.metadata.get('scale');
    const spec: ColumnSpec = {
      name: f.name,
      type: columnTypeOf(f),
      unit: f.metadata.get('unit') ?? '',
      quantity: (f.metadata.get('quantity') ?? 'other') as ColumnSpec['quantity'],
    };
    if (scale !== undefined) spec.scale = Number(scale);
    return spec;
  });
}

function schemaMessageBytes(schema: Schema): Uint8Array {
  const messages = splitIpcMessages(tableToIPC(new Table(schema), 'stream'));
  const m = messages.find((x) => x.kind === 'schema');
  if (!m) throw new Error('arrow did not serialise a schema message');
  return m.bytes.slice();
}

export class ArrowStreamAppender {
  private closed = false;

  private constructor(
    private readonly fd: number,
    readonly path: string,
    readonly schema: Schema,
    private readonly specs: ColumnSpec[],
    private rowCount: number,
    /** byte offset of the next write: explicit, since a reopened fd starts at 0 */
    private position: number,
  ) {}

  /** Create a new stream file; fails if the file exists (recordings are never overwritten). */
  static create(path: string, columns: ColumnSpec[], metadata: Record<string, string>): ArrowStreamAppender {
    const schema = arrowSchemaFor(columns, metadata);
    const fd = openSync(path, 'wx');
    const header = schemaMessageBytes(schema);
    writeAll(fd, header, 0);
    fsyncSync(fd);
    return new ArrowStreamAppender(fd, path, schema, columns, 0, header.length);
  }

  /**
   * Reopen an existing stream for appending (after a clean close or a crash): drops an
   * end-of-stream marker and any torn last message, and continues after the last complete batch.
   */
  static reopen(path: string): { appender: ArrowStreamAppender; droppedBytes: number } {
    const fd = openSync(path, 'r+');
    try {
      const scan = scanIpcStreamFd(fd);
      const schemaExtent = scan.messages[0];
      if (!schemaExtent || schemaExtent.kind !== 'schema') throw new Error(`${path}: no schema message; not a recording stream`);
      const schema = readSchema(fd, schemaExtent);
      const rows = scan.messages.filter((m) => m.kind === 'record-batch').reduce((s, m) => s + (m.rows ?? 0), 0);
      ftruncateSync(fd, scan.validEnd);
      fsyncSync(fd);
      const appender = new ArrowStreamAppender(fd, path, schema, columnSpecsOf(schema), rows, scan.validEnd);
      return { appender, droppedBytes: scan.fileSize - scan.validEnd };
    } catch (e) {
      closeSync(fd);
      throw e;
    }
  }

  /**
   * Drop whole record batches from the end until `rows` rows remain (a crash-recovery step:
   * another stream says how much of this one is accounted for). Throws if rows does not fall on
   * a batch boundary.
   */
  truncateToRows(rows: number): void {
    if (rows === this.rowCount) return;
    const scan = scanIpcStreamFd(this.fd);
    let kept = 0;
    let end = scan.messages[0].offset + scan.messages[0].length; // after the schema
    for (const m of scan.messages) {
      if (m.kind !== 'record-batch') continue;
      if (kept === rows) break;
      kept += m.rows ?? 0;
      end = m.offset + m.length;
    }
    if (kept !== rows) throw new Error(`${this.path}: ${rows} rows is not on a batch boundary (or more than the ${this.rowCount} stored)`);
    ftruncateSync(this.fd, end);
    fsyncSync(this.fd);
    this.position = end;
    this.rowCount = rows;
  }

  /** The last row, read back from the file's last record batch. */
  lastRow(): Record<string, number> {
    const scan = scanIpcStreamFd(this.fd);
    const batches = scan.messages.filter((m) => m.kind === 'record-batch');
    const last = batches[batches.length - 1];
    if (!last) throw new Error(`${this.path}: no rows`);
    const schemaExtent = scan.messages[0];
    const buf = new Uint8Array(schemaExtent.length + last.length + EOS_MARKER.length);
    readSync(this.fd, buf, 0, schemaExtent.length, schemaExtent.offset);
    readSync(this.fd, buf, schemaExtent.length, last.length, last.offset);
    buf.set(EOS_MARKER, schemaExtent.length + last.length);
    const table = tableFromIPC(buf);
    const row: Record<string, number> = {};
    for (const f of table.schema.fields) row[f.name] = Number(table.getChild(f.name)!.get(table.numRows - 1));
    return row;
  }

  /** Rows appended so far (including those found by reopen). */
  get rows(): number {
    return this.rowCount;
  }

  get columns(): ColumnSpec[] {
    return this.specs;
  }

  /**
   * Append one record batch. Every column of the schema must be present, of the schema's type,
   * and all of the same length. The bytes reach the kernel before this returns; call flush()
   * for them to reach the disk.
   */
  append(columns: Columns): void {
    if (this.closed) throw new Error(`${this.path}: append after close`);
    let length = -1;
    const children = this.specs.map((spec) => {
      const arr = columns[spec.name];
      if (!arr) throw new Error(`${this.path}: batch lacks column ${spec.name}`);
      const want = ARRAY_OF[spec.type];
      if (!(arr instanceof want)) throw new Error(`${this.path}: column ${spec.name} must be ${want.name}, got ${arr.constructor.name}`);
      if (length === -1) length = arr.length;
      else if (arr.length !== length) throw new Error(`${this.path}: column ${spec.name} has ${arr.length} rows, expected ${length}`);
      return makeData({ type: arrowType(spec.type), length: arr.length, nullCount: 0, data: arr } as never);
    });
    const extra = Object.keys(columns).filter((k) => !this.specs.some((s) => s.name === k));
    if (extra.length) throw new Error(`${this.path}: unknown column(s) ${extra.join(', ')}`);
    if (length <= 0) return;
    const data = makeData({ type: new Struct(this.schema.fields), length, nullCount: 0, children });
    const bytes = tableToIPC(new Table([new RecordBatch(this.schema, data)]), 'stream');
    for (const m of splitIpcMessages(bytes)) {
      if (m.kind !== 'record-batch') continue;
      writeAll(this.fd, m.bytes, this.position);
      this.position += m.bytes.length;
    }
    this.rowCount += length;
  }

  /** Make everything appended so far durable (fsync). */
  flush(): void {
    if (!this.closed) fsyncSync(this.fd);
  }

  /** flush() in libuv's thread pool: the caller's event loop keeps running while the disk syncs. */
  flushAsync(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve, reject) => fsync(this.fd, (e) => (e ? reject(e) : resolve())));
  }

  /** Write the end-of-stream marker, fsync and close. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      writeAll(this.fd, EOS_MARKER, this.position);
      fsyncSync(this.fd);
    } finally {
      closeSync(this.fd); // even when the disk is full: the handle is released
    }
  }

  /** Close without the end-of-stream marker or fsync: what a crash leaves (for tests). */
  abandon(): void {
    if (this.closed) return;
    closeSync(this.fd);
    this.closed = true;
  }
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  let off = 0;
  while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off, position + off);
}

function readSchema(fd: number, extent: MessageExtent): Schema {
  const buf = new Uint8Array(extent.length + EOS_MARKER.length);
  readSync(fd, buf, 0, extent.length, extent.offset);
  buf.set(EOS_MARKER, extent.length);
  return tableFromIPC(buf).schema;
}

export interface StreamInfo {
  schema: Schema;
  columns: ColumnSpec[];
  metadata: Record<string, string>;
  rows: number;
  batches: number;
  /** true when the file ends in a torn message (a crash mid-write); readers ignore the tail */
  truncated: boolean;
}

/** Schema, row count and integrity of a stream file, without reading the data. */
export async function streamInfo(path: string): Promise<StreamInfo> {
  const fh = await open(path, 'r');
  try {
    const scan = scanIpcStreamFd(fh.fd);
    const schemaExtent = scan.messages[0];
    if (!schemaExtent || schemaExtent.kind !== 'schema') throw new Error(`${path}: no schema message; not a recording stream`);
    const schema = readSchema(fh.fd, schemaExtent);
    const batches = scan.messages.filter((m) => m.kind === 'record-batch');
    return {
      schema,
      columns: columnSpecsOf(schema),
      metadata: Object.fromEntries(schema.metadata),
      rows: batches.reduce((s, m) => s + (m.rows ?? 0), 0),
      batches: batches.length,
      truncated: scan.ending === 'torn',
    };
  } finally {
    await fh.close();
  }
}

export interface StreamBatch {
  /** index of the first row of this batch within the stream */
  rowOffset: number;
  rows: number;
  columns: Columns;
}

/**
 * Read a stream batch by batch; memory stays at one batch whatever the file size. Stops at the
 * last complete batch of a crashed file.
 */
export async function* readStreamBatches(path: string): AsyncGenerator<StreamBatch> {
  const fh = await open(path, 'r');
  try {
    const scan = scanIpcStreamFd(fh.fd);
    const schemaExtent = scan.messages[0];
    if (!schemaExtent || schemaExtent.kind !== 'schema') throw new Error(`${path}: no schema message; not a recording stream`);
    const schemaBytes = new Uint8Array(schemaExtent.length);
    await fh.read(schemaBytes, 0, schemaExtent.length, schemaExtent.offset);
    let rowOffset = 0;
    for (const m of scan.messages) {
      if (m.kind !== 'record-batch') continue;
      // one small self-contained stream: schema + this batch + EOS, decoded by arrow
      const buf = new Uint8Array(schemaBytes.length + m.length + EOS_MARKER.length);
      buf.set(schemaBytes, 0);
      await fh.read(buf, schemaBytes.length, m.length, m.offset);
      buf.set(EOS_MARKER, schemaBytes.length + m.length);
      const table = tableFromIPC(buf);
      const columns: Columns = {};
      for (const f of table.schema.fields) columns[f.name] = table.getChild(f.name)!.toArray() as NumericArray;
      yield { rowOffset, rows: table.numRows, columns };
      rowOffset += table.numRows;
    }
  } finally {
    await fh.close();
  }
}

/** Read a whole stream into memory: for small files (tests, fixtures) only. */
export async function readWholeStream(path: string): Promise<{ info: StreamInfo; columns: Columns }> {
  const info = await streamInfo(path);
  const columns: Columns = {};
  for (const c of info.columns) columns[c.name] = new ARRAY_OF[c.type](info.rows);
  for await (const b of readStreamBatches(path)) {
    for (const [name, arr] of Object.entries(b.columns)) columns[name].set(arr, b.rowOffset);
  }
  return { info, columns };
}
