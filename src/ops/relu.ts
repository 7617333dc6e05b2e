import type { OpDef } from './op-def.js';
import { F32 } from '../numeric/number-type.js';
import { floatAttr } from './attrs.js';
import { roundF32, roundToStorage } from './precision.js';

/**
 * Rectified linear unit, Caffe's ReLU: y = x for x > 0, negative_slope * x otherwise (a leaky
 * ReLU when the slope is not 0). The gradient at exactly 0 is the slope, as in Caffe.
 */
export const reluOp: OpDef = {
  name: 'relu',
  doc: 'Rectified linear unit: y = max(x, 0) + negative_slope * min(x, 0). With slope 0 the output keeps a fixed-point input type, since relu of a representable value is representable.',
  inputs: [{ name: 'x', doc: 'any tensor' }],
  attrs: {
    negative_slope: { kind: 'float', default: 0, doc: 'slope for x <= 0 (0: plain ReLU; otherwise leaky ReLU)' },
  },
  inferShape(inputs) {
    return { ok: true, shape: [...inputs[0].shape] };
  },
  inferType(inputs, attrs) {
    const t = inputs[0].dtype;
    return t.kind === 'fixed' && floatAttr(attrs, 'negative_slope', 0) === 0 ? t : F32;
  },
  fusion: 'epilogue',
  differentiable: true,
  cpu: {
    forward({ inputs, attrs, outType }) {
      const x = inputs[0].data;
      const slope = floatAttr(attrs, 'negative_slope', 0);
      const y = new Float64Array(x.length);
      // Plain relu writes +0, never -0 (0 * negative): zeros are counted and stored as codes.
      for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : slope === 0 ? 0 : slope * x[i];
      return { shape: [...inputs[0].shape], data: roundToStorage(y, outType.dtype) };
    },
    backward({ inputs, attrs, gradOutput }) {
      const x = inputs[0].data;
      const dy = gradOutput.data;
      const slope = floatAttr(attrs, 'negative_slope', 0);
      const dx = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) dx[i] = x[i] > 0 ? dy[i] : slope === 0 ? 0 : slope * dy[i];
      return { inputs: [{ shape: [...inputs[0].shape], data: roundF32(dx) }], params: [] };
    },
  },
};
