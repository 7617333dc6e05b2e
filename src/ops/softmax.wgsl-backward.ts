import type { Attrs } from '../ir/graph.js';
import { wgsl } from '../codegen/wgsl/lib/expr.js';
import type { KernelBackwardRequest, KernelDispatch } from '../codegen/wgsl/lib/kernel.js';
import { GradKernel } from '../codegen/wgsl/lib/templates/grad-kernel.js';
import { intAttr } from './attrs.js';
import { canonicalAxis, splitAtAxis } from './shape-util.js';

/**
 * The WGSL backward of softmax along an axis, one invocation per input element:
 *   dx[k] = y[k] * (dy[k] - sum over the row of dy * y)
 * with y the softmax's own output (the saved pre-epilogue value when an epilogue is fused), the
 * row's dot product summed in f32 in axis order by each invocation of the row (no cross-invocation
 * sharing, so no barrier; O(row length) per element, cheap for class counts). The reference sums in
 * f64: within the f32 tolerance.
 */
export function softmaxBackward(req: KernelBackwardRequest): KernelDispatch[] {
  const target = req.gradInputs[0];
  if (!target) return [];
  const shape = req.inputs[0].shape;
  const axis = canonicalAxis(intAttr(req.attrs as Attrs, 'axis', 1), shape.length);
  // the shape rule accepted this node before any backend runs; failing here is a caller bug
  if (axis === undefined) throw new Error(`softmax '${req.node}': axis out of range for [${shape.join(', ')}]`);
  const { dim, inner } = splitAtAxis(shape, axis);
  const k = new GradKernel(req, 'softmax');
  const d = k.uniform('sm_dim', 'u32', dim);
  const s = k.uniform('sm_inner', 'u32', inner);
  const at = wgsl('u32', `lpc_first + lpc_d * ${s}`);
  return [
    k.finish(target, req.accumulateInputs[0] ?? false, (i) => ({
      lines: [
        // the row's first element: same outer and inner position, axis index 0
        `let lpc_first = (${i} / (${d} * ${s})) * ${d} * ${s} + ${i} % ${s};`,
        'var lpc_dot = 0.0;',
        `for (var lpc_d = 0u; lpc_d < ${d}; lpc_d++) { lpc_dot = lpc_dot + ${k.gradOut(at)} * ${k.ownOutput(at)}; }`,
      ],
      value: wgsl('f32', `${k.ownOutput(i)} * (${k.gradOut(i)} - lpc_dot)`),
    })),
  ];
}
