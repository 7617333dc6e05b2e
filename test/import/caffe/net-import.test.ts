import { describe, expect, it } from 'vitest';
import { importCaffeNet } from '../../../src/import/caffe/import-caffe.js';
import { errors, lines, netWith } from './helpers.js';

const V1_NET = `name: "V1Net"
input: "data"
input_dim: 2 input_dim: 1 input_dim: 12 input_dim: 12
layers { name: "conv1" type: CONVOLUTION bottom: "data" top: "conv1" blobs_lr: 1 blobs_lr: 2 weight_decay: 1 weight_decay: 0
  convolution_param { num_output: 4 kernel_size: 5 weight_filler { type: "xavier" } } }
layers { name: "relu1" type: RELU bottom: "conv1" top: "conv1" }
layers { name: "pool1" type: POOLING bottom: "conv1" top: "pool1" pooling_param { pool: MAX kernel_size: 2 stride: 2 } }
layers { name: "ip1" type: INNER_PRODUCT bottom: "pool1" top: "ip1" inner_product_param { num_output: 3 } }
layers { name: "prob" type: SOFTMAX bottom: "ip1" top: "prob" }
`;

describe('net structure', () => {
  it('upgrades V1 `layers` with enum types and blobs_lr / weight_decay', () => {
    const r = importCaffeNet(V1_NET, 'v1.prototxt');
    expect(r.diagnostics).toEqual([]);
    expect(r.net!.nodes.map((n) => [n.id, n.op, n.layerType, n.inputs])).toEqual([
      ['conv1', 'conv', 'Convolution', ['data']],
      ['relu1', 'relu', 'ReLU', ['conv1']],
      ['pool1', 'max_pool', 'Pooling', ['relu1']],
      ['ip1', 'dense', 'InnerProduct', ['pool1']],
      ['prob', 'softmax', 'Softmax', ['ip1']],
    ]);
    expect(r.net!.nodes[0].attrs).toMatchObject({ weight_lr_mult: 1, bias_lr_mult: 2, weight_decay_mult: 1, bias_decay_mult: 0, weight_init: 'xavier' });
    expect(r.graph!.values.get('data')?.type.shape).toEqual([2, 1, 12, 12]);
    expect(r.graph!.outputs.map((o) => o.name)).toEqual(['prob']);
  });

  it('legacy input_shape and Input layers give input shapes', () => {
    const r = importCaffeNet('input: "x" input_shape { dim: 1 dim: 2 dim: 3 dim: 3 }\nlayer { name: "r" type: "ReLU" bottom: "x" top: "r" }', 'n.prototxt');
    expect(r.diagnostics).toEqual([]);
    expect(r.net!.inputs).toMatchObject([{ id: 'x', shape: [1, 2, 3, 3], dtype: 'f32' }]);
    const bad = importCaffeNet('input: "x"\ninput_dim: 1\nlayer { name: "r" type: "ReLU" bottom: "x" top: "r" }', 'n.prototxt');
    expect(lines(bad.diagnostics)[0]).toBe('n.prototxt:1:1: error LPC4104: net input `x` has no shape: give one input_shape per input or 4 input_dim values per input');
  });

  it('include/exclude select the phase (TEST by default)', () => {
    const text = netWith(`layer { name: "tr" type: "ReLU" bottom: "data" top: "a" include { phase: TRAIN } }
layer { name: "te" type: "TanH" bottom: "data" top: "a" include { phase: TEST } }
layer { name: "ex" type: "Sigmoid" bottom: "a" top: "b" exclude { phase: TEST } }`);
    expect(importCaffeNet(text, 'n.prototxt').net!.nodes.map((n) => n.id)).toEqual(['te']);
    expect(importCaffeNet(text, 'n.prototxt', { phase: 'TRAIN' }).net!.nodes.map((n) => n.id)).toEqual(['tr', 'ex']);
  });

  it('stage and level rules are evaluated for a state with no stages, with a warning', () => {
    const r = importCaffeNet(netWith('layer { name: "s" type: "ReLU" bottom: "data" top: "a" include { stage: "deploy" } }\nlayer { name: "t" type: "TanH" bottom: "data" top: "t" }'), 'n.prototxt');
    expect(r.net!.nodes.map((n) => n.id)).toEqual(['t']);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['LPC4111']);
  });

  it('data layers: batch from the layer, image size from --input-shape, MemoryData, ImageData, or a data set guess', () => {
    const data = `layer { name: "d" type: "Data" top: "data" top: "label" data_param { source: "mnist_lmdb" batch_size: 8 } transform_param { scale: 0.5 mean_value: 3 } }
layer { name: "ip" type: "InnerProduct" bottom: "data" top: "ip" inner_product_param { num_output: 10 } }
layer { name: "loss" type: "SoftmaxWithLoss" bottom: "ip" bottom: "label" top: "loss" }`;
    const guessed = importCaffeNet(data, 'n.prototxt');
    expect(lines(guessed.diagnostics)).toEqual(['n.prototxt:1:19: warning LPC4105: shape of `data` guessed as [8, 1, 28, 28] (MNIST): the Data layer does not say']);
    expect(guessed.net!.inputs.map((i) => [i.id, i.dtype, i.shape])).toEqual([
      ['data', 'f32', [8, 1, 28, 28]],
      ['label', 'i32', [8]],
    ]);
    expect(guessed.net!.inputs[0].data).toMatchObject({ layerType: 'Data', source: 'mnist_lmdb', batchSize: 8, scale: 0.5, meanValue: [3] });
    const given = importCaffeNet(data, 'n.prototxt', { inputShapes: { data: [8, 3, 5, 5] } });
    expect(given.diagnostics).toEqual([]);
    expect(given.graph!.values.get('ip.weights')?.type.shape).toEqual([10, 75]);
    const unknown = importCaffeNet(data.replace('mnist_lmdb', 'my_lmdb'), 'n.prototxt');
    expect(lines(unknown.diagnostics)[0]).toBe(
      'n.prototxt:1:19: error LPC4104: the shape of `data` from Data layer `d` is unknown (the data is read at run time)',
    );
    const memory = importCaffeNet('layer { name: "m" type: "MemoryData" top: "data" top: "label" memory_data_param { batch_size: 4 channels: 3 height: 2 width: 2 } }\nlayer { name: "r" type: "ReLU" bottom: "data" top: "r" }', 'n.prototxt');
    expect(memory.net!.inputs[0].shape).toEqual([4, 3, 2, 2]);
    const image = importCaffeNet('layer { name: "m" type: "ImageData" top: "data" top: "label" image_data_param { batch_size: 4 new_height: 6 new_width: 7 is_color: false } }\nlayer { name: "r" type: "ReLU" bottom: "data" top: "r" }', 'n.prototxt');
    expect(image.net!.inputs[0].shape).toEqual([4, 1, 6, 7]);
  });

  it('in-place layers rebind the blob; names are sanitised identifiers', () => {
    const r = importCaffeNet(
      netWith(`layer { name: "conv1/3x3" type: "Convolution" bottom: "data" top: "conv1/3x3" convolution_param { num_output: 2 kernel_size: 1 } }
layer { name: "relu 1" type: "ReLU" bottom: "conv1/3x3" top: "conv1/3x3" }
layer { name: "loss" type: "TanH" bottom: "conv1/3x3" top: "conv1/3x3" }
layer { name: "2nd" type: "Sigmoid" bottom: "conv1/3x3" top: "out" }`),
      'n.prototxt',
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.net!.nodes.map((n) => [n.id, n.inputs])).toEqual([
      ['conv1_3x3', ['data']],
      ['relu_1', ['conv1_3x3']],
      ['loss_', ['relu_1']],
      ['_2nd', ['loss_']],
    ]);
  });

  it('an unknown layer type gets did-you-mean at its type; the rest is still checked without cascades', () => {
    const r = importCaffeNet(
      netWith(`layer { name: "c" type: "Convolutoin" bottom: "data" top: "c" }
layer { name: "r" type: "ReLU" bottom: "c" top: "r" }
layer { name: "t" type: "TanH" bottom: "dat" top: "t" }
layer { name: "f" type: "Flatten" bottom: "data" top: "f" }`),
      'n.prototxt',
    );
    expect(lines(r.diagnostics)).toEqual([
      'n.prototxt:3:19: error LPC4100: layer type `Convolutoin` (layer `c`) is not supported by lpc',
      'n.prototxt:5:32: error LPC4101: bottom `dat` of layer `t` names no top of an earlier layer or net input',
    ]);
    expect(r.diagnostics[0].hint).toMatch(/^did you mean `Convolution`/);
    expect(r.diagnostics[1].hint).toBe('did you mean `data`?');
    expect(r.ok).toBe(false);
  });

  it('a layer that does not fit its input shape is reported at the layer with the op message', () => {
    const r = importCaffeNet(netWith('layer { name: "c" type: "Convolution" bottom: "data" top: "c" convolution_param { num_output: 2 kernel_size: 9 } }\nlayer { name: "r" type: "ReLU" bottom: "c" top: "r" }'), 'n.prototxt');
    expect(errors(r.diagnostics)).toHaveLength(1);
    expect(lines(r.diagnostics)[0]).toMatch(/^n\.prototxt:3:19: error LPC4106: Convolution layer `c`: .*9/);
  });

  it('bottom and top counts are checked; a top produced twice is an error', () => {
    const r = importCaffeNet(
      netWith(`layer { name: "r" type: "ReLU" bottom: "data" bottom: "data" top: "r" }
layer { name: "a" type: "TanH" bottom: "data" top: "x" }
layer { name: "b" type: "TanH" bottom: "data" top: "x" }`),
      'n.prototxt',
    );
    expect(lines(r.diagnostics)).toEqual([
      'n.prototxt:3:19: error LPC4102: ReLU layer `r` takes 1 bottom, got 2',
      'n.prototxt:5:47: error LPC4110: top `x` of layer `b` is already produced by an earlier layer (and this layer is not in place)',
    ]);
  });

  it('an empty selection is reported', () => {
    expect(lines(importCaffeNet('name: "e"', 'e.prototxt').diagnostics)).toEqual(['e.prototxt:1:1: error LPC4108: the net has no layers lpc can build in phase TEST']);
  });
});
