import type { NumberType } from '../numeric/number-type.js';

/**
 * How the exact (i32) accumulation path adds a bias (SEMANTICS.md section 4; docs/numerics.md).
 * A fixed-point bias whose fraction bits fit the accumulator's scale (Fw + Fx) joins the integer
 * sum exactly. Any other bias (f32, or finer than the accumulator) is added in f32 after the sum is
 * converted: fround(fround(acc) + bias). The WGSL kernels do the same (requantize.ts, biasJoins),
 * so both backends agree bit for bit even when |acc| exceeds 2^24.
 */
export function exactBiasAdder(inputType: NumberType, weightType: NumberType | undefined, biasType: NumberType | undefined): (acc: number, bias: number) => number {
  const accFracBits = (inputType.kind === 'fixed' ? inputType.fracBits : 0) + (weightType?.kind === 'fixed' ? weightType.fracBits : 0);
  const joins = biasType?.kind === 'fixed' && biasType.fracBits <= accFracBits;
  return joins ? (acc, bias) => acc + bias : (acc, bias) => Math.fround(Math.fround(acc) + bias);
}
