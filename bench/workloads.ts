/**
 * The benchmark workloads, described once as a plain layer list that every engine builds its own
 * model from (TF.js ops, an ONNX graph), plus the .lpnet source lpc compiles for the same net.
 *
 * The layer lists follow the examples exactly: LeNet is examples/lenet.lpnet's `lenet_body`
 * (conv -> max_pool -> tanh twice, dense + relu, dense) with a softmax on top, VGG16 is
 * examples/vgg16.lpnet (13 conv3 + relu, 5 max pools, fc6/fc7 + relu, fc8, softmax; dropout is
 * the identity at inference and left out). lpc's weights are matched to this list by position and
 * shape (lpcWeights in weights.ts), so a drift between the list and an example is an error, not a
 * silently different net.
 */
import { readFileSync } from 'node:fs';

export type WorkloadId = 'lenet' | 'vgg16-conv3' | 'vgg16';
export const WORKLOAD_IDS: readonly WorkloadId[] = ['lenet', 'vgg16-conv3', 'vgg16'];

/** f32 everywhere, or the net's fixed-point types (only lpc runs those; the peers have none). */
export type Precision = 'f32' | 'fixed';
export const PRECISIONS: readonly Precision[] = ['f32', 'fixed'];

export type LayerSpec =
  | { kind: 'conv'; name: string; filters: number; kernel: number; pad: number; stride: number; relu: boolean }
  | { kind: 'dense'; name: string; units: number; relu: boolean }
  | { kind: 'max_pool'; kernel: number; stride: number }
  | { kind: 'tanh' }
  | { kind: 'softmax' };

/** The .lpnet text lpc lowers for one precision of a workload. */
export interface LpnetSource {
  file: string;
  text: string;
  net: string;
  /** Files the text imports, by the path it imports them with. */
  files: Record<string, string>;
  /** Net parameters to override (batch). */
  params: Record<string, number>;
  /** The number types, in words, for the report. */
  types: string;
}

export interface BenchModel {
  workload: WorkloadId;
  title: string;
  /** NCHW. */
  inputShape: number[];
  layers: LayerSpec[];
  /** Shape of the net's output (NCHW for 4-d outputs). */
  outputShape: number[];
  /** The name of the output in lpc's graph and in the ONNX model. */
  outputName: string;
  lpnet: Record<Precision, LpnetSource>;
}

const examplesDir = new URL('../examples/', import.meta.url);
const readExample = (name: string) => readFileSync(new URL(name, examplesDir), 'utf8');

/** Output shape of every layer in turn, starting from the input shape (index 0). */
export function layerShapes(inputShape: readonly number[], layers: readonly LayerSpec[]): number[][] {
  const shapes: number[][] = [[...inputShape]];
  let s = [...inputShape];
  for (const l of layers) {
    if (l.kind === 'conv') {
      const out = (d: number) => Math.floor((d + 2 * l.pad - l.kernel) / l.stride) + 1;
      s = [s[0], l.filters, out(s[2]), out(s[3])];
    } else if (l.kind === 'max_pool') {
      // Caffe's ceil rule (lpc's default); every size here divides evenly, where ceil = floor.
      const out = (d: number) => Math.ceil((d - l.kernel) / l.stride) + 1;
      s = [s[0], s[1], out(s[2]), out(s[3])];
    } else if (l.kind === 'dense') {
      s = [s[0], l.units];
    }
    shapes.push([...s]);
  }
  return shapes;
}

function model(m: Omit<BenchModel, 'outputShape'>): BenchModel {
  const shapes = layerShapes(m.inputShape, m.layers);
  return { ...m, outputShape: shapes[shapes.length - 1] };
}

/** LeNet forward: examples/lenet.lpnet's lenet_body, softmax on top. */
export function lenetModel(batch = 64): BenchModel {
  const lenet = readExample('lenet.lpnet');
  const source = (W: string, A: string, types: string): LpnetSource => ({
    file: 'bench-lenet.lpnet',
    net: 'BenchLeNet',
    text: [
      'import "lenet.lpnet"',
      `net BenchLeNet(batch: int = ${batch}) {`,
      '  input image: f32[batch, 1, 28, 28]',
      `  logits = lenet_body(image, classes: 10, W: ${W}, A: ${A})`,
      '  output probs = softmax(logits)',
      '}',
    ].join('\n'),
    files: { 'lenet.lpnet': lenet },
    params: { batch },
    types,
  });
  return model({
    workload: 'lenet',
    title: `LeNet forward, batch ${batch}`,
    inputShape: [batch, 1, 28, 28],
    layers: [
      { kind: 'conv', name: 'c1', filters: 20, kernel: 5, pad: 0, stride: 1, relu: false },
      { kind: 'max_pool', kernel: 2, stride: 2 },
      { kind: 'tanh' },
      { kind: 'conv', name: 'c2', filters: 50, kernel: 5, pad: 0, stride: 1, relu: false },
      { kind: 'max_pool', kernel: 2, stride: 2 },
      { kind: 'tanh' },
      { kind: 'dense', name: 'f1', units: 500, relu: true },
      { kind: 'dense', name: 'logits', units: 10, relu: false },
      { kind: 'softmax' },
    ],
    outputName: 'probs',
    lpnet: {
      f32: source('f32', 'f32', 'f32 weights and activations (lenet.lpnet LeNetF32)'),
      fixed: source('W8', 'A8', 'weights fixed<2, 6>, activations fixed<4, 4> (lenet.lpnet LeNet8)'),
    },
  });
}

export interface Conv3Shape {
  batch: number;
  channels: number;
  size: number;
}

/** One VGG16 conv3_x layer: conv channels -> channels, 3x3, pad 1, + bias + relu. */
export function vggConv3Model(shape: Partial<Conv3Shape> = {}): BenchModel {
  const { batch, channels, size } = { batch: 1, channels: 256, size: 56, ...shape };
  const source = (inType: string, convTypes: string, outType: string, types: string): LpnetSource => ({
    file: 'bench-conv3.lpnet',
    net: 'VggConv3',
    text: [
      `net VggConv3(batch: int = ${batch}) {`,
      `  input x: ${inType}[batch, ${channels}, ${size}, ${size}]`,
      `  output y = relu(conv(x, filters: ${channels}, kernel: 3, pad: 1${convTypes}))${outType}`,
      '}',
    ].join('\n'),
    files: {},
    params: { batch },
    types,
  });
  return model({
    workload: 'vgg16-conv3',
    title: `VGG16 conv3_x layer (${channels}->${channels}, 3x3 pad 1, ${size}x${size}, batch ${batch}, + bias + relu)`,
    inputShape: [batch, channels, size, size],
    layers: [{ kind: 'conv', name: 'conv', filters: channels, kernel: 3, pad: 1, stride: 1, relu: true }],
    outputName: 'y',
    lpnet: {
      f32: source('f32', '', '', 'f32'),
      // conv3_2's types in examples/vgg16.lpnet: its input is conv3_1's fixed<8, 8> output.
      fixed: source('fixed<8, 8>', ', weights: fixed<2, 14>', ' -> fixed<9, 7>', 'input fixed<8, 8>, weights fixed<2, 14>, output fixed<9, 7> (vgg16.lpnet conv3_2)'),
    },
  });
}

/** VGG16 configuration D: the layer list of examples/vgg16.lpnet. */
export function vgg16Layers(classes = 1000): LayerSpec[] {
  const layers: LayerSpec[] = [];
  const stages: [number, number][] = [
    [64, 2],
    [128, 2],
    [256, 3],
    [512, 3],
    [512, 3],
  ];
  stages.forEach(([filters, convs], s) => {
    for (let i = 0; i < convs; i++) layers.push({ kind: 'conv', name: `c${s + 1}_${i + 1}`, filters, kernel: 3, pad: 1, stride: 1, relu: true });
    layers.push({ kind: 'max_pool', kernel: 2, stride: 2 });
  });
  layers.push({ kind: 'dense', name: 'fc6', units: 4096, relu: true });
  layers.push({ kind: 'dense', name: 'fc7', units: 4096, relu: true });
  layers.push({ kind: 'dense', name: 'logits', units: classes, relu: false });
  layers.push({ kind: 'softmax' });
  return layers;
}

/** .lpnet text of a plain layer chain in f32 (the VGG16 example is fixed-point only). */
export function layersToLpnet(net: string, inputShape: readonly number[], layers: readonly LayerSpec[], output: string): string {
  const lines = [`net ${net}(batch: int = ${inputShape[0]}) {`, `  input image: f32[batch, ${inputShape.slice(1).join(', ')}]`];
  let prev = 'image';
  layers.forEach((l, i) => {
    const name = i === layers.length - 1 ? output : `x${i}`;
    let expr: string;
    if (l.kind === 'conv') expr = `conv(${prev}, filters: ${l.filters}, kernel: ${l.kernel}, pad: ${l.pad}, stride: ${l.stride})`;
    else if (l.kind === 'dense') expr = `dense(${prev}, units: ${l.units})`;
    else if (l.kind === 'max_pool') expr = `max_pool(${prev}, kernel: ${l.kernel}, stride: ${l.stride})`;
    else expr = `${l.kind}(${prev})`;
    if ((l.kind === 'conv' || l.kind === 'dense') && l.relu) expr = `relu(${expr})`;
    lines.push(`  ${i === layers.length - 1 ? 'output ' : ''}${name} = ${expr}`);
    prev = name;
  });
  lines.push('}');
  return lines.join('\n');
}

/** The whole VGG16 at `batch`: f32 from the layer list, fixed-point as examples/vgg16.lpnet is. */
export function vgg16Model(batch = 1): BenchModel {
  const layers = vgg16Layers();
  const inputShape = [batch, 3, 224, 224];
  return model({
    workload: 'vgg16',
    title: `VGG16 forward, batch ${batch}`,
    inputShape,
    layers,
    outputName: 'probs',
    lpnet: {
      f32: {
        file: 'bench-vgg16.lpnet',
        net: 'VGG16F32',
        text: layersToLpnet('VGG16F32', inputShape, layers, 'probs'),
        files: {},
        params: { batch },
        types: 'f32',
      },
      fixed: {
        file: 'vgg16.lpnet',
        net: 'VGG16',
        text: readExample('vgg16.lpnet'),
        files: {},
        params: { batch },
        types: 'weights fixed<2, 14>, per-layer activation types of vgg16.lpnet (fixed<3, 13> ... fixed<4, 12>)',
      },
    },
  });
}

/** The workload as benchmarked (the sizes of issue 4). */
export function benchModel(id: WorkloadId): BenchModel {
  if (id === 'lenet') return lenetModel(64);
  if (id === 'vgg16-conv3') return vggConv3Model();
  return vgg16Model(1);
}
