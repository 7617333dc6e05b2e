import type { OpDef } from './op-def.js';
import { intAttr } from './attrs.js';
import { roundF32, roundToStorage } from './precision.js';
import { axisRangeMessage, canonicalAxis, splitAtAxis } from './shape-util.js';
import { softmaxForward } from './softmax.wgsl.js';
import { softmaxBackward } from './softmax.wgsl-backward.js';

/**
 * Softmax over one axis (Caffe's Softmax; the channel axis by default). The maximum along the
 * axis is subtracted before exponentiating, so large logits never overflow.
 */
export const softmaxOp: OpDef = {
  name: 'softmax',
  doc: 'Softmax over `axis` (default 1, the channel axis of NCHW): y = exp(x - max) / sum(exp(x - max)) along that axis. Output is f32.',
  inputs: [{ name: 'x', doc: 'a tensor of rank >= 1, normalised along `axis`' }],
  attrs: {
    axis: { kind: 'int', default: 1, doc: 'the axis to normalise over; negative counts from the end' },
  },
  inferShape(inputs, attrs) {
    const shape = inputs[0].shape;
    const axis = intAttr(attrs, 'axis', 1);
    if (canonicalAxis(axis, shape.length) === undefined) {
      return {
        ok: false,
        message: axisRangeMessage('softmax axis', axis, shape),
        hint: 'softmax normalises over the channel axis (1) of an NCHW tensor; use axis: -1 for the last axis',
        blame: 'axis',
      };
    }
    return { ok: true, shape: [...shape] };
  },
  differentiable: true,
  cpu: {
    forward({ inputs, attrs, outType }) {
      const x = inputs[0];
      const axis = canonicalAxis(intAttr(attrs, 'axis', 1), x.shape.length) as number;
      const { outer, dim, inner } = splitAtAxis(x.shape, axis);
      const y = new Float64Array(x.data.length);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const base = o * dim * inner + i;
          let max = -Infinity;
          for (let d = 0; d < dim; d++) max = Math.max(max, x.data[base + d * inner]);
          let sum = 0;
          for (let d = 0; d < dim; d++) {
            const e = Math.exp(x.data[base + d * inner] - max);
            y[base + d * inner] = e;
            sum += e;
          }
          for (let d = 0; d < dim; d++) y[base + d * inner] /= sum;
        }
      }
      return { shape: [...x.shape], data: roundToStorage(y, outType.dtype) };
    },
    /** dx = y * (dy - sum_along_axis(dy * y)): the softmax Jacobian applied to dy. */
    backward({ inputs, attrs, output, gradOutput }) {
      const shape = inputs[0].shape;
      const axis = canonicalAxis(intAttr(attrs, 'axis', 1), shape.length) as number;
      const { outer, dim, inner } = splitAtAxis(shape, axis);
      const y = output.data;
      const dy = gradOutput.data;
      const dx = new Float64Array(y.length);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          const base = o * dim * inner + i;
          let dot = 0;
          for (let d = 0; d < dim; d++) dot += dy[base + d * inner] * y[base + d * inner];
          for (let d = 0; d < dim; d++) {
            const k = base + d * inner;
            dx[k] = y[k] * (dy[k] - dot);
          }
        }
      }
      return { inputs: [{ shape: [...shape], data: roundF32(dx) }], params: [] };
    },
  },
  wgsl: { forward: softmaxForward, backward: softmaxBackward },
};
