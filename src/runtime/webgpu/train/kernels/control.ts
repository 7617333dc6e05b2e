import { helper } from '../../../../codegen/wgsl/lib/helper.js';
import type { ShaderBuilder } from '../../../../codegen/wgsl/lib/shader-builder.js';

/**
 * The control block of a WebGPU training step: one small u32 buffer the step's kernels share, so
 * the decision "apply this step or not" is taken on the GPU inside the one command buffer of the
 * step (no round trip to the host between the backward pass and the update), and read back with
 * the loss afterwards.
 *
 *   word 0   OK           1 when the step is applied (written by the decide kernel)
 *   word 1   LOSS         non-zero when a loss is not finite (atomicOr by the loss checks)
 *   word 2   SCALE        the gradient clipping factor as f32 bits (1.0 without clipping)
 *   word 3   NORM         the global gradient L2 norm as f32 bits (reported, for tests)
 *   word 4+p PARAM p      per trained parameter: bit 0 its gradient has a non-finite element,
 *                         bit 1 its updated value w' has one (the solver's check pass)
 *
 * The host clears the block at the start of every step (a clearBuffer in the same encoder).
 */
export const CONTROL_OK = 0;
export const CONTROL_LOSS = 1;
export const CONTROL_SCALE = 2;
export const CONTROL_NORM = 3;
export const CONTROL_PARAMS = 4;

export const FLAG_GRADIENT = 1;
export const FLAG_UPDATE = 2;

export function controlWords(trainedParams: number): number {
  return CONTROL_PARAMS + trainedParams;
}

/** `fn lpc_finite(x: f32) -> bool` from the bits, so no compiler folds it away under no-NaN assumptions. */
export const FINITE = helper(
  'lpc_finite',
  `fn lpc_finite(x: f32) -> bool {
  return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u;
}`,
);

/** Declares the control block as atomics (for kernels that set flags) and returns its WGSL name. */
export function atomicControl(b: ShaderBuilder): string {
  return b.storageBuffer('control', 'atomic<u32>', 'read_write');
}

/** Declares the control block read-only and returns its WGSL name. */
export function readControl(b: ShaderBuilder): string {
  return b.storageBuffer('control', 'u32', 'read');
}
