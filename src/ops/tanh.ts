import type { OpDef } from './op-def.js';
import { roundF32, roundToStorage } from './precision.js';

/** Hyperbolic tangent, elementwise. The backward uses the saved output: dy * (1 - y^2). */
export const tanhOp: OpDef = {
  name: 'tanh',
  doc: 'Hyperbolic tangent, elementwise: y = tanh(x). The output is f32 unless a `-> T` says otherwise.',
  inputs: [{ name: 'x', doc: 'any tensor' }],
  attrs: {},
  inferShape(inputs) {
    return { ok: true, shape: [...inputs[0].shape] };
  },
  fusion: 'epilogue',
  differentiable: true,
  cpu: {
    forward({ inputs, outType }) {
      const x = inputs[0].data;
      const y = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]);
      return { shape: [...inputs[0].shape], data: roundToStorage(y, outType.dtype) };
    },
    backward({ inputs, output, gradOutput }) {
      const y = output.data;
      const dy = gradOutput.data;
      const dx = new Float64Array(y.length);
      for (let i = 0; i < y.length; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
      return { inputs: [{ shape: [...inputs[0].shape], data: roundF32(dx) }], params: [] };
    },
  },
};
