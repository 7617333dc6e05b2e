/**
 * Seeded weights and inputs shared by every engine, so that all of them compute the same function
 * (their outputs are compared against each other) and a run is reproducible.
 *
 * Draws come from lpc's counter-based generator (src/numeric/rng.ts): layer i's weights use stream
 * 2i and its bias stream 2i + 1, so the values do not depend on which engine asks or in what order.
 * Weights are uniform with variance 2/fan_in before a relu (He) and 1/fan_in elsewhere (LeCun),
 * which keeps activations near unit scale through VGG16's 16 layers, so that the output depends on
 * every layer and the engines' outputs are a meaningful comparison; biases are uniform on
 * [-0.1, 0.1). Inputs are multiples of 2^-8 in
 * [-1, 1), so they are exact in f32 and in the fixed<8, 8> input of the fixed-point conv layer.
 */
import type { Graph } from '../src/ir/graph.js';
import { uniformStream } from '../src/numeric/rng.js';
import type { Tensor } from '../src/numeric/tensor.js';
import { layerShapes, type BenchModel } from './workloads.js';

/** One conv or dense layer's parameters, in lpc's (and ONNX's) layouts. */
export interface LayerWeights {
  name: string;
  kind: 'conv' | 'dense';
  /** conv: [filters, channels, k, k] (OIHW); dense: [units, K] with K in (c, h, w) order. */
  weightShape: number[];
  weight: Float32Array;
  bias: Float32Array;
  /** Shape of the layer's input activation (NCHW), which dense layers need to permute K. */
  inputShape: number[];
}

const INPUT_STREAM = 1_000_003;

function uniform(count: number, seed: number, stream: number, scale: number): Float32Array {
  const draw = uniformStream(seed, 0, stream);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = (2 * draw(i) - 1) * scale;
  return out;
}

/** Shapes of one conv or dense layer's parameters, and of its input activation. */
export interface LayerParamShape {
  name: string;
  kind: 'conv' | 'dense';
  weightShape: number[];
  biasShape: number[];
  inputShape: number[];
  fanIn: number;
  /** Whether a relu follows (He scaling). */
  relu: boolean;
}

export function layerParamShapes(model: BenchModel): LayerParamShape[] {
  const shapes = layerShapes(model.inputShape, model.layers);
  const out: LayerParamShape[] = [];
  model.layers.forEach((l, i) => {
    if (l.kind !== 'conv' && l.kind !== 'dense') return;
    const inputShape = shapes[i];
    const fanIn = l.kind === 'conv' ? inputShape[1] * l.kernel * l.kernel : inputShape.slice(1).reduce((a, b) => a * b, 1);
    const weightShape = l.kind === 'conv' ? [l.filters, inputShape[1], l.kernel, l.kernel] : [l.units, fanIn];
    out.push({ name: l.name, kind: l.kind, weightShape, biasShape: [weightShape[0]], inputShape, fanIn, relu: l.relu });
  });
  return out;
}

export function makeWeights(model: BenchModel, seed: number): LayerWeights[] {
  return layerParamShapes(model).map((p, i) => ({
    name: p.name,
    kind: p.kind,
    weightShape: p.weightShape,
    weight: uniform(p.weightShape.reduce((a, b) => a * b, 1), seed, 2 * i, Math.sqrt((p.relu ? 6 : 3) / p.fanIn)),
    bias: uniform(p.biasShape[0], seed, 2 * i + 1, 0.1),
    inputShape: p.inputShape,
  }));
}

/** The input batch, NCHW: k / 256 for whole k in [-256, 256). */
export function makeInput(model: BenchModel, seed: number): Float32Array {
  const count = model.inputShape.reduce((a, b) => a * b, 1);
  const draw = uniformStream(seed, 0, INPUT_STREAM);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = (Math.floor(draw(i) * 512) - 256) / 256;
  return out;
}

/**
 * Checks that a lowered lpc graph has exactly the layer list's parameters: in order, each conv or
 * dense layer's weights then bias, with the same shapes. Throws when the .lpnet and the layer list
 * describe different nets.
 */
export function checkParamShapes(graph: Graph, layers: readonly Pick<LayerParamShape, 'name' | 'weightShape' | 'biasShape'>[]): void {
  const expected = layers.flatMap((l) => [
    { what: `${l.name} weights`, shape: l.weightShape },
    { what: `${l.name} bias`, shape: l.biasShape },
  ]);
  if (graph.params.length !== expected.length) {
    throw new Error(`graph '${graph.name}' has ${graph.params.length} parameters; the layer list has ${expected.length}`);
  }
  graph.params.forEach((id, i) => {
    const want = expected[i];
    const shape = graph.values.get(id)?.type.shape ?? [];
    if (shape.length !== want.shape.length || shape.some((d, j) => d !== want.shape[j])) {
      throw new Error(`parameter '${id}' of graph '${graph.name}' is [${shape.join(', ')}]; the layer list's ${want.what} are [${want.shape.join(', ')}]`);
    }
  });
}

/** lpc's parameter tensors for a lowered graph (after checkParamShapes), by parameter id. */
export function lpcWeights(graph: Graph, weights: readonly LayerWeights[]): Map<string, Tensor> {
  checkParamShapes(
    graph,
    weights.map((w) => ({ name: w.name, weightShape: w.weightShape, biasShape: [w.bias.length] })),
  );
  const data = weights.flatMap((w) => [w.weight, w.bias]);
  const out = new Map<string, Tensor>();
  graph.params.forEach((id, i) => {
    const shape = graph.values.get(id)?.type.shape ?? [];
    out.set(id, { shape: [...shape], data: Float64Array.from(data[i]) });
  });
  return out;
}

/** OIHW conv weights as TF.js's HWIO filter. */
export function oihwToHwio(w: Float32Array, shape: readonly number[]): Float32Array {
  const [o, i, kh, kw] = shape;
  const out = new Float32Array(w.length);
  for (let a = 0; a < o; a++)
    for (let b = 0; b < i; b++)
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[((y * kw + x) * i + b) * o + a] = w[((a * i + b) * kh + y) * kw + x];
  return out;
}

/**
 * Dense weights [units, K] with K in NCHW (c, h, w) order, as a [K, units] matrix whose rows are
 * in the order an NHWC activation flattens, (h, w, c): what TF.js multiplies its NHWC input by.
 * For a 2-d input (K = c) this is a plain transpose.
 */
export function denseToNhwcRows(w: Float32Array, units: number, inputShape: readonly number[]): Float32Array {
  const [, c, h = 1, wd = 1] = inputShape;
  const k = c * h * wd;
  const out = new Float32Array(w.length);
  for (let u = 0; u < units; u++)
    for (let ci = 0; ci < c; ci++)
      for (let y = 0; y < h; y++)
        for (let x = 0; x < wd; x++) out[((y * wd + x) * c + ci) * units + u] = w[u * k + (ci * h + y) * wd + x];
  return out;
}

/** NCHW data as NHWC. */
export function nchwToNhwc(data: Float32Array, shape: readonly number[]): Float32Array {
  const [n, c, h, w] = shape;
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++)
    for (let ci = 0; ci < c; ci++)
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[((b * h + y) * w + x) * c + ci] = data[((b * c + ci) * h + y) * w + x];
  return out;
}

/** NHWC data (shape given as NCHW) back as NCHW. */
export function nhwcToNchw(data: ArrayLike<number>, nchwShape: readonly number[]): Float32Array {
  const [n, c, h, w] = nchwShape;
  const out = new Float32Array(n * c * h * w);
  for (let b = 0; b < n; b++)
    for (let ci = 0; ci < c; ci++)
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[((b * c + ci) * h + y) * w + x] = data[((b * h + y) * w + x) * c + ci];
  return out;
}
