import type { KernelBackwardRequest, KernelDispatch, KernelTensor } from '../kernel.js';
import { planOutputGradient, planWeights } from './gemm-backward-kernel.js';
import { inputGradientDispatch } from './gemm-backward-input.js';
import { paramGradientDispatches } from './gemm-backward-params.js';
import { inputTiles, type GemmBackwardGeometry } from './gemm-backward-plan.js';

export type { GemmBackwardGeometry, InputTiles, ParamTiles } from './gemm-backward-plan.js';

/**
 * The backward of conv and dense in training: dX, dW and db of one (possibly fused) node as
 * gather kernels, each gradient element summed by exactly one invocation (WGSL has no f32
 * atomics, and a scatter would make the order of additions depend on scheduling).
 *
 * Both ops are described by one geometry: dense is a 1 x 1 convolution of an [M, K, 1, 1] input
 * with [U, K, 1, 1] weights (or their transpose, through the weight strides). Every size lives in
 * uniforms, so one pipeline serves every layer with the same tiles, number types and epilogue.
 *
 * Dispatches, in order (each only when needed):
 *   1. the effective output gradient (epilogue derivatives) into scratch   gemm-backward-kernel.ts
 *   2. the effective weights Q(W) into scratch                              gemm-backward-kernel.ts
 *   3. dX                                                                  gemm-backward-input.ts
 *   4. dW and db together (db is the column of a constant-1 input)         gemm-backward-params.ts
 *   5. the sum of the split reduction's partials, when step 4 was split    gemm-backward-params.ts
 *
 * Summation order (f32, rounding after every add; docs/numerics.md):
 *   dX[n, ic, iy, ix]: over kernel row, kernel column, then output channel of the group, ascending;
 *     taps that fall between strides or outside the output are skipped.
 *   dW[oc, icg, ky, kx] and db[oc]: over the output positions (image, then output row, then output
 *     column) ascending, in S consecutive slices summed separately; then the S partial sums in
 *     slice order. S depends only on the shape, the adapter's binding limit and the config, so
 *     results are deterministic run to run.
 */

function expectF32(t: KernelTensor | undefined, what: string, node: string): void {
  if (t && t.type.kind !== 'f32') throw new Error(`node '${node}': ${what} must be an f32 tensor, got ${t.type.kind}`);
}

/** The backward dispatches of a conv or dense node (see the comment at the top). */
export function gemmBackward(req: KernelBackwardRequest, g: GemmBackwardGeometry, what: string): KernelDispatch[] {
  const wantX = req.gradInputs[0] !== undefined;
  const wantW = req.gradParams[0] !== undefined;
  const wantB = g.bias && req.gradParams[1] !== undefined;
  expectF32(req.gradOutput, 'the output gradient', req.node);
  expectF32(req.gradInputs[0], 'the input gradient', req.node);
  expectF32(req.gradParams[0], 'the weight gradient', req.node);
  if (wantB) expectF32(req.gradParams[1], 'the bias gradient', req.node);
  if (!wantX && !wantW && !wantB) return [];

  const out: KernelDispatch[] = [];
  const gradPlan = planOutputGradient(req);
  if (gradPlan.kind === 'scratch') out.push(gradPlan.prep);
  if (wantX) {
    const weightPlan = planWeights(req);
    if (weightPlan.kind === 'scratch') out.push(weightPlan.prep);
    out.push(inputGradientDispatch(req, g, inputTiles(req, g), gradPlan, weightPlan, what));
  }
  if (wantW || wantB) out.push(...paramGradientDispatches(req, g, { weights: wantW, bias: wantB }, gradPlan, what));
  return out;
}
