import type { WgslCapabilities } from '../../../../codegen/wgsl/lib/capabilities.js';
import { f32Lit, wgsl } from '../../../../codegen/wgsl/lib/expr.js';
import type { KernelDispatch, KernelTensor } from '../../../../codegen/wgsl/lib/kernel.js';
import { gridFor, ShaderBuilder } from '../../../../codegen/wgsl/lib/shader-builder.js';
import { flatAccessor, flatUniforms, tensorBindingsOf } from '../../../../codegen/wgsl/lib/templates/kernel-io.js';
import { reduceWorkgroupSize, workgroupReduce } from '../../../../codegen/wgsl/lib/templates/workgroup-reduce.js';
import { atomicControl, CONTROL_LOSS, CONTROL_NORM, CONTROL_OK, CONTROL_PARAMS, CONTROL_SCALE, FINITE, FLAG_GRADIENT } from './control.js';

/**
 * The checks of a training step, all on the GPU, all small next to the forward and backward:
 *
 *  - flagNonFinite: sets a bit in a u32 word when any element of a tensor is NaN or infinite (the
 *    loss check, and the per-layer flags that find the first non-finite layer of a diverged step);
 *  - gradientPartials: per trained parameter, the sum of g^2 over fixed slices of its gradient
 *    (one f32 partial per workgroup, summed in a fixed order) and FLAG_GRADIENT where an element is
 *    not finite;
 *  - finalizeNorm: one invocation adds every partial in order (compensated, so the f32 sum of a few
 *    hundred partials stays within a few ulps of the exact one) into the global L2 norm and the
 *    clipping factor, clip / norm when the norm exceeds clip (Caffe's ClipGradients), else 1;
 *  - decide: OK = no loss flag and no parameter flag; the solver's apply pass and the batch-norm
 *    commit run only when it is set.
 * The reference sums the squares in f64 and rounds the norm once, so the factor agrees to about
 * 1e-6 relative (docs/training.md), not to the bit.
 */

const FLAG_WORKGROUP = 64;

/** atomicOr(words[word], bit) when any of the first `count` elements of `t` is not finite. */
export function flagNonFinite(caps: WgslCapabilities, t: KernelTensor, flags: string, word: number, count: number, label: string): KernelDispatch {
  const b = new ShaderBuilder({ capabilities: caps, workgroupSize: FLAG_WORKGROUP });
  const x = flatAccessor(b, 'x', t, 'read');
  const words = b.storageBuffer('flags', 'atomic<u32>', 'read_write');
  const n = b.uniform('count', 'u32');
  const at = b.uniform('word', 'u32');
  b.use(FINITE);
  const shader = b
    .main([
      `let lpc_i = ${b.globalIndex()};`,
      `if (lpc_i >= ${n}) { return; }`,
      `if (!lpc_finite(${x.loadValue(wgsl('u32', 'lpc_i'))})) { atomicOr(&${words}[${at}], 1u); }`,
    ])
    .build();
  return {
    label,
    shader,
    workgroups: gridFor(count, FLAG_WORKGROUP, caps.maxComputeWorkgroupsPerDimension),
    uniforms: { ...flatUniforms([[x, t]]), count, word },
    bindings: [...tensorBindingsOf(x, t), { name: words, tensor: flags }],
  };
}

/** Elements of a gradient each workgroup of gradientPartials sums (a multiple of its size). */
export const PARTIAL_SLICE = 4096;

export function partialCount(elements: number): number {
  return Math.max(1, Math.ceil(elements / PARTIAL_SLICE));
}

/** Per workgroup w: partials[first + w] = sum of g^2 over g[w * SLICE .. (w + 1) * SLICE); FLAG_GRADIENT on a non-finite g. */
export function gradientPartials(
  caps: WgslCapabilities,
  grad: KernelTensor,
  ids: { partials: string; control: string },
  slot: number,
  first: number,
  label: string,
): KernelDispatch {
  // 64 invocations of 64 elements each: the fold of the partials costs size^2 additions per
  // workgroup (workgroup-reduce.ts), which at 256 took longer than reading the slice on lavapipe
  const size = reduceWorkgroupSize(caps, 64);
  const b = new ShaderBuilder({ capabilities: caps, workgroupSize: size });
  const g = flatAccessor(b, 'g', grad, 'read');
  const partials = b.storageBuffer('partials', 'f32', 'read_write');
  const control = atomicControl(b);
  const n = b.uniform('count', 'u32');
  const base = b.uniform('first', 'u32');
  const word = b.uniform('word', 'u32');
  b.use(FINITE);
  const count = grad.shape.reduce((a, d) => a * d, 1);
  const groups = partialCount(count);
  const max = caps.maxComputeWorkgroupsPerDimension;
  const gy = Math.ceil(groups / max);
  const shader = b
    .main([
      'let lpc_wg = wid.x + wid.y * nwg.x;',
      `let lpc_end = min((lpc_wg + 1u) * ${PARTIAL_SLICE}u, ${n});`,
      'var lpc_sum = 0.0;',
      'var lpc_bad = false;',
      `for (var lpc_i = lpc_wg * ${PARTIAL_SLICE}u + lidx; lpc_i < lpc_end; lpc_i += ${size}u) {`,
      `  let lpc_g = ${g.loadValue(wgsl('u32', 'lpc_i'))};`,
      '  lpc_sum = lpc_sum + lpc_g * lpc_g;',
      '  if (!lpc_finite(lpc_g)) { lpc_bad = true; }',
      '}',
      `if (lpc_bad) { atomicOr(&${control}[${word}], ${FLAG_GRADIENT}u); }`,
      ...workgroupReduce(b, 'lpc_sq', 'f32', 'sum', 'lpc_sum', 'lpc_total'),
      `if (lidx == 0u && lpc_wg * ${PARTIAL_SLICE}u < ${n}) { ${partials}[${base} + lpc_wg] = lpc_total; }`,
    ])
    .build();
  return {
    label,
    shader,
    workgroups: [Math.ceil(groups / gy), gy, 1],
    uniforms: { ...flatUniforms([[g, grad]]), count, first, word: CONTROL_PARAMS + slot },
    bindings: [...tensorBindingsOf(g, grad), { name: partials, tensor: ids.partials }, { name: control, tensor: ids.control }],
  };
}

/** The global norm and the clipping factor (clip undefined: factor 1) into the control block. */
export function finalizeNorm(caps: WgslCapabilities, ids: { partials: string; control: string }, partials: number, clip: number | undefined, label: string): KernelDispatch {
  const b = new ShaderBuilder({ capabilities: caps, workgroupSize: 1 });
  const p = b.storageBuffer('partials', 'f32', 'read');
  const control = atomicControl(b);
  const n = b.uniform('count', 'u32');
  const scale = clip === undefined ? '1.0' : `select(1.0, ${f32Lit(Math.fround(clip))} / lpc_norm, lpc_norm > ${f32Lit(Math.fround(clip))})`;
  const shader = b
    .main([
      // Kahan summation in partial order: deterministic, and close to the exact sum
      'var lpc_sum = 0.0;',
      'var lpc_comp = 0.0;',
      `for (var lpc_k = 0u; lpc_k < ${n}; lpc_k++) {`,
      `  let lpc_y = ${p}[lpc_k] - lpc_comp;`,
      '  let lpc_t = lpc_sum + lpc_y;',
      '  lpc_comp = (lpc_t - lpc_sum) - lpc_y;',
      '  lpc_sum = lpc_t;',
      '}',
      'let lpc_norm = sqrt(lpc_sum);',
      `atomicStore(&${control}[${CONTROL_NORM}], bitcast<u32>(lpc_norm));`,
      `atomicStore(&${control}[${CONTROL_SCALE}], bitcast<u32>(${scale}));`,
    ])
    .build();
  return {
    label,
    shader,
    workgroups: [1, 1, 1],
    uniforms: { count: partials },
    bindings: [
      { name: p, tensor: ids.partials },
      { name: control, tensor: ids.control },
    ],
  };
}

/** OK = 1 when no loss is flagged and no trained parameter is. */
export function decide(caps: WgslCapabilities, control: string, trained: number, label: string): KernelDispatch {
  const b = new ShaderBuilder({ capabilities: caps, workgroupSize: 1 });
  const c = atomicControl(b);
  const n = b.uniform('params', 'u32');
  const shader = b
    .main([
      `var lpc_any = atomicLoad(&${c}[${CONTROL_LOSS}]);`,
      `for (var lpc_p = 0u; lpc_p < ${n}; lpc_p++) { lpc_any = lpc_any | atomicLoad(&${c}[${CONTROL_PARAMS}u + lpc_p]); }`,
      `atomicStore(&${c}[${CONTROL_OK}], select(0u, 1u, lpc_any == 0u));`,
    ])
    .build();
  return { label, shader, workgroups: [1, 1, 1], uniforms: { params: trained }, bindings: [{ name: c, tensor: control }] };
}
