import type { OpDef } from './op-def.js';
import { F32, sameNumberType } from '../numeric/number-type.js';
import { intAttr } from './attrs.js';
import { roundF32, roundToStorage } from './precision.js';
import { concatForward } from './concat.wgsl.js';
import { concatBackward } from './concat.wgsl-backward.js';
import { axisRangeMessage, canonicalAxis, formatShape, splitAtAxis } from './shape-util.js';

/**
 * Caffe's Concat: joins tensors along one axis (channels by default). All other dimensions must
 * agree. Values are copied, so inputs of one number type keep it.
 */
export const concatOp: OpDef = {
  name: 'concat',
  doc: 'Joins one or more tensors along `axis` (default 1, channels); every other dimension must agree. The output keeps the inputs\' number type when they all share one, else it is f32.',
  inputs: [{ name: 'inputs', doc: 'one or more tensors of equal rank', variadic: true }],
  attrs: {
    axis: { kind: 'int', default: 1, doc: 'the axis to join along; negative counts from the end' },
  },
  inferShape(inputs, attrs) {
    if (inputs.length < 1) {
      return { ok: false, message: 'concat needs at least one input', hint: 'concat(a, b, axis: 1)', blame: 'inputs' };
    }
    const first = inputs[0].shape;
    const axisAttr = intAttr(attrs, 'axis', 1);
    const axis = canonicalAxis(axisAttr, first.length);
    if (axis === undefined) {
      return { ok: false, message: axisRangeMessage('concat axis', axisAttr, first), blame: 'axis' };
    }
    const shape = [...first];
    for (let k = 1; k < inputs.length; k++) {
      const s = inputs[k].shape;
      if (s.length !== first.length) {
        return {
          ok: false,
          message: `concat inputs must have the same rank: input 1 is ${formatShape(first)} (rank ${first.length}) but input ${k + 1} is ${formatShape(s)} (rank ${s.length})`,
          hint: 'flatten or reshape the inputs to a common rank first',
          blame: 'inputs',
        };
      }
      for (let d = 0; d < s.length; d++) {
        if (d !== axis && s[d] !== first[d]) {
          return {
            ok: false,
            message: `concat along axis ${axis} needs every other dimension equal: input 1 is ${formatShape(first)} but input ${k + 1} is ${formatShape(s)} (dimension ${d} differs: ${first[d]} vs ${s[d]})`,
            hint: `only dimension ${axis} may differ; is the axis right, or does one branch need pooling or padding?`,
            blame: 'inputs',
          };
        }
      }
      shape[axis] += s[axis];
    }
    return { ok: true, shape };
  },
  inferType(inputs) {
    const t = inputs[0].dtype;
    return inputs.every((x) => sameNumberType(x.dtype, t)) ? t : F32;
  },
  differentiable: true,
  cpu: {
    forward({ inputs, attrs, outType }) {
      const axis = canonicalAxis(intAttr(attrs, 'axis', 1), outType.shape.length) as number;
      const { outer, dim: outDim, inner } = splitAtAxis(outType.shape, axis);
      const y = new Float64Array(outer * outDim * inner);
      let offset = 0; // where along the axis the current input starts
      for (const x of inputs) {
        const dim = x.shape[axis];
        for (let o = 0; o < outer; o++) {
          const src = o * dim * inner;
          const dst = (o * outDim + offset) * inner;
          for (let j = 0; j < dim * inner; j++) y[dst + j] = x.data[src + j];
        }
        offset += dim;
      }
      return { shape: [...outType.shape], data: roundToStorage(y, outType.dtype) };
    },
    /** Each input's gradient is its slice of the output gradient. */
    backward({ inputs, attrs, gradOutput }) {
      const axis = canonicalAxis(intAttr(attrs, 'axis', 1), gradOutput.shape.length) as number;
      const { outer, dim: outDim, inner } = splitAtAxis(gradOutput.shape, axis);
      let offset = 0;
      const grads = inputs.map((x) => {
        const dim = x.shape[axis];
        const dx = new Float64Array(x.data.length);
        for (let o = 0; o < outer; o++) {
          const src = (o * outDim + offset) * inner;
          const dst = o * dim * inner;
          for (let j = 0; j < dim * inner; j++) dx[dst + j] = gradOutput.data[src + j];
        }
        offset += dim;
        return { shape: [...x.shape], data: roundF32(dx) };
      });
      return { inputs: grads, params: [] };
    },
  },
  wgsl: { forward: concatForward, backward: concatBackward },
};
