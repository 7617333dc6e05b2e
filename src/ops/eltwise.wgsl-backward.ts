import type { Attrs } from '../ir/graph.js';
import { wgsl } from '../codegen/wgsl/lib/expr.js';
import type { KernelBackwardRequest, KernelDispatch } from '../codegen/wgsl/lib/kernel.js';
import { GradKernel } from '../codegen/wgsl/lib/templates/grad-kernel.js';
import { optionalFloatsAttr, stringAttr } from './attrs.js';

/**
 * The WGSL backward of add and eltwise: one dispatch per input that needs a gradient (each its own
 * gradient tensor, so add(x, x) accumulates its second position into the first's result).
 *   add, sum:  dx_k = fround(c_k) * dy (c_k = 1 for add and for sum without coeffs: dy exactly)
 *   prod:      dx_k = dy * (product of the other inputs, in input order); the reference multiplies
 *              the others in f64, the kernel in f32: within the f32 tolerance
 *   max:       dy for the input that won the element (the first largest, as the forward), else 0
 */
export function eltwiseBackward(req: KernelBackwardRequest, operation: 'add' | 'sum' | 'prod' | 'max'): KernelDispatch[] {
  const coeffs = operation === 'sum' ? optionalFloatsAttr(req.attrs as Attrs, 'coeffs') : undefined;
  const out: KernelDispatch[] = [];
  req.gradInputs.forEach((target, kIn) => {
    if (!target) return;
    const k = new GradKernel(req, operation === 'add' ? 'add' : `eltwise ${operation}`);
    if (operation === 'add' || operation === 'sum') {
      const c = coeffs ? k.uniform('elt_c', 'f32', Math.fround(coeffs[kIn])) : undefined;
      out.push(k.finish(target, req.accumulateInputs[kIn] ?? false, (i) => ({ value: c ? wgsl('f32', `${c} * ${k.gradOut(i)}`) : k.gradOut(i) })));
      return;
    }
    if (operation === 'prod') {
      const others = req.inputs.map((t, j) => (j === kIn ? undefined : k.input(`x${j}`, t)));
      out.push(
        k.finish(target, req.accumulateInputs[kIn] ?? false, (i) => {
          const lines = ['var lpc_others = 1.0;'];
          for (const x of others) if (x) lines.push(`lpc_others = lpc_others * ${x.loadValue(i)};`);
          return { lines, value: wgsl('f32', `${k.gradOut(i)} * lpc_others`) };
        }),
      );
      return;
    }
    const xs = req.inputs.map((t, j) => k.input(`x${j}`, t));
    out.push(
      k.finish(target, req.accumulateInputs[kIn] ?? false, (i) => {
        const lines = [`var lpc_best = ${xs[0].loadValue(i)};`, 'var lpc_which = 0u;'];
        xs.slice(1).forEach((x, j) => lines.push(`{ let lpc_v = ${x.loadValue(i)}; if (lpc_v > lpc_best) { lpc_best = lpc_v; lpc_which = ${j + 1}u; } }`));
        return { lines, value: wgsl('f32', `select(0.0, ${k.gradOut(i)}, lpc_which == ${kIn}u)`) };
      }),
    );
  });
  return out;
}

export function eltwiseOperation(req: KernelBackwardRequest): 'sum' | 'prod' | 'max' {
  return stringAttr<'sum' | 'prod' | 'max'>(req.attrs as Attrs, 'operation', 'sum', ['sum', 'prod', 'max']);
}
