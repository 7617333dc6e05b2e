/**
 * The quantizer Q of SEMANTICS.md section 2, the one definition every backend must match:
 *
 *   y = fround(fround(x) * 2^F)     the scale is a power of two, so this is exact in f32
 *   k = R(y)                        rounding applied to the f32 value y
 *   k = clamp(k, kmin, kmax)        in the float domain (wrap: the low W bits instead)
 *   Q(x) = k * 2^-F
 *
 * Decisions the text leaves to the implementation, fixed here:
 * - NaN quantizes to code 0 and is counted as `nan`; +Inf and -Inf go to kmax and kmin in every
 *   overflow mode (wrap cannot take the low bits of an infinity) and count as saturated.
 * - `stochastic` with no uniform draw `u` rounds with `nearest`: that is the inference rule.
 * - `saturated` counts every element whose rounded code fell outside [kmin, kmax] (for `wrap`:
 *   every element that wrapped).
 * - Codes are returned as +0, never -0, so `===` and Object.is agree on them.
 *
 * Everything is computed in f64 on values that are f32 to begin with: floor, y - floor(y) and the
 * +1 of rounding are exact there, exactly as they are in f32 on the GPU.
 */
import { codeRange, widthOf, type FixedType } from './number-type.js';

export interface QuantizeStats {
  /** Elements whose code was out of range (clamped, or wrapped in `wrap` mode), infinities included. */
  saturated: number;
  /** NaN inputs (quantized to 0). */
  nan: number;
}

export function emptyQuantizeStats(): QuantizeStats {
  return { saturated: 0, nan: 0 };
}

/** Half away from zero, given y's floor and (non-zero) fraction. */
function roundHalfAwayFromZero(y: number, fl: number, fr: number): number {
  if (fr > 0.5) return fl + 1;
  if (fr < 0.5) return fl;
  return y > 0 ? fl + 1 : fl; // at exactly .5 a negative y goes down, to fl
}

/** Rounds an f32 value y to an integer with the type's rounding mode (u: the stochastic draw). */
function roundScaled(y: number, t: FixedType, u: number | undefined): number {
  const fl = Math.floor(y);
  const fr = y - fl; // exact: y is f32, fl an integer no larger in magnitude than y + 1
  if (fr === 0) return fl;
  switch (t.round) {
    case 'floor':
      return fl;
    case 'zero':
      return y < 0 ? fl + 1 : fl;
    case 'nearest':
      return roundHalfAwayFromZero(y, fl, fr);
    case 'even':
      if (fr > 0.5) return fl + 1;
      if (fr < 0.5) return fl;
      return fl % 2 === 0 ? fl : fl + 1;
    case 'stochastic':
      // Up with probability fr: u is uniform on [0, 1), so P(u < fr) = fr on the 2^-24 grid.
      return u === undefined ? roundHalfAwayFromZero(y, fl, fr) : u < fr ? fl + 1 : fl;
  }
}

/** Low W bits of an integer-valued double, read as two's complement (exact for any magnitude). */
function wrapToWidth(k: number, w: number): number {
  const modulus = 2 ** w;
  let r = k % modulus; // fmod of doubles is exact
  if (r < 0) r += modulus;
  if (r >= modulus / 2) r -= modulus;
  return r;
}

/**
 * The integer code k of x, adding to `stats` (when given) if x was NaN or its code out of range.
 * The counting variant exists so tensor loops and the clipped straight-through estimator can
 * learn what happened to each element without a second pass.
 */
export function quantizeCodeCounted(x: number, t: FixedType, u: number | undefined, stats: QuantizeStats | undefined): number {
  if (Number.isNaN(x)) {
    if (stats) stats.nan++;
    return 0;
  }
  const { kmin, kmax } = codeRange(t);
  const y = Math.fround(Math.fround(x) * 2 ** t.fracBits);
  if (y === Infinity || y === -Infinity) {
    if (stats) stats.saturated++;
    return y > 0 ? kmax : kmin;
  }
  const k = roundScaled(y, t, u);
  if (k >= kmin && k <= kmax) return k + 0; // `+ 0` turns -0 into +0
  if (stats) stats.saturated++;
  if (t.overflow === 'wrap') return wrapToWidth(k, widthOf(t)) + 0;
  return k > kmax ? kmax : kmin;
}

/** The integer code k of x (u: the uniform draw for stochastic rounding). */
export function quantizeCode(x: number, t: FixedType, u?: number): number {
  return quantizeCodeCounted(x, t, u, undefined);
}

/** Q(x) = k * 2^-F, the real value of the code (exact in f64). */
export function quantizeValue(x: number, t: FixedType, u?: number): number {
  return quantizeCode(x, t, u) * 2 ** -t.fracBits;
}

/**
 * Quantizes a whole tensor. `draw(i)` supplies the uniform for element i when the type rounds
 * stochastically (e.g. uniformStream(seed, step, stream) from rng.ts); without it stochastic
 * types round with `nearest`. `stats`, when given, is incremented (so it can sum over tensors).
 */
export function quantizeTensor(src: Float64Array, t: FixedType, draw?: (i: number) => number, stats?: QuantizeStats): Float64Array {
  const out = new Float64Array(src.length);
  const scale = 2 ** -t.fracBits;
  const stochastic = t.round === 'stochastic' && draw !== undefined;
  for (let i = 0; i < src.length; i++) {
    out[i] = quantizeCodeCounted(src[i], t, stochastic ? draw(i) : undefined, stats) * scale;
  }
  return out;
}
