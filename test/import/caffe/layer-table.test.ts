import { describe, expect, it } from 'vitest';
import { importCaffeNet } from '../../../src/import/caffe/import-caffe.js';
import { LAYER_TABLE } from '../../../src/import/caffe/layer-table.js';
import { fixed } from '../../../src/numeric/number-type.js';
import { getOp } from '../../../src/ops/registry.js';
import { errors, lines, netWith } from './helpers.js';

/** Imports one layer reading `data` (plus `label` when asked) and returns its node. */
function one(layer: string, shape?: number[], extra = '') {
  const r = importCaffeNet(netWith(`${extra}\nlayer { name: "L" ${layer} }`, shape), 'n.prototxt');
  expect(lines(errors(r.diagnostics))).toEqual([]);
  const node = r.net!.nodes.find((n) => n.layerName === 'L')!;
  return { node, graph: r.graph!, irNode: r.graph!.nodes.find((n) => n.id === node.id)! };
}

const label = 'layer { name: "lab" type: "Input" top: "label" input_param { shape { dim: 2 } } }';

describe('layer table rows', () => {
  it('every op row names a registered op', () => {
    for (const row of LAYER_TABLE) if (row.op) expect(getOp(row.op), row.type).toBeDefined();
  });

  it('Convolution: sizes, pad/stride/dilation forms, group, fillers, multipliers', () => {
    const { node, graph } = one(`type: "Convolution" bottom: "data" top: "c"
      param { lr_mult: 1 decay_mult: 1 } param { lr_mult: 2 decay_mult: 0 }
      convolution_param { num_output: 4 kernel_h: 3 kernel_w: 1 pad: 1 stride: 2 dilation: 1 group: 1
        weight_filler { type: "gaussian" std: 0.01 } bias_filler { type: "constant" value: 0.2 } }`);
    expect(node.op).toBe('conv');
    expect(node.attrs).toEqual({
      filters: 4, kernel: [3, 1], stride: [2, 2], pad: [1, 1], dilation: [1, 1], group: 1, bias_term: true,
      weight_init: 'gaussian', weight_std: 0.01, bias_value: 0.2, weight_lr_mult: 1, weight_decay_mult: 1, bias_lr_mult: 2, bias_decay_mult: 0,
    });
    expect(node.blobSlots).toEqual(['weights', 'bias']);
    expect(graph.values.get('L.weights')?.type.shape).toEqual([4, 3, 3, 1]);
    expect(graph.values.get('L.bias')?.param).toMatchObject({ lrMult: 2, decayMult: 0, filler: { kind: 'constant', value: 0.2 } });
    expect(graph.values.get("L")?.type.shape).toEqual([2, 4, 4, 5]);
  });

  it('Convolution without bias, rectangular kernel by two kernel_size values', () => {
    const { node, graph } = one('type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 2 kernel_size: 3 kernel_size: 5 bias_term: false }');
    expect(node.attrs.kernel).toEqual([3, 5]);
    expect(node.blobSlots).toEqual(['weights']);
    expect(graph.values.has('L.bias')).toBe(false);
  });

  it('InnerProduct: units, axis, transpose', () => {
    const { node, graph } = one('type: "InnerProduct" bottom: "data" top: "f" inner_product_param { num_output: 7 transpose: true }');
    expect(node.op).toBe('dense');
    expect(node.attrs).toMatchObject({ units: 7, axis: 1, transpose: true, bias_term: true });
    expect(graph.values.get('L.weights')?.type.shape).toEqual([192, 7]);
  });

  it('Pooling: MAX / AVE, global, round_mode, rectangular', () => {
    expect(one('type: "Pooling" bottom: "data" top: "p" pooling_param { pool: MAX kernel_size: 3 stride: 2 pad: 1 }').node).toMatchObject({
      op: 'max_pool',
      attrs: { kernel: [3, 3], stride: [2, 2], pad: [1, 1], global: false, ceil_mode: true },
    });
    const ave = one('type: "Pooling" bottom: "data" top: "p" pooling_param { pool: AVE global_pooling: true }');
    expect(ave.node.op).toBe('avg_pool');
    expect(ave.graph.values.get('L')?.type.shape).toEqual([2, 3, 1, 1]);
    expect(one('type: "Pooling" bottom: "data" top: "p" pooling_param { kernel_h: 2 kernel_w: 4 stride_h: 2 stride_w: 4 round_mode: FLOOR }').node.attrs).toMatchObject({
      kernel: [2, 4],
      stride: [2, 4],
      ceil_mode: false,
    });
  });

  it('activations, LRN, Dropout, Softmax', () => {
    expect(one('type: "ReLU" bottom: "data" top: "data" relu_param { negative_slope: 0.1 }').node).toMatchObject({ op: 'relu', attrs: { negative_slope: 0.1 } });
    expect(one('type: "TanH" bottom: "data" top: "t"').node.op).toBe('tanh');
    expect(one('type: "Sigmoid" bottom: "data" top: "t"').node.op).toBe('sigmoid');
    expect(one('type: "LRN" bottom: "data" top: "n" lrn_param { local_size: 3 alpha: 0.0001 beta: 0.75 k: 2 }').node).toMatchObject({
      op: 'lrn',
      attrs: { local_size: 3, alpha: 0.0001, beta: 0.75, k: 2 },
    });
    expect(one('type: "Dropout" bottom: "data" top: "d" dropout_param { dropout_ratio: 0.3 }').node).toMatchObject({ op: 'dropout', attrs: { ratio: 0.3 } });
    expect(one('type: "Softmax" bottom: "data" top: "s"').node).toMatchObject({ op: 'softmax', attrs: { axis: 1 }, marker: 'output' });
  });

  it('SoftmaxWithLoss and Accuracy take the label, which becomes i32', () => {
    const loss = one('type: "SoftmaxWithLoss" bottom: "data" bottom: "label" top: "l" loss_param { ignore_label: 255 }', [2, 5], label);
    expect(loss.node).toMatchObject({ op: 'softmax_cross_entropy', attrs: { ignore_label: 255 }, marker: 'loss' });
    expect(loss.graph.values.get('label')?.type.dtype).toEqual({ kind: 'i32' });
    expect(loss.graph.losses.map((l) => l.name)).toEqual(['L']);
    const acc = one('type: "Accuracy" bottom: "data" bottom: "label" top: "a" accuracy_param { top_k: 5 }', [2, 5], label);
    expect(acc.node).toMatchObject({ op: 'accuracy', attrs: { top_k: 5 }, marker: 'output' });
  });

  it('Concat, Eltwise, Flatten, Reshape', () => {
    expect(one('type: "Concat" bottom: "data" bottom: "data" top: "c" concat_param { axis: 1 }').graph.values.get('L')?.type.shape).toEqual([2, 6, 8, 8]);
    expect(one('type: "Concat" bottom: "data" bottom: "data" top: "c" concat_param { concat_dim: 2 }').node.attrs).toEqual({ axis: 2 });
    expect(one('type: "Eltwise" bottom: "data" bottom: "data" top: "e" eltwise_param { operation: SUM coeff: 1 coeff: -1 }').node).toMatchObject({
      op: 'eltwise',
      attrs: { operation: 'sum', coeffs: [1, -1] },
    });
    expect(one('type: "Eltwise" bottom: "data" bottom: "data" top: "e" eltwise_param { operation: MAX }').node.attrs).toEqual({ operation: 'max' });
    expect(one('type: "Flatten" bottom: "data" top: "f"').graph.values.get('L')?.type.shape).toEqual([2, 192]);
    expect(one('type: "Reshape" bottom: "data" top: "r" reshape_param { shape { dim: 0 dim: -1 dim: 8 } }').graph.values.get('L')?.type.shape).toEqual([2, 24, 8]);
  });

  it('BatchNorm and Scale own the parameters Caffe stores', () => {
    const bn = one('type: "BatchNorm" bottom: "data" top: "b" batch_norm_param { use_global_stats: true eps: 0.001 }');
    expect(bn.node).toMatchObject({ op: 'batch_norm', attrs: { eps: 0.001, use_global_stats: true }, blobSlots: ['mean', 'variance', 'scale_factor'] });
    expect(bn.graph.values.get('L.scale_factor')?.type.shape).toEqual([1]);
    const sc = one('type: "Scale" bottom: "data" top: "s" scale_param { bias_term: true }');
    expect(sc.node).toMatchObject({ op: 'scale', attrs: { axis: 1, bias_term: true }, blobSlots: ['gamma', 'beta'] });
  });

  it('Split aliases its tops to its bottom (no node)', () => {
    const r = importCaffeNet(
      netWith('layer { name: "s" type: "Split" bottom: "data" top: "a" top: "b" }\nlayer { name: "e" type: "Eltwise" bottom: "a" bottom: "b" top: "e" }'),
      'n.prototxt',
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.net!.nodes.map((n) => [n.id, n.inputs])).toEqual([['e', ['data', 'data']]]);
  });

  it('LPConvolution / LPInnerProduct: fixed<bd, ad> weights, round_bias, rounding scheme, 4 blobs', () => {
    const c = one('type: "LPConvolution" bottom: "data" top: "c" lpfp_param { bd: 2 ad: 6 round_bias: true rounding_scheme: STOCHASTIC } convolution_param { num_output: 2 kernel_size: 3 }');
    expect(c.node.types).toEqual({ weights: fixed(2, 6, 'stochastic'), bias: fixed(2, 6, 'stochastic') });
    expect(c.node.blobSlots).toEqual(['weights', undefined, 'bias', undefined]);
    expect(c.irNode.types.weights).toEqual(fixed(2, 6, 'stochastic'));
    const d = one('type: "LPInnerProduct" bottom: "data" top: "f" lpfp_param { bd: 3 ad: 5 } inner_product_param { num_output: 4 }');
    expect(d.node.types).toEqual({ weights: fixed(3, 5) });
  });

  it('LPAct folds into the layer before it when that is its only reader, else stays a quantize', () => {
    const folded = importCaffeNet(
      netWith(`layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 2 kernel_size: 1 } }
layer { name: "q" type: "LPAct" bottom: "c" top: "q" lpfp_param { bd: 4 ad: 4 } }
layer { name: "r" type: "ReLU" bottom: "q" top: "q" }`),
      'n.prototxt',
    );
    expect(folded.diagnostics).toEqual([]);
    expect(folded.net!.nodes.map((n) => [n.id, n.op, n.inputs])).toEqual([
      ['c', 'conv', ['data']],
      ['r', 'relu', ['c']],
    ]);
    expect(folded.graph!.values.get('c')?.type.dtype).toEqual(fixed(4, 4));
    expect(folded.net!.layerToNode.get('q')).toBe('c');

    const kept = importCaffeNet(
      netWith(`layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 2 kernel_size: 1 } }
layer { name: "q" type: "LPAct" bottom: "c" top: "q" lpfp_param { bd: 4 ad: 4 } }
layer { name: "e" type: "Eltwise" bottom: "q" bottom: "c" top: "e" }`),
      'n.prototxt',
    );
    expect(kept.net!.nodes.map((n) => [n.id, n.op])).toEqual([
      ['c', 'conv'],
      ['q', 'quantize'],
      ['e', 'eltwise'],
    ]);
    const onInput = importCaffeNet(netWith('layer { name: "q" type: "LPAct" bottom: "data" top: "q" lpfp_param { bd: 1 ad: 7 } }'), 'n.prototxt');
    expect(onInput.net!.nodes[0]).toMatchObject({ op: 'quantize', attrs: { to: fixed(1, 7) } });
  });

  it('low-precision settings that are not a legal type are reported at the lpfp_param', () => {
    const r = importCaffeNet(netWith('layer { name: "q" type: "LPAct" bottom: "data" top: "q"\n lpfp_param { bd: 0 ad: 40 } }'), 'n.prototxt');
    expect(lines(r.diagnostics)).toEqual([
      'n.prototxt:4:2: error LPC4107: lpfp_param bd: 0 ad: 40 is not a legal fixed<0, 40>: integer bits I must be at least 1 (the sign bit), got 0',
    ]);
    const missing = importCaffeNet(netWith('layer { name: "q" type: "LPAct" bottom: "data" top: "q" }'), 'n.prototxt');
    expect(missing.diagnostics[0].code).toBe('LPC4107');
  });

  it('unsupported settings are diagnostics at their field', () => {
    const r = importCaffeNet(
      netWith(`layer { name: "p" type: "Pooling" bottom: "data" top: "p" pooling_param { pool: STOCHASTIC kernel_size: 2 } }
layer { name: "n" type: "LRN" bottom: "data" top: "n" lrn_param { norm_region: WITHIN_CHANNEL } }
layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 1 kernel_size: 1 kernel_size: 2 kernel_size: 3 } }`),
      'n.prototxt',
    );
    expect(lines(r.diagnostics)).toEqual([
      'n.prototxt:3:75: error LPC4103: pooling method STOCHASTIC is not supported',
      'n.prototxt:4:67: error LPC4103: LRN WITHIN_CHANNEL is not supported (only ACROSS_CHANNELS)',
      'n.prototxt:5:97: error LPC4103: `kernel_size` has 3 values; lpc supports 2-D layers only (1 or 2 values)',
    ]);
  });
});
