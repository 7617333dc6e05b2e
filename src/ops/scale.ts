import type { Attrs } from '../ir/graph.js';
import type { OpDef, ParamSpec } from './op-def.js';
import { boolAttr, intAttr } from './attrs.js';
import { roundF32, roundToStorage } from './precision.js';
import { axisRangeMessage, canonicalAxis, splitAtAxis } from './shape-util.js';

/**
 * Per-channel scale and shift, Caffe's Scale layer with one input (the learned-scale form that
 * follows BatchNorm): y = x * gamma[c] + beta[c], c indexing `axis`. gamma starts at 1 and beta
 * (present only with bias_term, off by default as in Caffe) at 0.
 */

function channelAxis(shape: readonly number[], attrs: Attrs): number {
  const axis = canonicalAxis(intAttr(attrs, 'axis', 1), shape.length);
  // inferShape has accepted this node before any forward runs; failing here is a caller bug.
  if (axis === undefined) throw new Error(`scale: ${axisRangeMessage('axis', intAttr(attrs, 'axis', 1), shape)}`);
  return axis;
}

export const scaleOp: OpDef = {
  name: 'scale',
  doc: 'Per-channel affine map (Caffe Scale): y = x * gamma + beta, with gamma (and beta when bias_term) learned per index of `axis` (default 1, the channels). Usually follows batch_norm. Output is f32.',
  inputs: [{ name: 'x', doc: 'input activations' }],
  attrs: {
    axis: { kind: 'int', default: 1, doc: 'the axis gamma and beta run along; negative counts from the end' },
    bias_term: { kind: 'bool', default: false, doc: 'also learn a shift beta (Caffe default: off)' },
  },
  params(attrs, inputs) {
    const shape = inputs[0]?.shape ?? [];
    const axis = canonicalAxis(intAttr(attrs, 'axis', 1), shape.length);
    const c = axis === undefined ? 0 : shape[axis];
    const specs: ParamSpec[] = [{ slot: 'gamma', shape: [c], filler: { kind: 'constant', value: 1 } }];
    if (boolAttr(attrs, 'bias_term', false)) specs.push({ slot: 'beta', shape: [c], filler: { kind: 'constant', value: 0 } });
    return specs;
  },
  inferShape(inputs, attrs) {
    const shape = inputs[0].shape;
    const axis = intAttr(attrs, 'axis', 1);
    if (canonicalAxis(axis, shape.length) === undefined) {
      return {
        ok: false,
        message: axisRangeMessage('scale axis', axis, shape),
        hint: 'scale runs along the channel axis (1) of an NCHW tensor',
        blame: 'axis',
      };
    }
    return { ok: true, shape: [...shape] };
  },
  differentiable: true,
  cpu: {
    forward({ inputs, params, attrs, outType }) {
      const x = inputs[0];
      const { outer, dim, inner } = splitAtAxis(x.shape, channelAxis(x.shape, attrs));
      const gamma = params[0].data;
      const beta = boolAttr(attrs, 'bias_term', false) ? params[1].data : undefined;
      const y = new Float64Array(x.data.length);
      for (let o = 0; o < outer; o++) {
        for (let d = 0; d < dim; d++) {
          const shift = beta ? beta[d] : 0;
          for (let i = 0; i < inner; i++) {
            const at = (o * dim + d) * inner + i;
            y[at] = x.data[at] * gamma[d] + shift;
          }
        }
      }
      return { shape: [...x.shape], data: roundToStorage(y, outType.dtype) };
    },
    /** dx = dy * gamma; dgamma = sum dy * x; dbeta = sum dy (sums over all but `axis`). */
    backward({ inputs, params, attrs, gradOutput }) {
      const x = inputs[0];
      const { outer, dim, inner } = splitAtAxis(x.shape, channelAxis(x.shape, attrs));
      const gamma = params[0].data;
      const dy = gradOutput.data;
      const dx = new Float64Array(x.data.length);
      const dGamma = new Float64Array(dim);
      const dBeta = new Float64Array(dim);
      for (let o = 0; o < outer; o++) {
        for (let d = 0; d < dim; d++) {
          for (let i = 0; i < inner; i++) {
            const at = (o * dim + d) * inner + i;
            dx[at] = dy[at] * gamma[d];
            dGamma[d] += dy[at] * x.data[at];
            dBeta[d] += dy[at];
          }
        }
      }
      const paramGrads = [{ shape: [dim], data: roundF32(dGamma) }];
      if (boolAttr(attrs, 'bias_term', false)) paramGrads.push({ shape: [dim], data: roundF32(dBeta) });
      return { inputs: [{ shape: [...x.shape], data: roundF32(dx) }], params: paramGrads };
    },
  },
};
