import type { FixedType, NumberType } from '../../../numeric/number-type.js';
import { Expr, pow2F32, wgsl } from './expr.js';
import { helper } from './helper.js';
import { quantize } from './quantizer.js';
import type { ShaderBuilder } from './shader-builder.js';

/**
 * The exact integer path of a fixed x fixed conv or dense (SEMANTICS.md section 4), from the i32
 * accumulator to the output code, matching the CPU reference's `accumulate: 'exact'` forward
 * followed by the quantize op:
 *
 *   acc   = sum of kw * kx                    exact i32 codes, scale 2^-S with S = Fw + Fx
 *   acc  += kb << (S - Fb)                    a fixed bias with Fb <= S is part of the integer sum
 *   v     = fround(acc * 2^-S)                the reference writes its f32 output: one rounding
 *                                             to 24 significant bits, ties to even
 *   v     = fround(v + b)                     an f32 bias (or a finer fixed one) is added in f32
 *   code  = Q_out(v)                          the quantizer of quantizer.ts
 *
 * The one inexact step, rounding a 31-bit integer to f32, is done in integer arithmetic
 * (lpc_i32_to_f32_rne), so it does not depend on how a GPU converts i32 to f32. Every later step
 * is exact in f32 (scaling by powers of two within the normal range), except the f32 bias add,
 * which is one correctly rounded f32 addition.
 *
 * With an f32 bias the reference sums acc * 2^-S + b in f64 before rounding to f32 once. When
 * |acc| < 2^24 that single rounding equals fround(fround(acc * 2^-S) + b) (both operands are f32
 * and f64 carries more than twice f32's precision), so the two agree bit for bit; beyond 2^24 the
 * results may differ by one f32 ulp before the output quantizer (see docs/wgsl.md).
 */

/** fround(a) for an i32 a: round to 24 significant bits, ties to even, in integer arithmetic. */
export const I32_TO_F32_RNE = helper(
  'lpc_i32_to_f32_rne',
  `fn lpc_i32_to_f32_rne(a: i32) -> f32 {
  let neg = a < 0i;
  // |a| as u32 (exact for -2^31 too)
  let m = select(bitcast<u32>(a), 0u - bitcast<u32>(a), neg);
  let len = 32u - countLeadingZeros(m);
  var r = m;
  if (len > 24u) {
    let s = len - 24u;
    let q = m >> s;
    let rem = m - (q << s);
    let half = 1u << (s - 1u);
    let up = rem > half || (rem == half && (q & 1u) == 1u);
    // at most 2^31 (m <= 2^31), with at most 24 significant bits
    r = (q + select(0u, 1u, up)) << s;
  }
  let f = f32(r); // exact: r fits f32's significand
  return select(f, -f, neg);
}`,
);

/** How a bias joins the exact sum, mirroring the accumulator analysis (src/passes/accumulator.ts). */
export type RequantBias =
  | { kind: 'none' }
  /** A fixed-point bias with fracBits <= S: its code, shifted to the accumulator's scale. */
  | { kind: 'code'; fracBits: number; code: Expr<'i32'> }
  /** An f32 bias, or a fixed one finer than the accumulator: its f32 value, added after rounding. */
  | { kind: 'f32'; value: Expr<'f32'> };

/** Whether a bias of type t enters the integer sum ('code') or is added in f32 ('f32'). */
export function biasJoins(t: NumberType, accFracBits: number): 'code' | 'f32' {
  return t.kind === 'fixed' && t.fracBits <= accFracBits ? 'code' : 'f32';
}

/** The accumulator plus an integer bias, still in the accumulator's scale. */
export function addBiasCode(acc: Expr<'i32'>, bias: { fracBits: number; code: Expr<'i32'> }, accFracBits: number): Expr<'i32'> {
  const shift = accFracBits - bias.fracBits;
  if (shift < 0) throw new Error(`a bias with ${bias.fracBits} fraction bits cannot join an accumulator with ${accFracBits}: add it in f32`);
  // A shift of 31 or more cannot keep a non-zero bias below 2^31; the analysis would choose f32.
  if (shift > 30) throw new Error(`bias shift ${shift} leaves no room in i32; this layer needs the f32 accumulator`);
  return wgsl('i32', shift === 0 ? `(${acc} + ${bias.code})` : `(${acc} + (${bias.code} << ${shift}u))`);
}

/** fround(acc * 2^-S) as f32: the value the reference's exact conv/dense writes (before any f32 bias). */
export function accumulatorToF32(b: ShaderBuilder, acc: Expr<'i32'>, accFracBits: number): Expr<'f32'> {
  if (!Number.isInteger(accFracBits) || accFracBits < 0 || accFracBits > 126) throw new RangeError(`accumulator scale 2^-${accFracBits} is out of range`);
  const fn = b.use(I32_TO_F32_RNE);
  return wgsl('f32', accFracBits === 0 ? `${fn}(${acc})` : `(${fn}(${acc}) * ${pow2F32(-accFracBits)})`);
}

/** The layer's f32 pre-activation from the exact accumulator and its bias. */
export function exactLayerValue(b: ShaderBuilder, acc: Expr<'i32'>, accFracBits: number, bias: RequantBias): Expr<'f32'> {
  switch (bias.kind) {
    case 'none':
      return accumulatorToF32(b, acc, accFracBits);
    case 'code':
      return accumulatorToF32(b, addBiasCode(acc, bias, accFracBits), accFracBits);
    case 'f32':
      return wgsl('f32', `(${accumulatorToF32(b, acc, accFracBits)} + ${bias.value})`);
  }
}

/**
 * The output code of an exact layer: Q_out(exactLayerValue(...)). `u` is the stochastic draw when
 * the output type rounds stochastically while training. An activation between the layer and its
 * quantizer (relu) applies to exactLayerValue's result; call quantize() on it yourself then.
 */
export function requantize(
  b: ShaderBuilder,
  spec: { acc: Expr<'i32'>; accFracBits: number; bias: RequantBias; out: FixedType; u?: Expr<'f32'> },
): Expr<'LpcQuant'> {
  return quantize(b, spec.out, exactLayerValue(b, spec.acc, spec.accFracBits, spec.bias), spec.u);
}
