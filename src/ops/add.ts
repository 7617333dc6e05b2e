import type { OpDef } from './op-def.js';
import { roundF32, roundToStorage } from './precision.js';
import { sameShapeInputs } from './shape-util.js';
import { eltwiseForward } from './eltwise.wgsl.js';
import { eltwiseBackward } from './eltwise.wgsl-backward.js';

/**
 * Elementwise sum of two or more tensors of one shape (residual connections). The sum is taken
 * in f32, in input order, rounding after every add, as a WGSL kernel does. Each input's
 * gradient is the output gradient itself.
 */
export const addOp: OpDef = {
  name: 'add',
  doc: 'Elementwise sum of two or more tensors of the same shape (no broadcasting): y = x1 + x2 + ... Summed in f32 in input order. Output is f32 unless a `-> T` says otherwise.',
  inputs: [{ name: 'inputs', doc: 'two or more tensors of the same shape', variadic: true }],
  attrs: {},
  inferShape(inputs) {
    return sameShapeInputs('add', 'inputs', inputs, 2);
  },
  differentiable: true,
  cpu: {
    forward({ inputs, outType }) {
      const n = inputs[0].data.length;
      const y = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        let acc = Math.fround(inputs[0].data[i]);
        for (let k = 1; k < inputs.length; k++) acc = Math.fround(acc + Math.fround(inputs[k].data[i]));
        y[i] = acc;
      }
      return { shape: [...inputs[0].shape], data: roundToStorage(y, outType.dtype) };
    },
    backward({ inputs, gradOutput }) {
      return {
        inputs: inputs.map((x) => ({ shape: [...x.shape], data: roundF32(Float64Array.from(gradOutput.data)) })),
        params: [],
      };
    },
  },
  wgsl: {
    forward: (req) => eltwiseForward(req, { fold: 'add' }, 'add'),
    backward: (req) => eltwiseBackward(req, 'add'),
  },
};
