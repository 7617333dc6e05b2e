import type { WgslCapabilities } from '../capabilities.js';
import type { ShaderBuilder } from '../shader-builder.js';

/**
 * Tree reductions across one workgroup, for kernels that reduce along a row, a channel or a whole
 * tensor (batch statistics, losses, metrics): each invocation first folds its strided share of the
 * elements sequentially, then the workgroup halves the partial results log2(size) times in
 * workgroup memory. The tree keeps the rounding error of f32 sums near log2(n) ulps instead of n.
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
 * Declares a workgroup array for a reduction of `element` values and returns a statement list
 * that reduces `value` (an expression evaluated by every invocation) into a `let` named `into`,
 * equal in every invocation. `size` must equal the builder's workgroup size (a power of two).
 */
export function workgroupReduce(b: ShaderBuilder, name: string, element: 'f32' | 'u32', op: ReduceOp, value: string, into: string): string[] {
  const size = b.workgroupSize[0];
  if (b.workgroupSize[1] !== 1 || b.workgroupSize[2] !== 1 || (size & (size - 1)) !== 0) {
    throw new Error(`workgroupReduce needs a 1-D power-of-two workgroup, got ${b.workgroupSize.join(' x ')}`);
  }
  const arr = b.workgroupArray(name, element, size);
  const combine = op === 'sum' ? `${arr}[lidx] + ${arr}[lidx + lpc_s]` : `max(${arr}[lidx], ${arr}[lidx + lpc_s])`;
  return [
    `${arr}[lidx] = ${value};`,
    'workgroupBarrier();',
    `for (var lpc_s = ${size / 2}u; lpc_s > 0u; lpc_s = lpc_s >> 1u) {`,
    `  if (lidx < lpc_s) { ${arr}[lidx] = ${combine}; }`,
    '  workgroupBarrier();',
    '}',
    `let ${into} = ${arr}[0];`,
    // every invocation has read the result before the array is reused
    'workgroupBarrier();',
  ];
}
