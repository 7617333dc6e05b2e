import type { OpDef, ShapeResult } from './op-def.js';
import { intsAttr } from './attrs.js';
import { roundF32, roundToStorage } from './precision.js';
import { loadElement, mapKernel } from '../codegen/wgsl/lib/templates/element-kernel.js';
import { copyBackward } from '../codegen/wgsl/lib/templates/grad-kernel.js';
import { formatShape, productOf } from './shape-util.js';

/**
 * Caffe's Reshape over the whole shape: `shape` lists the new dimensions, where 0 copies the
 * input's dimension at the same index and a single -1 is inferred from the element count.
 * The data is not moved, only the shape.
 */
export function reshapeTarget(input: readonly number[], spec: readonly number[]): ShapeResult {
  const count = productOf(input);
  const out: number[] = [];
  let inferAt = -1;
  for (let i = 0; i < spec.length; i++) {
    const s = spec[i];
    if (!Number.isInteger(s) || s < -1) {
      return {
        ok: false,
        message: `reshape shape entry ${i} is ${s}; entries must be positive sizes, 0 (copy the input dimension) or -1 (infer)`,
        blame: 'shape',
      };
    }
    if (s === -1) {
      if (inferAt >= 0) {
        return {
          ok: false,
          message: `reshape shape ${formatShape(spec)} has more than one -1 (entries ${inferAt} and ${i}); only one dimension can be inferred`,
          hint: 'write all but one of the sizes explicitly',
          blame: 'shape',
        };
      }
      inferAt = i;
      out.push(1); // placeholder until the known sizes are multiplied out
    } else if (s === 0) {
      if (i >= input.length) {
        return {
          ok: false,
          message: `reshape shape entry ${i} is 0 (copy input dimension ${i}), but the input ${formatShape(input)} has only ${input.length} dimensions`,
          hint: '0 copies the input dimension at the same position; write the size explicitly here',
          blame: 'shape',
        };
      }
      out.push(input[i]);
    } else {
      out.push(s);
    }
  }
  const known = productOf(out);
  if (inferAt >= 0) {
    if (known === 0 || count % known !== 0) {
      return {
        ok: false,
        message: `reshape cannot infer the -1 in ${formatShape(spec)}: the input ${formatShape(input)} has ${count} elements, which the other sizes (product ${known}) do not divide`,
        hint: 'check the explicit sizes; their product must divide the element count',
        blame: 'shape',
      };
    }
    out[inferAt] = count / known;
  } else if (known !== count) {
    return {
      ok: false,
      message: `reshape to ${formatShape(out)} needs ${known} elements, but the input ${formatShape(input)} has ${count}`,
      hint: 'the element count must stay the same; use -1 for one dimension to have it inferred',
      blame: 'shape',
    };
  }
  return { ok: true, shape: out };
}

export const reshapeOp: OpDef = {
  name: 'reshape',
  doc: 'Gives the tensor a new shape with the same element count (Caffe Reshape): in `shape`, 0 copies the input dimension at that position and one -1 is inferred. Values and number type pass through unchanged.',
  inputs: [{ name: 'x', doc: 'any tensor' }],
  attrs: {
    shape: { kind: 'ints', min: -1, doc: 'the new dimensions; 0 copies the input dimension, one -1 is inferred' },
  },
  inferShape(inputs, attrs) {
    return reshapeTarget(inputs[0].shape, intsAttr(attrs, 'shape'));
  },
  inferType(inputs) {
    return inputs[0].dtype;
  },
  differentiable: true,
  cpu: {
    forward({ inputs, outType }) {
      return { shape: [...outType.shape], data: roundToStorage(Float64Array.from(inputs[0].data), outType.dtype) };
    },
    backward({ inputs, gradOutput }) {
      return { inputs: [{ shape: [...inputs[0].shape], data: roundF32(Float64Array.from(gradOutput.data)) }], params: [] };
    },
  },
  wgsl: {
    // Row-major order is unchanged: element i of the output is element i of the input.
    forward: (req) => [mapKernel(req, 'reshape', (_k, x, i) => loadElement(x, i))],
    // The gradient moves back unchanged, element for element.
    backward: (req) => copyBackward(req, 'reshape'),
  },
};
