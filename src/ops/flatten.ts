import type { OpDef } from './op-def.js';
import { intAttr } from './attrs.js';
import { roundF32, roundToStorage } from './precision.js';
import { loadElement, mapKernel } from '../codegen/wgsl/lib/templates/element-kernel.js';
import { copyBackward } from '../codegen/wgsl/lib/templates/grad-kernel.js';
import { axisRangeMessage, canonicalAxis, formatShape, productOf } from './shape-util.js';

/**
 * Caffe's Flatten: merges the axes from `axis` through `end_axis` (both inclusive) into one.
 * The data is not moved (row-major order is unchanged), only the shape.
 */
export const flattenOp: OpDef = {
  name: 'flatten',
  doc: 'Merges axes `axis` through `end_axis` (inclusive; defaults 1 and -1) into one: [N, C, H, W] becomes [N, C*H*W]. Values and number type pass through unchanged.',
  inputs: [{ name: 'x', doc: 'any tensor of rank >= 1' }],
  attrs: {
    axis: { kind: 'int', default: 1, doc: 'first axis to merge; negative counts from the end' },
    end_axis: { kind: 'int', default: -1, doc: 'last axis to merge (inclusive); negative counts from the end' },
  },
  inferShape(inputs, attrs) {
    const shape = inputs[0].shape;
    const startAttr = intAttr(attrs, 'axis', 1);
    const endAttr = intAttr(attrs, 'end_axis', -1);
    const start = canonicalAxis(startAttr, shape.length);
    if (start === undefined) return { ok: false, message: axisRangeMessage('flatten axis', startAttr, shape), blame: 'axis' };
    const end = canonicalAxis(endAttr, shape.length);
    if (end === undefined) return { ok: false, message: axisRangeMessage('flatten end_axis', endAttr, shape), blame: 'end_axis' };
    if (end < start) {
      return {
        ok: false,
        message: `flatten end_axis (${endAttr}, i.e. axis ${end}) comes before axis (${startAttr}, i.e. axis ${start}) for input shape ${formatShape(shape)}`,
        hint: 'end_axis must be at or after axis; the default end_axis: -1 merges through the last axis',
        blame: 'end_axis',
      };
    }
    return { ok: true, shape: [...shape.slice(0, start), productOf(shape.slice(start, end + 1)), ...shape.slice(end + 1)] };
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
    forward: (req) => [mapKernel(req, 'flatten', (_k, x, i) => loadElement(x, i))],
    // The gradient moves back unchanged, element for element.
    backward: (req) => copyBackward(req, 'flatten'),
  },
};
