import type { Attrs } from '../ir/graph.js';
import { exactBiasAdder } from './exact-bias.js';
import type { OpDef, ShapeResult } from './op-def.js';
import { boolAttr, intAttr } from './attrs.js';
import { hasBias, learnableLayerAttrs, weightAndBiasParams } from './layer-params.js';
import { roundF32, roundToStorage } from './precision.js';
import { axisRangeMessage, canonicalAxis, formatShape, productOf } from './shape-util.js';
import { denseConfigs, denseKernel } from '../codegen/wgsl/lib/templates/dense-gemm.js';
import { denseBackward } from './dense.wgsl-backward.js';

/**
 * Fully connected layer, Caffe's InnerProduct: the input is flattened from `axis` into rows of
 * K features (M rows = product of the dims before `axis`), y[m, u] = sum_k x[m, k] * W[u, k] + b[u].
 * Weights are [units, K], or [K, units] with `transpose` (Caffe's transpose flag).
 */

interface DenseGeometry {
  /** Rows: product of the input dims before `axis`. */
  m: number;
  /** Features per row: product of the input dims from `axis` on. */
  k: number;
  units: number;
  transpose: boolean;
  outShape: number[];
}

function denseGeometry(inputShape: readonly number[], attrs: Attrs): { ok: true; g: DenseGeometry } | Extract<ShapeResult, { ok: false }> {
  const axisAttr = intAttr(attrs, 'axis', 1);
  const axis = canonicalAxis(axisAttr, inputShape.length);
  if (axis === undefined) {
    return {
      ok: false,
      message: axisRangeMessage('dense axis', axisAttr, inputShape),
      hint: 'axis 1 flattens everything after the batch dimension, which is what most nets want',
      blame: 'axis',
    };
  }
  const k = productOf(inputShape.slice(axis));
  if (k === 0) {
    return {
      ok: false,
      message: `dense has no input features: the input ${formatShape(inputShape)} flattened from axis ${axis} is empty`,
      hint: 'check the shape of the input tensor',
      blame: 'x',
    };
  }
  const units = intAttr(attrs, 'units');
  const leading = inputShape.slice(0, axis);
  return {
    ok: true,
    g: { m: productOf(leading), k, units, transpose: boolAttr(attrs, 'transpose', false), outShape: [...leading, units] },
  };
}

function geometryOrThrow(inputShape: readonly number[], attrs: Attrs): DenseGeometry {
  const r = denseGeometry(inputShape, attrs);
  // inferShape has accepted this node before any forward runs; failing here is a caller bug.
  if (!r.ok) throw new Error(`dense: ${r.message}`);
  return r.g;
}

/** Flat index of weight (unit u, feature k) in either layout. */
function weightIndex(g: DenseGeometry, u: number, k: number): number {
  return g.transpose ? k * g.units + u : u * g.k + k;
}

export const denseOp: OpDef = {
  name: 'dense',
  doc: 'Fully connected layer (Caffe InnerProduct): flattens the input from `axis` into K features and computes y = x W^T + b with weights [units, K] ([K, units] with transpose) and bias [units]. Output = the input dims before `axis` followed by units. Declared types: `weights:`, `bias:`, `acc:`.',
  inputs: [{ name: 'x', doc: 'input activations, flattened from `axis`' }],
  attrs: {
    units: { kind: 'int', min: 1, doc: 'number of outputs per row' },
    axis: { kind: 'int', default: 1, doc: 'first axis flattened into the feature vector; negative counts from the end' },
    transpose: { kind: 'bool', default: false, doc: 'store weights as [K, units] instead of [units, K]' },
    ...learnableLayerAttrs,
  },
  typeSlots: ['weights', 'bias', 'acc'],
  params(attrs, inputs) {
    const units = intAttr(attrs, 'units');
    const r = denseGeometry(inputs[0]?.shape ?? [], attrs);
    const k = r.ok ? r.g.k : 0;
    return weightAndBiasParams(attrs, boolAttr(attrs, 'transpose', false) ? [k, units] : [units, k], units);
  },
  inferShape(inputs, attrs) {
    const r = denseGeometry(inputs[0].shape, attrs);
    return r.ok ? { ok: true, shape: r.g.outShape } : r;
  },
  macs(inputs, _output, attrs) {
    const r = denseGeometry(inputs[0].shape, attrs);
    return r.ok ? r.g.m * r.g.k * r.g.units : 0;
  },
  fusion: 'anchor',
  differentiable: true,
  cpu: {
    forward({ inputs, params, attrs, outType, accumulate, inputTypes, paramTypes }) {
      const g = geometryOrThrow(inputs[0].shape, attrs);
      const x = inputs[0].data;
      const w = params[0].data;
      const bias = hasBias(attrs) ? params[1].data : undefined;
      const f32Order = accumulate !== 'exact';
      const addExactBias = exactBiasAdder(inputTypes[0].dtype, paramTypes[0], paramTypes[1]);
      const y = new Float64Array(g.m * g.units);
      for (let m = 0; m < g.m; m++) {
        for (let u = 0; u < g.units; u++) {
          let acc = 0;
          // Same order and rounding as conv: features 0 upward, bias last (see CpuForwardArgs).
          for (let k = 0; k < g.k; k++) {
            const product = x[m * g.k + k] * w[weightIndex(g, u, k)];
            acc = f32Order ? Math.fround(acc + Math.fround(product)) : acc + product;
          }
          if (bias) acc = f32Order ? Math.fround(acc + bias[u]) : addExactBias(acc, bias[u]);
          y[m * g.units + u] = acc;
        }
      }
      return { shape: g.outShape, data: roundToStorage(y, outType.dtype) };
    },
    /** dx = dy W (with the forward's weights, Q(W) when typed); dW = dy^T x; db = column sums of dy. */
    backward({ inputs, params, attrs, gradOutput }) {
      const g = geometryOrThrow(inputs[0].shape, attrs);
      const x = inputs[0].data;
      const w = params[0].data;
      const dy = gradOutput.data;
      const dx = new Float64Array(x.length);
      const dw = new Float64Array(w.length);
      const db = new Float64Array(g.units);
      for (let m = 0; m < g.m; m++) {
        for (let u = 0; u < g.units; u++) {
          const grad = dy[m * g.units + u];
          db[u] += grad;
          for (let k = 0; k < g.k; k++) {
            const wi = weightIndex(g, u, k);
            dx[m * g.k + k] += w[wi] * grad;
            dw[wi] += x[m * g.k + k] * grad;
          }
        }
      }
      const paramGrads = [{ shape: [...params[0].shape], data: roundF32(dw) }];
      if (hasBias(attrs)) paramGrads.push({ shape: [g.units], data: roundF32(db) });
      return { inputs: [{ shape: [...inputs[0].shape], data: roundF32(dx) }], params: paramGrads };
    },
  },
  /** A GEMM of the flattened input rows and the weights (src/codegen/wgsl/lib/templates/dense-gemm.ts): one dispatch per fused node. */
  wgsl: {
    backward: denseBackward,
    forward: (req) => denseKernel(req, geometryOrThrow(req.inputs[0].shape, req.attrs as Attrs)),
    configs: (req) => denseConfigs(req, geometryOrThrow(req.inputs[0].shape, req.attrs as Attrs)),
  },
};
