import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../src/diag/diagnostic.js';
import { caffeType } from '../../../src/import/caffe/caffe-schema.js';
import { loadCaffemodelWeights } from '../../../src/import/caffe/caffe-weights.js';
import { classifyField147, readCaffemodelLayers } from '../../../src/import/caffe/caffemodel-reader.js';
import { concatChunks, encodeCaffemodel, type LayerOut } from '../../../src/import/caffe/caffemodel-writer.js';
import { importCaffeNet } from '../../../src/import/caffe/import-caffe.js';
import type { Graph } from '../../../src/ir/graph.js';
import { haveShared, lines, netWith, sharedFile } from './helpers.js';

/** Deterministic f32 bit patterns covering normal, denormal, signed zero, inf and NaN payloads. */
function pattern(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  const bits = new Uint32Array(out.buffer);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    bits[i] = s;
  }
  return out;
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Layers (with weights in the blob order of each node) for every parameterised node of a graph. */
function layersFor(graph: Graph, seed: number): LayerOut[] {
  return graph.nodes
    .filter((n) => n.inputs.some((i) => graph.values.get(i)?.role === 'param'))
    .map((n, k) => ({
      fields: { name: n.id, type: 'X' },
      blobs: n.inputs
        .filter((i) => graph.values.get(i)?.role === 'param')
        .map((pid, j) => {
          const shape = graph.values.get(pid)!.type.shape;
          return { shape, data: pattern(shape.reduce((a, b) => a * b, 1), seed + 31 * k + j) };
        }),
    }));
}

const SMALL = netWith(`layer { name: "conv1" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 2 kernel_size: 3 } }
layer { name: "ip1" type: "InnerProduct" bottom: "c" top: "ip" inner_product_param { num_output: 3 } }`);

function small() {
  const r = importCaffeNet(SMALL, 's.prototxt');
  return { net: r.net!, graph: r.graph! };
}

describe('caffemodel weights', () => {
  it.skipIf(!haveShared)('LeNet-sized weights: write -> read is bit-identical', () => {
    const r = importCaffeNet(sharedFile('bvlc_mnist_lenet_train_test.prototxt'), 'lenet.prototxt');
    const layers = layersFor(r.graph!, 7);
    const bytes = concatChunks(encodeCaffemodel('LeNet', layers));
    const diags: Diagnostic[] = [];
    const w = loadCaffemodelWeights(bytes, 'lenet.caffemodel', r.net!, r.graph!, diags);
    expect(diags).toEqual([]);
    expect(w.size).toBe(8);
    for (const layer of layers) {
      expect(sameBits(w.get(`${layer.fields.name}.weights`)!.data, layer.blobs[0].data)).toBe(true);
      expect(sameBits(w.get(`${layer.fields.name}.bias`)!.data, layer.blobs[1].data)).toBe(true);
    }
  });

  it.skipIf(!haveShared)('AlexNet-sized weights (~244 MB): write -> read is bit-identical, layer by layer', () => {
    const r = importCaffeNet(sharedFile('bvlc_alexnet_deploy.prototxt'), 'alexnet.prototxt');
    let bytes: Uint8Array | undefined = concatChunks(encodeCaffemodel('AlexNet', layersFor(r.graph!, 11)));
    expect(bytes.length).toBeGreaterThan(60_965_224 * 4);
    // Regenerate the expected values per layer instead of keeping a second copy of all weights.
    const g = r.graph!;
    const expected = g.nodes
      .map((n) => ({ name: n.id, shapes: n.inputs.filter((i) => g.values.get(i)?.role === 'param').map((i) => g.values.get(i)!.type.shape) }))
      .filter((l) => l.shapes.length > 0);
    const diags: Diagnostic[] = [];
    let k = 0;
    for (const layer of readCaffemodelLayers(bytes, 'alexnet.caffemodel', diags)) {
      expect(layer.name).toBe(expected[k].name);
      layer.blobs.forEach((blob, j) => {
        expect(blob.shape).toEqual(expected[k].shapes[j]);
        expect(sameBits(blob.data, pattern(blob.data.length, 11 + 31 * k + j))).toBe(true);
      });
      k++;
    }
    bytes = undefined;
    expect(diags).toEqual([]);
    expect(k).toBe(8);
  });

  it('reads V1 `layers` with legacy 4-D blob shapes, unpacked floats and double_data', () => {
    const { net, graph } = small();
    const w = protobuf.Writer.create();
    const blob = (dims: number[], values: number[], kind: 'unpacked' | 'double') => {
      const b = protobuf.Writer.create();
      dims.forEach((d, i) => b.uint32(((i + 1) << 3) | 0).int32(d));
      for (const v of values) {
        if (kind === 'unpacked') b.uint32((5 << 3) | 5).float(v);
        else b.uint32((8 << 3) | 1).double(v);
      }
      return b.finish();
    };
    const layer = (name: string, type: number, blobs: Uint8Array[]) => {
      const l = protobuf.Writer.create().uint32((4 << 3) | 2).string(name).uint32((5 << 3) | 0).int32(type);
      for (const b of blobs) l.uint32((6 << 3) | 2).bytes(b);
      return l.finish();
    };
    const conv = layer('conv1', 4, [blob([2, 3, 3, 3], Array.from({ length: 54 }, (_, i) => i / 8), 'unpacked'), blob([1, 1, 1, 2], [0.5, -0.5], 'double')]);
    const ip = layer('ip1', 14, [blob([1, 1, 3, 72], new Array(216).fill(0.25), 'unpacked'), blob([1, 1, 1, 3], [1, 2, 3], 'unpacked')]);
    w.uint32((1 << 3) | 2).string('V1').uint32((2 << 3) | 2).bytes(conv).uint32((2 << 3) | 2).bytes(ip);
    const bytes = w.finish();
    const types = [...readCaffemodelLayers(bytes, 'v1.caffemodel', [])].map((l) => l.type);
    expect(types).toEqual(['Convolution', 'InnerProduct']);
    const diags: Diagnostic[] = [];
    const weights = loadCaffemodelWeights(bytes, 'v1.caffemodel', net, graph, diags);
    expect(diags).toEqual([]);
    expect(weights.get('conv1.weights')!.shape).toEqual([2, 3, 3, 3]);
    expect(weights.get('conv1.weights')!.data[9]).toBe(9 / 8);
    expect([...weights.get('conv1.bias')!.data]).toEqual([0.5, -0.5]);
    expect(weights.get('ip1.weights')!.shape).toEqual([3, 72]);
  });

  it('ADaPTION LP layers: blobs 0 and 2 are the weights, the rounded copies 1 and 3 are ignored', () => {
    const r = importCaffeNet(netWith('layer { name: "c" type: "LPConvolution" bottom: "data" top: "c" lpfp_param { bd: 2 ad: 2 } convolution_param { num_output: 1 kernel_size: 1 } }'), 'lp.prototxt');
    const W = Float32Array.of(0.3, -0.7, 1.1);
    const blobs = [W, Float32Array.of(0.25, -0.75, 1), Float32Array.of(0.1), Float32Array.of(0)];
    const bytes = concatChunks(
      encodeCaffemodel('lp', [
        { fields: { name: 'c', type: 'LPConvolution', lpfp_param: { bd: 2, ad: 2 } }, blobs: blobs.map((d, i) => ({ shape: i < 2 ? [1, 3, 1, 1] : [1], data: d })) },
      ]),
    );
    const diags: Diagnostic[] = [];
    const w = loadCaffemodelWeights(bytes, 'lp.caffemodel', r.net!, r.graph!, diags);
    expect(diags).toEqual([]);
    expect(sameBits(w.get('c.weights')!.data, W)).toBe(true);
    expect([...w.get('c.bias')!.data]).toEqual([Math.fround(0.1)]);
    const layer = [...readCaffemodelLayers(bytes, 'lp.caffemodel', [])][0];
    expect(layer).toMatchObject({ field147: 'lpfp', lpfp: { bd: 2, ad: 2 } });
  });

  it('field 147: ADaPTION lpfp_param and BVLC swish_param are told apart by their wire shape', () => {
    expect(classifyField147(caffeType('LowPrecisionFPParameter').encode({ bd: 3, ad: 5, rounding_scheme: 1 }).finish())).toEqual({
      kind: 'lpfp',
      lpfp: { bd: 3, ad: 5, roundingScheme: 'STOCHASTIC' },
    });
    const swish = protobuf.Writer.create().uint32((1 << 3) | 5).float(1.5).finish();
    expect(classifyField147(swish).kind).toBe('swish');
    expect(classifyField147(new Uint8Array(0)).kind).toBe('empty');
    const layer = protobuf.Writer.create().uint32((1 << 3) | 2).string('s').uint32((2 << 3) | 2).string('Swish').uint32((147 << 3) | 2).bytes(swish).finish();
    const net = protobuf.Writer.create().uint32((100 << 3) | 2).bytes(layer).finish();
    const read = [...readCaffemodelLayers(net, 'swish.caffemodel', [])][0];
    expect(read).toMatchObject({ name: 's', type: 'Swish', field147: 'swish' });
    expect(read.lpfp).toBeUndefined();
  });

  it('reports every mismatch: missing layer, extra layer, wrong blob count, wrong shape with both shapes', () => {
    const { net, graph } = small();
    const bytes = concatChunks(
      encodeCaffemodel('S', [
        { fields: { name: 'conv1', type: 'Convolution' }, blobs: [{ shape: [2, 3, 5, 5], data: new Float32Array(150) }, { shape: [2], data: new Float32Array(2) }] },
        { fields: { name: 'extra', type: 'Convolution' }, blobs: [{ shape: [1], data: new Float32Array(1) }] },
      ]),
    );
    const diags: Diagnostic[] = [];
    loadCaffemodelWeights(bytes, 'm.caffemodel', net, graph, diags);
    expect(diags.map((d) => `${d.severity} ${d.code}: ${d.message}`)).toEqual([
      'error LPC4204: m.caffemodel: blob 0 (weights) of layer "conv1" has shape [2, 3, 5, 5], but the net needs [2, 3, 3, 3]',
      'warning LPC4202: m.caffemodel: layer "extra" (Convolution) has 1 blob(s) but the net has no such layer; ignored',
      'error LPC4201: m.caffemodel has no weights for layer "ip1" (InnerProduct)',
    ]);
    const one = concatChunks(encodeCaffemodel('S', [{ fields: { name: 'conv1' }, blobs: [{ shape: [2, 3, 3, 3], data: new Float32Array(54) }] }]));
    const d2: Diagnostic[] = [];
    loadCaffemodelWeights(one, 'm.caffemodel', net, graph, d2);
    expect(d2[0].message).toBe('m.caffemodel: layer "conv1" has 1 blob(s), but the net\'s Convolution layer needs 2 (weights, bias)');
  });

  it('a truncated or corrupt file is a diagnostic with the byte offset, never an exception', () => {
    const { net, graph } = small();
    const good = concatChunks(encodeCaffemodel('S', layersFor(graph, 3)));
    for (const cut of [1, 10, good.length - 5, good.length - 1]) {
      const diags: Diagnostic[] = [];
      expect(() => loadCaffemodelWeights(good.subarray(0, cut), 'cut.caffemodel', net, graph, diags)).not.toThrow();
      expect(diags.some((d) => d.code === 'LPC4200'), `cut at ${cut}`).toBe(true);
    }
    const text = new TextEncoder().encode('name: "not binary"\nlayer { }');
    const diags: Diagnostic[] = [];
    loadCaffemodelWeights(text, 'text.caffemodel', net, graph, diags);
    expect(lines(diags)[0]).toMatch(/^text\.caffemodel:1:1: error LPC4200: text\.caffemodel is not a readable caffemodel: .*at byte 0/);
  });
});
