import type { WgslCapabilities } from '../capabilities.js';
import type { ShaderBuilder } from '../shader-builder.js';

/**
 * Reductions across one workgroup, for kernels that reduce along a row, a channel or a whole
 * tensor (batch statistics, losses, metrics): each invocation first folds its strided share of the
 * elements sequentially, then writes its partial result to workgroup memory, and after one barrier
 * every invocation folds the partials in the same order (so all hold the same total). Splitting a
 * sum of n terms over `size` partials keeps its f32 rounding error near (n / size + size) ulps.
 * (A halving tree with a barrier per level took lavapipe seconds to compile: 2.6 s against 0.4 s
 * for a kernel with three reductions at 256 invocations.)
 *
 * Barriers must sit in uniform control flow: kernels using these lines must not return early (or
 * branch on invocation-dependent values) before them.
 */

/** The largest power-of-two workgroup size up to `want` that the adapter allows along x. */
export function reduceWorkgroupSize(caps: WgslCapabilities, want = 256): number {
  const max = Math.min(want, caps.maxComputeWorkgroupSizeX, caps.maxComputeInvocationsPerWorkgroup);
  let n = 1;
  while (n * 2 <= max) n *= 2;
  return n;
}

export type ReduceOp = 'sum' | 'max';

/**
 * Declares a workgroup array (one slot per invocation of the builder's 1-D workgroup) and returns
 * statements that reduce `value` (an expression every invocation evaluates) into a variable named
 * `into`, equal in every invocation.
 */
export function workgroupReduce(b: ShaderBuilder, name: string, element: 'f32' | 'u32', op: ReduceOp, value: string, into: string): string[] {
  const size = b.workgroupSize[0];
  if (b.workgroupSize[1] !== 1 || b.workgroupSize[2] !== 1) {
    throw new Error(`workgroupReduce needs a 1-D workgroup, got ${b.workgroupSize.join(' x ')}`);
  }
  const arr = b.workgroupArray(name, element, size);
  const combine = op === 'sum' ? `${into} + ${arr}[lpc_s]` : `max(${into}, ${arr}[lpc_s])`;
  return [
    `${arr}[lidx] = ${value};`,
    'workgroupBarrier();',
    // every invocation folds the partials in the same order, so all get the same result
    `var ${into} = ${arr}[0];`,
    `for (var lpc_s = 1u; lpc_s < ${size}u; lpc_s++) { ${into} = ${combine}; }`,
    // every invocation has read the partials before the array is reused
    'workgroupBarrier();',
  ];
}
