// A small ONNX graph builder over the generated protobuf messages (@bufbuild/protobuf, official onnx.proto): nodes with
// typed attributes, float32/int64 initializers, graph inputs/outputs with a symbolic batch. Reference: onnx/IR.md.
import { create } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType as AttrType, AttributeProtoSchema, GraphProtoSchema, NodeProtoSchema, TensorProto_DataType as DataType,
  TensorProtoSchema, TensorShapeProto_DimensionSchema, TensorShapeProtoSchema, TypeProto_TensorSchema, TypeProtoSchema, ValueInfoProtoSchema,
  type AttributeProto, type GraphProto, type NodeProto, type TensorProto, type ValueInfoProto,
} from './proto/onnx_pb.js';

/** One attribute value, tagged with its ONNX type (an int and a float look alike in JavaScript). */
export type Attr = { int: number } | { ints: readonly number[] } | { float: number } | { string: string };

export const int = (v: number): Attr => ({ int: v });
export const ints = (v: readonly number[]): Attr => ({ ints: v });
export const float = (v: number): Attr => ({ float: v });

/** A dimension of a graph input or output: a size, or a name for a size fixed only at run time ('batch'). */
export type Dim = number | string;

function attribute(name: string, a: Attr): AttributeProto {
  if ('int' in a) return create(AttributeProtoSchema, { name, type: AttrType.INT, i: BigInt(a.int) });
  if ('ints' in a) return create(AttributeProtoSchema, { name, type: AttrType.INTS, ints: a.ints.map(BigInt) });
  if ('float' in a) return create(AttributeProtoSchema, { name, type: AttrType.FLOAT, f: a.float });
  return create(AttributeProtoSchema, { name, type: AttrType.STRING, s: new TextEncoder().encode(a.string) });
}

function valueInfo(name: string, dims: readonly Dim[]): ValueInfoProto {
  const dim = dims.map((d) => create(TensorShapeProto_DimensionSchema, {
    value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : { case: 'dimParam', value: d },
  }));
  const tensorType = create(TypeProto_TensorSchema, { elemType: DataType.FLOAT, shape: create(TensorShapeProtoSchema, { dim }) });
  return create(ValueInfoProtoSchema, { name, type: create(TypeProtoSchema, { value: { case: 'tensorType', value: tensorType } }) });
}

const HOST_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** Little-endian bytes of a typed array (ONNX raw_data is little-endian whatever the host). */
function littleEndianBytes(data: Float32Array | BigInt64Array): Uint8Array {
  if (HOST_LITTLE_ENDIAN) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const out = new Uint8Array(data.byteLength);
  const view = new DataView(out.buffer);
  if (data instanceof Float32Array) data.forEach((v, i) => view.setFloat32(4 * i, v, true));
  else data.forEach((v, i) => view.setBigInt64(8 * i, v, true));
  return out;
}

export class GraphBuilder {
  readonly #nodes: NodeProto[] = [];
  readonly #initializers = new Map<string, TensorProto>();
  readonly #values = new Set<string>();
  readonly #inputs: ValueInfoProto[] = [];
  readonly #outputs: ValueInfoProto[] = [];
  #initializerBytes = 0;

  /** Bytes of weight data so far (a protobuf message, and so an .onnx file with inline weights, must stay under 2 GiB). */
  get initializerBytes(): number {
    return this.#initializerBytes;
  }

  input(name: string, dims: readonly Dim[]): string {
    this.#claim(name);
    this.#inputs.push(valueInfo(name, dims));
    return name;
  }

  /** Marks an existing value as a graph output. */
  output(name: string, dims: readonly Dim[]): void {
    if (!this.#values.has(name)) throw new Error(`GraphBuilder: output '${name}' is not a value of the graph`);
    this.#outputs.push(valueInfo(name, dims));
  }

  /** A float32 weight; `dims` must hold data.length values. */
  floatInitializer(name: string, data: Float32Array, dims: readonly number[]): string {
    return this.#initializer(name, DataType.FLOAT, littleEndianBytes(data), dims, data.length);
  }

  /** A 1-D int64 constant (a shape for Reshape, axes for ReduceSum), shared by every node that needs the same values. */
  int64Constant(values: readonly number[]): string {
    const name = `int64[${values.join(',')}]`;
    if (this.#initializers.has(name)) return name;
    return this.#initializer(name, DataType.INT64, littleEndianBytes(BigInt64Array.from(values.map(BigInt))), [values.length], values.length);
  }

  /** Adds a node with one output, named `name`; returns that output's name. */
  node(opType: string, inputs: readonly string[], name: string, attrs: Record<string, Attr> = {}): string {
    for (const input of inputs) {
      if (input !== '' && !this.#values.has(input)) throw new Error(`GraphBuilder: node '${name}' (${opType}) reads '${input}', which no node makes`);
    }
    this.#claim(name);
    const attribute_ = Object.entries(attrs).map(([key, a]) => attribute(key, a));
    this.#nodes.push(create(NodeProtoSchema, { name, opType, input: [...inputs], output: [name], attribute: attribute_ }));
    return name;
  }

  build(name: string, docString = ''): GraphProto {
    if (!this.#outputs.length) throw new Error(`GraphBuilder: graph '${name}' has no output`);
    return create(GraphProtoSchema, {
      name, docString, node: this.#nodes, initializer: [...this.#initializers.values()], input: this.#inputs, output: this.#outputs,
    });
  }

  #initializer(name: string, dataType: DataType, rawData: Uint8Array, dims: readonly number[], count: number): string {
    const expected = dims.reduce((a, b) => a * b, 1);
    if (expected !== count) throw new RangeError(`GraphBuilder: initializer '${name}' has ${count} values but dims [${dims}] hold ${expected}`);
    this.#claim(name);
    this.#initializers.set(name, create(TensorProtoSchema, { name, dataType, dims: dims.map(BigInt), rawData }));
    this.#initializerBytes += rawData.byteLength;
    return name;
  }

  #claim(name: string): void {
    if (this.#values.has(name)) throw new Error(`GraphBuilder: the name '${name}' is used twice`);
    this.#values.add(name);
  }
}
