import type { NumberType } from '../numeric/number-type.js';

/**
 * How the CPU reference stores results (src/numeric/tensor.ts): f32-typed values are rounded
 * to f32 (Math.fround) so they match what a WGSL kernel writes; fixed-point and i32 values are
 * already exact integers times a power of two and stay untouched (rounding a 32-bit code to
 * f32 would lose bits).
 */
export function roundToStorage(data: Float64Array, t: NumberType): Float64Array {
  if (t.kind === 'f32') for (let i = 0; i < data.length; i++) data[i] = Math.fround(data[i]);
  return data;
}

/** Gradients are always f32 tensors. */
export function roundF32(data: Float64Array): Float64Array {
  for (let i = 0; i < data.length; i++) data[i] = Math.fround(data[i]);
  return data;
}
