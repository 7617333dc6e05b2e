/**
 * A benchmark model as TF.js ops, for any TF.js backend (the benchmark uses WebGPU; the tests use
 * the CPU backend to check the layouts quickly).
 *
 * Built from TF.js's fused ops, its fastest path for these layers: fused conv2d and fused matMul
 * with bias and activation, on NHWC activations (TF.js's native layout; the weights are permuted
 * once here so that the results equal the NCHW engines'). A dense layer whose weight matrix exceeds
 * `maxBindingBytes` (the adapter's maxStorageBufferBindingSize: VGG16's fc6 is 411 MB, lavapipe's
 * limit 128 MiB) is split by output units into matrices that fit, each multiplied separately and
 * the results concatenated, since one binding that large fails WebGPU validation.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import { layerShapes, type BenchModel } from '../workloads.js';
import { denseToNhwcRows, oihwToHwio, type LayerWeights } from '../weights.js';

type Tf = typeof TfCore;
type Tensor = TfCore.Tensor;

export interface TfModel {
  /** The net on an NHWC input batch. */
  forward(x: TfCore.Tensor4D): Tensor;
  /** The weight tensors, to dispose with the model. */
  params: Tensor[];
}

export function buildTfModel(tf: Tf, model: BenchModel, weights: readonly LayerWeights[], maxBindingBytes: number): TfModel {
  const params: Tensor[] = [];
  const keep = <T extends Tensor>(t: T): T => {
    params.push(t);
    return t;
  };
  const shapes = layerShapes(model.inputShape, model.layers);
  const steps: ((x: Tensor) => Tensor)[] = [];
  let w = 0;
  model.layers.forEach((l, i) => {
    if (l.kind === 'conv') {
      const lw = weights[w++];
      const [o, c, k] = lw.weightShape;
      const filter = keep(tf.tensor4d(oihwToHwio(lw.weight, lw.weightShape), [k, k, c, o]));
      const bias = keep(tf.tensor1d(lw.bias));
      const pad: 'valid' | 'same' | number = l.pad === 0 ? 'valid' : l.stride === 1 && 2 * l.pad === l.kernel - 1 ? 'same' : l.pad;
      const activation = l.relu ? 'relu' : 'linear';
      steps.push((x) => tf.fused.conv2d({ x: x as TfCore.Tensor4D, filter, strides: l.stride, pad, bias, activation }));
    } else if (l.kind === 'dense') {
      const lw = weights[w++];
      const [units, k] = lw.weightShape;
      const rows = denseToNhwcRows(lw.weight, units, shapes[i]);
      // Output units per matrix so that one [k, chunk] f32 matrix fits in one storage binding.
      const chunk = Math.min(units, Math.max(1, Math.floor(maxBindingBytes / (k * 4))));
      const parts: { b: Tensor; bias: Tensor }[] = [];
      for (let u0 = 0; u0 < units; u0 += chunk) {
        const n = Math.min(chunk, units - u0);
        const slice = new Float32Array(k * n);
        for (let r = 0; r < k; r++) slice.set(rows.subarray(r * units + u0, r * units + u0 + n), r * n);
        parts.push({ b: keep(tf.tensor2d(slice, [k, n])), bias: keep(tf.tensor1d(lw.bias.subarray(u0, u0 + n))) });
      }
      const activation = l.relu ? 'relu' : 'linear';
      steps.push((x) => {
        const a = (x.rank === 2 ? x : tf.reshape(x, [x.shape[0], -1])) as TfCore.Tensor2D;
        const ys = parts.map((p) => tf.fused.matMul({ a, b: p.b as TfCore.Tensor2D, bias: p.bias, activation }));
        return ys.length === 1 ? ys[0] : tf.concat(ys, 1);
      });
    } else if (l.kind === 'max_pool') {
      steps.push((x) => tf.maxPool(x as TfCore.Tensor4D, l.kernel, l.stride, 'valid'));
    } else if (l.kind === 'tanh') {
      steps.push((x) => tf.tanh(x));
    } else {
      steps.push((x) => tf.softmax(x));
    }
  });
  return { forward: (x) => steps.reduce((t, step) => step(t), x as Tensor), params };
}
