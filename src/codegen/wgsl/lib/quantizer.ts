import { codeRange, widthOf, type FixedType } from '../../../numeric/number-type.js';
import { Expr, asF32, i32Lit, pow2F32, wgsl, type F32Like } from './expr.js';
import { helper, type WgslHelper } from './helper.js';
import type { ShaderBuilder } from './shader-builder.js';

/**
 * The quantizer Q of SEMANTICS.md section 2 in WGSL, one function per fixed-point type, matching
 * src/numeric/quantize.ts code for code (tests compare with ===):
 *
 *   y = x * 2^F          exact in f32 (a power of two), +-Inf when it overflows
 *   k = R(y)             R in f32 arithmetic that is exact: floor, comparisons with floor + 1/2
 *   range                compared in the float domain against powers of two (exact in f32)
 *                        before any conversion to i32, so huge values never overflow it
 *
 * Where f32 hardware could differ from the reference, the WGSL avoids relying on it:
 * - NaN, infinities and subnormals are recognised from the bits (bitcast), not by comparisons a
 *   compiler may fold under no-NaN assumptions;
 * - a subnormal x may be flushed to zero by the GPU; its result is decided from its sign alone
 *   (|y| < 2^-94 for every F <= 31), which is what the reference computes;
 * - y - floor(y) is not always an f32 when y is in (-1, 0), so ties compare y with floor(y) + 1/2
 *   and stochastic rounding there compares u - 1 < y (see roundingLine);
 * - `nearest` is half away from zero written out (WGSL round() is half to even).
 *
 * The function returns LpcQuant { code, status }: status 0 in range, 1 saturated (clamped, wrapped
 * or infinite), 2 NaN, the same events QuantizeStats counts; countQuantStatus() adds them to a
 * stats buffer. A stochastic type takes the uniform draw `u` (rng.ts) as a second argument when
 * the kernel draws (training); without a draw it rounds with `nearest`, the inference rule.
 */

export const QUANT_RESULT = helper(
  'LpcQuant',
  `struct LpcQuant {
  code: i32,
  // 0: in range, 1: saturated (clamped, wrapped or infinite), 2: NaN (code 0)
  status: u32,
}`,
);

/** Low w bits, two's complement, of a finite integer-valued f32 of any magnitude (wrap overflow). */
export const WRAP_INT_F32 = helper(
  'lpc_wrap_int_f32',
  `fn lpc_wrap_int_f32(k: f32, w: u32) -> i32 {
  var low: u32;
  if (abs(k) < 0x1p31f) {
    low = bitcast<u32>(i32(k));
  } else {
    // |k| >= 2^31: k = +-mant * 2^shift with a 24-bit mant and shift >= 8; bits below 2^32 survive
    let bits = bitcast<u32>(k);
    let shift = ((bits >> 23u) & 0xffu) - 150u;
    let mant = (bits & 0x7fffffu) | 0x800000u;
    low = select(0u, mant << min(shift, 31u), shift < 32u);
    if ((bits >> 31u) == 1u) { low = 0u - low; }
  }
  return extractBits(bitcast<i32>(low), 0u, w);
}`,
);

const ROUND_TAG = { nearest: 'nearest', even: 'even', floor: 'floor', zero: 'zero', stochastic: 'stoch' } as const;
const OVERFLOW_TAG = { saturate_symmetric: 'sym', saturate: 'sat', wrap: 'wrap' } as const;

/** A name fragment that identifies a fixed type completely: `i4f4_nearest_sym`. */
export function fixedTypeTag(t: FixedType): string {
  return `i${t.intBits}f${t.fracBits}_${ROUND_TAG[t.round]}_${OVERFLOW_TAG[t.overflow]}`;
}

/**
 * The quantizer function for type t. `draws`: the function takes the stochastic draw `u` (only
 * meaningful for stochastic types; other types ignore the flag).
 */
export function quantizerHelper(t: FixedType, draws: boolean): WgslHelper {
  const withU = draws && t.round === 'stochastic';
  const name = `lpc_quant_${fixedTypeTag(t)}${withU ? '_u' : ''}`;
  const w = widthOf(t);
  const { kmin, kmax } = codeRange(t);
  const half = pow2F32(w - 1); // 2^(W-1): k >= half is above kmax for every overflow mode
  const round = t.round === 'stochastic' && !withU ? 'nearest' : t.round;
  const deps = [QUANT_RESULT, ...(t.overflow === 'wrap' ? [WRAP_INT_F32] : [])];
  const lines = [
    `fn ${name}(x: f32${withU ? ', u: f32' : ''}) -> LpcQuant {`,
    `  let bits = bitcast<u32>(x);`,
    `  let mag = bits & 0x7fffffffu;`,
    `  if (mag > 0x7f800000u) { return LpcQuant(0i, 2u); }`,
    `  if (mag < 0x00800000u && mag != 0u) { return LpcQuant(${subnormalCode(round, withU)}, 0u); }`,
    `  let y = x${t.fracBits > 0 ? ` * ${pow2F32(t.fracBits)}` : ''};`,
    `  if ((bitcast<u32>(y) & 0x7fffffffu) == 0x7f800000u) { return LpcQuant(select(${i32Lit(kmin)}, ${i32Lit(kmax)}, y > 0.0), 1u); }`,
    `  let fl = floor(y);`,
    `  ${roundingLine(round)}`,
  ];
  if (t.overflow === 'wrap') {
    lines.push(`  if (k >= ${half} || k < -${half}) { return LpcQuant(lpc_wrap_int_f32(k, ${w}u), 1u); }`);
  } else {
    const below = t.overflow === 'saturate_symmetric' ? `k <= -${half}` : `k < -${half}`;
    lines.push(`  if (k >= ${half}) { return LpcQuant(${i32Lit(kmax)}, 1u); }`, `  if (${below}) { return LpcQuant(${i32Lit(kmin)}, 1u); }`);
  }
  lines.push(`  return LpcQuant(i32(k), 0u);`, `}`);
  return helper(name, lines.join('\n'), deps);
}

/** The code of a subnormal x (|y| < 1, so only the sign and the mode matter). */
function subnormalCode(round: FixedType['round'], withU: boolean): string {
  if (round === 'floor') return 'select(0i, -1i, (bits >> 31u) == 1u)';
  // Up only when u < y: y is a tiny positive number and u is on the 2^-24 grid, so only u == 0.
  if (round === 'stochastic' && withU) return 'select(0i, 1i, (bits >> 31u) == 0u && u == 0.0)';
  return '0i';
}

/**
 * `let k = ...;` for the rounding mode, from y and fl = floor(y). Ties and halves are decided by
 * comparing y with fl + 0.5, which is exact whenever y is not an integer (|y| < 2^23), rather than
 * y - fl with 0.5: for y in (-1, 0), y - fl = 1 + y is not always an f32 (y = -(0.5 - 2^-25)
 * gives 0.5 + 2^-25, which rounds to 0.5), while the reference computes it exactly in f64.
 */
function roundingLine(round: FixedType['round']): string {
  switch (round) {
    case 'floor':
      return 'let k = fl;';
    case 'zero':
      return 'let k = select(fl, fl + 1.0, y < 0.0 && y != fl);';
    case 'nearest':
      return 'let k = select(fl, fl + 1.0, y != fl && (y > fl + 0.5 || (y == fl + 0.5 && y > 0.0)));';
    case 'even':
      // fl's parity in f32 is exact: a tie implies |fl| < 2^23.
      return 'let k = select(fl, fl + 1.0, y != fl && (y > fl + 0.5 || (y == fl + 0.5 && fl - 2.0 * floor(fl * 0.5) != 0.0)));';
    case 'stochastic':
      // Up when u < y - fl. That difference is exact in f32 except for y in (-1, 0), where
      // u < 1 + y is tested as u - 1 < y (u - 1 is exact: u is on the 2^-24 grid).
      return 'let k = select(fl, fl + 1.0, y != fl && select(u < y - fl, u - 1.0 < y, fl == -1.0));';
  }
}

/**
 * Calls the quantizer of t on x. Pass `u` (a uniform draw from rng.ts) to round a stochastic type
 * stochastically; without it a stochastic type rounds with `nearest` (inference).
 */
export function quantize(b: ShaderBuilder, t: FixedType, x: F32Like, u?: Expr<'f32'>): Expr<'LpcQuant'> {
  if (u && t.round !== 'stochastic') throw new Error(`a uniform draw was given for ${fixedTypeTag(t)}, which does not round stochastically`);
  const fn = b.use(quantizerHelper(t, u !== undefined));
  return wgsl('LpcQuant', `${fn}(${asF32(x)}${u ? `, ${u}` : ''})`);
}

/** The code alone: quantize(...).code. */
export function quantizeCode(b: ShaderBuilder, t: FixedType, x: F32Like, u?: Expr<'f32'>): Expr<'i32'> {
  return wgsl('i32', `${quantize(b, t, x, u)}.code`);
}

/** The real value of a code, k * 2^-F, as f32 (exact when W <= 24, f32's significand). */
export function codeValue(t: FixedType, code: Expr<'i32'>): Expr<'f32'> {
  return wgsl('f32', t.fracBits > 0 ? `(f32(${code}) * ${pow2F32(-t.fracBits)})` : `f32(${code})`);
}

/** Q(x) as an f32 value. */
export function quantizeValue(b: ShaderBuilder, t: FixedType, x: F32Like, u?: Expr<'f32'>): Expr<'f32'> {
  return codeValue(t, quantizeCode(b, t, x, u));
}

export const QUANT_STATS_BINDING = 'lpc_qstats';

const COUNT_QUANT = helper(
  'lpc_count_quant',
  `fn lpc_count_quant(status: u32) {
  // atomics only on the rare events, so counting costs nothing on the common path
  if (status == 1u) { atomicAdd(&${QUANT_STATS_BINDING}[0], 1u); }
  else if (status == 2u) { atomicAdd(&${QUANT_STATS_BINDING}[1], 1u); }
}`,
);

/**
 * Statement: adds a quantizer status to the kernel's stats buffer `lpc_qstats` (two u32 counters,
 * [saturated, nan], the fields of QuantizeStats), declaring the binding on first use. The buffer
 * accumulates across dispatches until the runtime clears it.
 */
export function countQuantStatus(b: ShaderBuilder, status: Expr<'u32'>): string {
  if (!b.uses(COUNT_QUANT.name)) b.storageBuffer(QUANT_STATS_BINDING, 'atomic<u32>', 'read_write', 2, true);
  b.use(COUNT_QUANT);
  return `lpc_count_quant(${status});`;
}
