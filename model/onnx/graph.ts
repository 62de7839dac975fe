/**
 * An ONNX graph as it is built (nodes, initialisers, the rank of each tensor) and its protobuf
 * serialisation (onnx.proto's ModelProto, IR 8, opset 17).
 */
import { ProtoWriter } from './protobuf.ts';

const ONNX_IR_VERSION = 8;
const ONNX_OPSET = 17;
const FLOAT = 1; // TensorProto.DataType.FLOAT
const ATTR_INT = 2;
const ATTR_INTS = 7;

export interface OnnxNode {
  op: string;
  inputs: string[];
  output: string;
  attrs?: Record<string, number | number[]>;
}

export interface Initializer {
  name: string;
  dims: number[];
  values: Float32Array;
}

export class GraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly inits: Initializer[] = [];
  /** tensor name -> rank, to know what needs NHWC <-> NCHW care */
  readonly rank = new Map<string, number>();

  node(op: string, inputs: string[], output: string, attrs?: OnnxNode['attrs']): void {
    this.nodes.push({ op, inputs, output, ...(attrs ? { attrs } : {}) });
  }

  /** A constant tensor (weights); returns its name. */
  weight(name: string, dims: number[], values: Float32Array): string {
    this.inits.push({ name, dims, values });
    return name;
  }
}

export interface GraphIo {
  name: string;
  shape: (number | null)[];
}

function valueInfo(w: ProtoWriter, { name, shape }: GraphIo): void {
  w.string(1, name).message(2, (type) =>
    type.message(1, (tensor) =>
      tensor.int(1, FLOAT).message(2, (s) => {
        for (const d of shape) s.message(1, (dim) => (d === null ? dim.string(2, 'batch') : dim.int(1, d)));
      }),
    ),
  );
}

function writeNode(w: ProtoWriter, n: OnnxNode): void {
  for (const i of n.inputs) w.string(1, i);
  w.string(2, n.output).string(3, n.output).string(4, n.op);
  for (const [name, v] of Object.entries(n.attrs ?? {})) {
    w.message(5, (a) => {
      a.string(1, name);
      if (Array.isArray(v)) a.ints(8, v).int(20, ATTR_INTS);
      else a.int(3, v).int(20, ATTR_INT);
    });
  }
}

/** The ModelProto bytes of a built graph. */
export function serialise(g: GraphBuilder, name: string, input: GraphIo, outputs: GraphIo[]): Uint8Array {
  return new ProtoWriter()
    .int(1, ONNX_IR_VERSION)
    .string(2, 'slipwatch')
    .message(8, (op) => op.string(1, '').int(2, ONNX_OPSET))
    .message(7, (w) => {
      for (const n of g.nodes) w.message(1, (x) => writeNode(x, n));
      w.string(2, name);
      for (const t of g.inits) {
        w.message(5, (x) => {
          x.ints(1, t.dims).int(2, FLOAT).string(8, t.name);
          // raw_data is little-endian, as Float32Array is on every platform Node runs on
          x.bytes(9, new Uint8Array(t.values.buffer, t.values.byteOffset, t.values.byteLength));
        });
      }
      w.message(11, (x) => valueInfo(x, input));
      for (const o of outputs) w.message(12, (x) => valueInfo(x, o));
    })
    .finish();
}
