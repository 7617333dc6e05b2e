import type { OpDef } from './op-def.js';
import type { Attrs } from '../ir/graph.js';
import type { Tensor } from '../numeric/tensor.js';
import { optionalFloatsAttr, stringAttr } from './attrs.js';
import { roundF32, roundToStorage } from './precision.js';
import { sameShapeInputs } from './shape-util.js';
import { eltwiseFold, eltwiseForward } from './eltwise.wgsl.js';
import { eltwiseBackward, eltwiseOperation } from './eltwise.wgsl-backward.js';

/**
 * Caffe's Eltwise layer: an elementwise sum (optionally weighted by `coeffs`), product or
 * maximum of two or more tensors of one shape. Computed in f32 in input order, as a kernel does.
 */
export type EltwiseOperation = 'sum' | 'prod' | 'max';
const OPERATIONS: readonly EltwiseOperation[] = ['sum', 'prod', 'max'];

function operationOf(attrs: Attrs): EltwiseOperation {
  return stringAttr<EltwiseOperation>(attrs, 'operation', 'sum', OPERATIONS);
}

/** One coefficient per input: the given ones, or all 1. */
function coeffsOf(attrs: Attrs, count: number): number[] {
  return optionalFloatsAttr(attrs, 'coeffs') ?? new Array<number>(count).fill(1);
}

/**
 * For `max`, which input each output element came from. Ties go to the earliest input (Caffe
 * replaces the running maximum only when strictly greater), so exactly one input gets the
 * gradient.
 */
function argmaxInputs(inputs: Tensor[]): Int32Array {
  const n = inputs[0].data.length;
  const which = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = inputs[0].data[i];
    for (let k = 1; k < inputs.length; k++) {
      if (inputs[k].data[i] > best) {
        best = inputs[k].data[i];
        which[i] = k;
      }
    }
  }
  return which;
}

export const eltwiseOp: OpDef = {
  name: 'eltwise',
  doc: 'Elementwise combination of two or more tensors of the same shape (Caffe Eltwise): `operation: sum` (default; weighted by `coeffs`, one per input, when given), `prod`, or `max`. Output is f32 unless a `-> T` says otherwise.',
  inputs: [{ name: 'inputs', doc: 'two or more tensors of the same shape', variadic: true }],
  attrs: {
    operation: { kind: 'enum', values: OPERATIONS, default: 'sum', doc: 'sum, prod or max' },
    coeffs: { kind: 'floats', optional: true, doc: 'for sum only: one weight per input (e.g. [1, -1] for a difference)' },
  },
  inferShape(inputs, attrs) {
    const same = sameShapeInputs('eltwise', 'inputs', inputs, 2);
    if (!same.ok) return same;
    const coeffs = optionalFloatsAttr(attrs, 'coeffs');
    if (coeffs !== undefined) {
      const operation = operationOf(attrs);
      if (operation !== 'sum') {
        return {
          ok: false,
          message: `eltwise coeffs apply only to operation: sum, but operation is ${operation}`,
          hint: 'remove coeffs, or use operation: sum',
          blame: 'coeffs',
        };
      }
      if (coeffs.length !== inputs.length) {
        return {
          ok: false,
          message: `eltwise coeffs must have one entry per input: ${inputs.length} inputs but ${coeffs.length} coeffs`,
          hint: `give exactly ${inputs.length} coefficients, e.g. coeffs: [${new Array<string>(inputs.length).fill('1').join(', ')}]`,
          blame: 'coeffs',
        };
      }
    }
    return same;
  },
  differentiable: true,
  cpu: {
    forward({ inputs, attrs, outType }) {
      const n = inputs[0].data.length;
      const y = new Float64Array(n);
      const operation = operationOf(attrs);
      if (operation === 'sum') {
        const c = coeffsOf(attrs, inputs.length).map(Math.fround);
        for (let i = 0; i < n; i++) {
          let acc = Math.fround(c[0] * inputs[0].data[i]);
          for (let k = 1; k < inputs.length; k++) acc = Math.fround(acc + Math.fround(c[k] * inputs[k].data[i]));
          y[i] = acc;
        }
      } else if (operation === 'prod') {
        for (let i = 0; i < n; i++) {
          let acc = Math.fround(inputs[0].data[i]);
          for (let k = 1; k < inputs.length; k++) acc = Math.fround(acc * inputs[k].data[i]);
          y[i] = acc;
        }
      } else {
        const which = argmaxInputs(inputs);
        for (let i = 0; i < n; i++) y[i] = inputs[which[i]].data[i];
      }
      return { shape: [...inputs[0].shape], data: roundToStorage(y, outType.dtype) };
    },
    backward({ inputs, attrs, gradOutput }) {
      const n = inputs[0].data.length;
      const dy = gradOutput.data;
      const grads = inputs.map(() => new Float64Array(n));
      const operation = operationOf(attrs);
      if (operation === 'sum') {
        const c = coeffsOf(attrs, inputs.length).map(Math.fround);
        for (let k = 0; k < inputs.length; k++) for (let i = 0; i < n; i++) grads[k][i] = c[k] * dy[i];
      } else if (operation === 'prod') {
        // The product of the other inputs, multiplied out directly (not y / x_k), so zeros in
        // an input do not turn the gradient into NaN.
        for (let k = 0; k < inputs.length; k++) {
          for (let i = 0; i < n; i++) {
            let others = 1;
            for (let j = 0; j < inputs.length; j++) if (j !== k) others *= inputs[j].data[i];
            grads[k][i] = dy[i] * others;
          }
        }
      } else {
        const which = argmaxInputs(inputs);
        for (let i = 0; i < n; i++) grads[which[i]][i] = dy[i];
      }
      return { inputs: grads.map((g, k) => ({ shape: [...inputs[k].shape], data: roundF32(g) })), params: [] };
    },
  },
  wgsl: {
    forward: (req) => eltwiseForward(req, eltwiseFold(req), `eltwise ${eltwiseFold(req).fold}`),
    backward: (req) => eltwiseBackward(req, eltwiseOperation(req)),
  },
};
