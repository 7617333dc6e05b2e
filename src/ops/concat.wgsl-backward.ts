import type { Attrs } from '../ir/graph.js';
import { wgsl } from '../codegen/wgsl/lib/expr.js';
import type { KernelBackwardRequest, KernelDispatch } from '../codegen/wgsl/lib/kernel.js';
import { GradKernel } from '../codegen/wgsl/lib/templates/grad-kernel.js';
import { intAttr } from './attrs.js';
import { canonicalAxis, splitAtAxis } from './shape-util.js';

/**
 * The WGSL backward of concat: each input's gradient is its slice of the output gradient, one
 * dispatch per input that needs one (element j of input k reads output element
 * (o * outDim + offset_k) * inner + r, with o = j / (dim_k * inner) and r = j % (dim_k * inner)).
 * Copies, so exact.
 */
export function concatBackward(req: KernelBackwardRequest): KernelDispatch[] {
  const outShape = req.output.shape;
  const axis = canonicalAxis(intAttr(req.attrs as Attrs, 'axis', 1), outShape.length);
  // the shape rule accepted this node before any backend runs; failing here is a caller bug
  if (axis === undefined) throw new Error(`concat '${req.node}': axis out of range for [${outShape.join(', ')}]`);
  const { dim: outDim, inner } = splitAtAxis(outShape, axis);
  const out: KernelDispatch[] = [];
  let offset = 0;
  req.inputs.forEach((t, kIn) => {
    const dim = t.shape[axis];
    const start = offset;
    offset += dim;
    const target = req.gradInputs[kIn];
    if (!target) return;
    const k = new GradKernel(req, 'concat');
    const slab = k.uniform('cat_slab', 'u32', dim * inner);
    const outSlab = k.uniform('cat_out_slab', 'u32', outDim * inner);
    const first = k.uniform('cat_start', 'u32', start * inner);
    out.push(k.finish(target, req.accumulateInputs[kIn] ?? false, (i) => ({ value: k.gradOut(wgsl('u32', `(${i} / ${slab}) * ${outSlab} + ${first} + ${i} % ${slab}`)) })));
  });
  return out;
}
