import type { Attrs } from '../ir/graph.js';
import { wgsl } from '../codegen/wgsl/lib/expr.js';
import type { KernelBackwardRequest, KernelDispatch } from '../codegen/wgsl/lib/kernel.js';
import { paramValue } from '../codegen/wgsl/lib/templates/kernel-io.js';
import { GradKernel } from '../codegen/wgsl/lib/templates/grad-kernel.js';
import { reduceWorkgroupSize } from '../codegen/wgsl/lib/templates/workgroup-reduce.js';
import { boolAttr, intAttr } from './attrs.js';
import { canonicalAxis, splitAtAxis } from './shape-util.js';

/**
 * The WGSL backward of scale (y = x * gamma[d] + beta[d], d along `axis`):
 *   dx     = dy * gamma[d]                   one invocation per element (gamma as the forward
 *                                            read it: through its parameter quantizer, if any)
 *   dgamma = sum over the other axes of dy * x   one workgroup per channel d, strided partial
 *   dbeta  = sum over the other axes of dy       sums folded in a fixed order (workgroup-reduce.ts)
 * The reference sums in f64 in (outer, inner) order, the kernel in f32: the sums agree within the
 * f32 tolerance relative to the sum of the terms' magnitudes.
 */
export function scaleBackward(req: KernelBackwardRequest): KernelDispatch[] {
  const shape = req.inputs[0].shape;
  const axis = canonicalAxis(intAttr(req.attrs as Attrs, 'axis', 1), shape.length);
  // the shape rule accepted this node before any backend runs; failing here is a caller bug
  if (axis === undefined) throw new Error(`scale '${req.node}': axis out of range for [${shape.join(', ')}]`);
  const { outer, dim, inner } = splitAtAxis(shape, axis);
  const out: KernelDispatch[] = [];
  const dxTarget = req.gradInputs[0];
  if (dxTarget) {
    const k = new GradKernel(req, 'scale');
    const gamma = k.input('gamma', req.params[0]);
    const sDim = k.uniform('scale_dim', 'u32', dim);
    const sInner = k.uniform('scale_inner', 'u32', inner);
    out.push(
      k.finish(dxTarget, req.accumulateInputs[0] ?? false, (i) => ({
        lines: [`let lpc_d = (${i} / ${sInner}) % ${sDim};`, `let lpc_g = ${paramValue(k.b, req, 0, gamma, wgsl('u32', 'lpc_d'), k.rng)};`],
        value: wgsl('f32', `${k.gradOut(i)} * lpc_g`),
      })),
    );
  }
  const shift = boolAttr(req.attrs as Attrs, 'bias_term', false);
  (shift ? [0, 1] : [0]).forEach((p) => {
    const target = req.gradParams[p];
    if (!target) return;
    const k = new GradKernel(req, p === 0 ? 'scale gamma' : 'scale beta', reduceWorkgroupSize(req.capabilities, 64));
    const x = p === 0 ? k.input('x', req.inputs[0]) : undefined;
    const sDim = k.uniform('scale_dim', 'u32', dim);
    const sInner = k.uniform('scale_inner', 'u32', inner);
    out.push(
      k.finishReduction(target, req.accumulateParams?.[p] ?? false, outer * inner, (d, r) => {
        const at = wgsl('u32', 'lpc_at');
        return {
          lines: [`let lpc_at = ((${r} / ${sInner}) * ${sDim} + ${d}) * ${sInner} + ${r} % ${sInner};`],
          value: x ? wgsl('f32', `${k.gradOut(at)} * ${x.loadValue(at)}`) : k.gradOut(at),
        };
      }),
    );
  });
  return out;
}
