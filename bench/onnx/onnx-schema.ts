import protobuf from 'protobufjs';

/**
 * A minimal ONNX schema, written for this benchmark: only the messages and fields needed to encode
 * an inference model with float initializers. Field numbers and types are those of ONNX's
 * onnx.proto (proto2), so ONNX Runtime reads the encoded bytes as a regular model; fields not
 * listed here (sparse tensors, functions, training info, metadata) are simply never written.
 * onnx.proto's nested messages TypeProto.Tensor and TensorShapeProto.Dimension are declared at the
 * top level here (TypeProtoTensor, Dimension): message names do not reach the wire format.
 */

type FieldJson = { type: string; id: number; rule?: 'repeated'; options?: Record<string, unknown> };
type TypeJson = { fields: Record<string, FieldJson>; nested?: Record<string, TypeJson | { values: Record<string, number> }> };

const one = (type: string, id: number): FieldJson => ({ type, id });
const many = (type: string, id: number, packed = false): FieldJson => ({ type, id, rule: 'repeated', options: { packed } });

const types: Record<string, TypeJson> = {
  ModelProto: {
    fields: {
      ir_version: one('int64', 1),
      producer_name: one('string', 2),
      producer_version: one('string', 3),
      domain: one('string', 4),
      model_version: one('int64', 5),
      doc_string: one('string', 6),
      graph: one('GraphProto', 7),
      opset_import: many('OperatorSetIdProto', 8),
    },
  },
  OperatorSetIdProto: { fields: { domain: one('string', 1), version: one('int64', 2) } },
  GraphProto: {
    fields: {
      node: many('NodeProto', 1),
      name: one('string', 2),
      initializer: many('TensorProto', 5),
      doc_string: one('string', 10),
      input: many('ValueInfoProto', 11),
      output: many('ValueInfoProto', 12),
      value_info: many('ValueInfoProto', 13),
    },
  },
  NodeProto: {
    fields: {
      input: many('string', 1),
      output: many('string', 2),
      name: one('string', 3),
      op_type: one('string', 4),
      attribute: many('AttributeProto', 5),
      doc_string: one('string', 6),
      domain: one('string', 7),
    },
  },
  AttributeProto: {
    fields: {
      name: one('string', 1),
      f: one('float', 2),
      i: one('int64', 3),
      s: one('bytes', 4),
      t: one('TensorProto', 5),
      floats: many('float', 7, true),
      ints: many('int64', 8, true),
      strings: many('bytes', 9),
      doc_string: one('string', 13),
      type: one('AttributeType', 20),
    },
    nested: {
      AttributeType: { values: { UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8 } },
    },
  },
  TensorProto: {
    fields: {
      dims: many('int64', 1, true),
      data_type: one('int32', 2),
      float_data: many('float', 4, true),
      int64_data: many('int64', 7, true),
      name: one('string', 8),
      raw_data: one('bytes', 9),
      doc_string: one('string', 12),
    },
  },
  ValueInfoProto: { fields: { name: one('string', 1), type: one('TypeProto', 2), doc_string: one('string', 3) } },
  TypeProto: {
    fields: { tensor_type: one('TypeProtoTensor', 1), denotation: one('string', 6) },
  },
  TypeProtoTensor: { fields: { elem_type: one('int32', 1), shape: one('TensorShapeProto', 2) } },
  TensorShapeProto: { fields: { dim: many('Dimension', 1) } },
  Dimension: { fields: { dim_value: one('int64', 1), dim_param: one('string', 2), denotation: one('string', 3) } },
};

/** TensorProto.DataType values used here. */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;

/** AttributeProto.AttributeType values used here. */
export const ATTR = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

let root: protobuf.Root | undefined;

export function onnxType(name: keyof typeof types): protobuf.Type {
  root ??= protobuf.Root.fromJSON({ nested: { onnx: { nested: types } } });
  return root.lookupType(`onnx.${name}`);
}
