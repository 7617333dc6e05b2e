import type { Attrs } from '../ir/graph.js';
import { wgsl } from '../codegen/wgsl/lib/expr.js';
import { helper } from '../codegen/wgsl/lib/helper.js';
import type { KernelBackwardRequest, KernelDispatch } from '../codegen/wgsl/lib/kernel.js';
import { GradKernel } from '../codegen/wgsl/lib/templates/grad-kernel.js';
import { floatAttr, intAttr } from './attrs.js';
import { productOf } from './shape-util.js';

/**
 * The WGSL backward of lrn (across channels), gather form, one invocation per input element:
 *   dx[c] = dy[c] * scale[c]^-beta
 *           - (2 alpha beta / n) * x[c] * sum_{c' in window(c)} dy[c'] * x[c'] * scale[c']^(-beta-1)
 * with scale[c] = k + alpha / n * (sum of x^2 over window(c)) recomputed from x (not from the
 * stored output), in channel order, as the reference. The window is symmetric, so the channels
 * whose window holds c are the channels of c's window. Each term of the sum needs its own scale:
 * local_size^2 loads per element, nothing for the usual local_size 5. f32 with pow(), where the
 * reference works in f64: within the f32 tolerance.
 */
export function lrnBackward(req: KernelBackwardRequest): KernelDispatch[] {
  const target = req.gradInputs[0];
  if (!target) return [];
  const attrs = req.attrs as Attrs;
  const size = intAttr(attrs, 'local_size', 5);
  const alpha = floatAttr(attrs, 'alpha', 1);
  const beta = floatAttr(attrs, 'beta', 0.75);
  const shape = req.inputs[0].shape;
  const k = new GradKernel(req, 'lrn');
  const x = k.input('x', req.inputs[0]);
  const channels = k.uniform('lrn_c', 'u32', shape[1]);
  const inner = k.uniform('lrn_inner', 'u32', productOf(shape.slice(2)));
  const half = k.uniform('lrn_half', 'u32', (size - 1) / 2);
  const kConst = k.uniform('lrn_k', 'f32', floatAttr(attrs, 'k', 1));
  const alphaN = k.uniform('lrn_alpha_n', 'f32', alpha / size);
  const negBeta = k.uniform('lrn_neg_beta', 'f32', -beta);
  const coeff = k.uniform('lrn_coeff', 'f32', (2 * alpha * beta) / size);
  const xAt = (i: string) => x.loadValue(wgsl('u32', i));
  // scale of channel c at the position whose channel 0 is `base`
  const scale = k.b.use(
    helper(
      'lpc_lrn_scale',
      [
        'fn lpc_lrn_scale(lpc_base: u32, lpc_c: u32) -> f32 {',
        `  let lpc_hi = min(lpc_c + ${half}, ${channels} - 1u);`,
        '  var lpc_sq = 0.0;',
        `  for (var lpc_cc = lpc_c - min(lpc_c, ${half}); lpc_cc <= lpc_hi; lpc_cc++) {`,
        `    let lpc_v = ${xAt(`lpc_base + lpc_cc * ${inner}`)};`,
        '    lpc_sq = lpc_sq + lpc_v * lpc_v;',
        '  }',
        `  return ${kConst} + ${alphaN} * lpc_sq;`,
        '}',
      ].join('\n'),
    ),
  );
  return [
    k.finish(target, req.accumulateInputs[0] ?? false, (i) => ({
      lines: [
        `let lpc_c = (${i} / ${inner}) % ${channels};`,
        `let lpc_base = ${i} - lpc_c * ${inner};`,
        `let lpc_hi = min(lpc_c + ${half}, ${channels} - 1u);`,
        'var lpc_through = 0.0;',
        `for (var lpc_cc = lpc_c - min(lpc_c, ${half}); lpc_cc <= lpc_hi; lpc_cc++) {`,
        `  let lpc_j = lpc_base + lpc_cc * ${inner};`,
        `  let lpc_s = ${scale}(lpc_base, lpc_cc);`,
        `  lpc_through = lpc_through + ${k.gradOut(wgsl('u32', 'lpc_j'))} * ${xAt('lpc_j')} * (pow(lpc_s, ${negBeta}) / lpc_s);`,
        '}',
        `let lpc_own = pow(${scale}(lpc_base, lpc_c), ${negBeta});`,
      ],
      value: wgsl('f32', `${k.gradOut(i)} * lpc_own - ${coeff} * ${x.loadValue(i)} * lpc_through`),
    })),
  ];
}
