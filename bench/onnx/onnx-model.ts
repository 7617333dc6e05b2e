/**
 * Builds an ONNX model (opset 17) for a benchmark workload from its layer list and weights, and
 * encodes it with the schema in onnx-schema.ts. Conv and Gemm take lpc's layouts as they are
 * (OIHW filters; dense weights [units, K] with transB = 1; Flatten before the first dense layer
 * flattens NCHW in the same (c, h, w) order lpc does).
 */
import { layerShapes, type BenchModel } from '../workloads.js';
import type { LayerWeights } from '../weights.js';
import { ATTR, ONNX_FLOAT, onnxType } from './onnx-schema.js';

export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;
export const ONNX_INPUT_NAME = 'input';

interface AttributeJson {
  name: string;
  type: number;
  i?: number;
  ints?: number[];
  f?: number;
}

interface NodeJson {
  op_type: string;
  name: string;
  input: string[];
  output: string[];
  attribute: AttributeJson[];
}

interface TensorJson {
  name: string;
  dims: number[];
  data_type: number;
  raw_data: Uint8Array;
}

const ints = (name: string, values: number[]): AttributeJson => ({ name, type: ATTR.INTS, ints: values });
const int = (name: string, value: number): AttributeJson => ({ name, type: ATTR.INT, i: value });

function valueInfo(name: string, shape: readonly number[]) {
  return { name, type: { tensor_type: { elem_type: ONNX_FLOAT, shape: { dim: shape.map((d) => ({ dim_value: d })) } } } };
}

function floatTensor(name: string, dims: readonly number[], data: Float32Array): TensorJson {
  // raw_data is little-endian IEEE 754; typed arrays are in the platform's order, little-endian on
  // every machine Node ships for.
  return { name, dims: [...dims], data_type: ONNX_FLOAT, raw_data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** The ModelProto as a plain object (what encodeOnnxModel encodes); exported for tests. */
export function onnxModelObject(model: BenchModel, weights: readonly LayerWeights[]) {
  const shapes = layerShapes(model.inputShape, model.layers);
  const nodes: NodeJson[] = [];
  const initializer: TensorJson[] = [];
  let x = ONNX_INPUT_NAME;
  let w = 0;
  const add = (op: string, inputs: string[], attribute: AttributeJson[], output?: string): string => {
    const out = output ?? `t${nodes.length}`;
    nodes.push({ op_type: op, name: `${op}_${nodes.length}`, input: inputs, output: [out], attribute });
    return out;
  };
  model.layers.forEach((l, i) => {
    const last = i === model.layers.length - 1;
    const outName = (withRelu: boolean) => (last && !withRelu ? model.outputName : undefined);
    if (l.kind === 'conv' || l.kind === 'dense') {
      const lw = weights[w++];
      if (lw.name !== l.name) throw new Error(`weights for '${lw.name}' given to layer '${l.name}'`);
      initializer.push(floatTensor(`${l.name}.weight`, lw.weightShape, lw.weight), floatTensor(`${l.name}.bias`, [lw.bias.length], lw.bias));
      const params = [`${l.name}.weight`, `${l.name}.bias`];
      if (l.kind === 'conv') {
        const attrs = [ints('kernel_shape', [l.kernel, l.kernel]), ints('pads', [l.pad, l.pad, l.pad, l.pad]), ints('strides', [l.stride, l.stride])];
        x = add('Conv', [x, ...params], attrs, outName(l.relu));
      } else {
        if (shapes[i].length !== 2) x = add('Flatten', [x], [int('axis', 1)]);
        x = add('Gemm', [x, ...params], [int('transB', 1)], outName(l.relu));
      }
      if (l.relu) x = add('Relu', [x], [], last ? model.outputName : undefined);
    } else if (l.kind === 'max_pool') {
      x = add('MaxPool', [x], [ints('kernel_shape', [l.kernel, l.kernel]), ints('strides', [l.stride, l.stride])], outName(false));
    } else if (l.kind === 'tanh') {
      x = add('Tanh', [x], [], outName(false));
    } else {
      x = add('Softmax', [x], [int('axis', -1)], outName(false));
    }
  });
  if (w !== weights.length) throw new Error(`${weights.length} weight sets for ${w} conv/dense layers`);
  return {
    ir_version: ONNX_IR_VERSION,
    producer_name: 'lpc-bench',
    producer_version: '1',
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    graph: {
      name: model.workload,
      node: nodes,
      initializer,
      input: [valueInfo(ONNX_INPUT_NAME, model.inputShape)],
      output: [valueInfo(model.outputName, model.outputShape)],
    },
  };
}

/** The model as ONNX protobuf bytes. */
export function encodeOnnxModel(model: BenchModel, weights: readonly LayerWeights[]): Uint8Array {
  return onnxType('ModelProto').encode(onnxModelObject(model, weights)).finish();
}
