/**
 * Number types (SEMANTICS.md section 1). `fixed<I, F>`: signed two's complement, I integer bits
 * (sign included), F fraction bits, width W = I + F with 2 <= W <= 32, I >= 1, F >= 0.
 */
export type RoundMode = 'nearest' | 'even' | 'floor' | 'zero' | 'stochastic';
export type OverflowMode = 'saturate_symmetric' | 'saturate' | 'wrap';

export const ROUND_MODES: readonly RoundMode[] = ['nearest', 'even', 'floor', 'zero', 'stochastic'];
export const OVERFLOW_MODES: readonly OverflowMode[] = ['saturate_symmetric', 'saturate', 'wrap'];

export interface F32Type {
  kind: 'f32';
}
export interface I32Type {
  kind: 'i32';
}
export interface FixedType {
  kind: 'fixed';
  intBits: number;
  fracBits: number;
  round: RoundMode;
  overflow: OverflowMode;
}
export type NumberType = F32Type | I32Type | FixedType;

export const F32: F32Type = Object.freeze({ kind: 'f32' });
export const I32: I32Type = Object.freeze({ kind: 'i32' });

export function fixed(
  intBits: number,
  fracBits: number,
  round: RoundMode = 'nearest',
  overflow: OverflowMode = 'saturate_symmetric',
): FixedType {
  return { kind: 'fixed', intBits, fracBits, round, overflow };
}

export function isFixed(t: NumberType): t is FixedType {
  return t.kind === 'fixed';
}

/** Total bits W = I + F. */
export function widthOf(t: FixedType): number {
  return t.intBits + t.fracBits;
}

/** Why a fixed type is illegal, or undefined when it is legal. */
export function fixedTypeProblem(intBits: number, fracBits: number): string | undefined {
  if (!Number.isInteger(intBits) || !Number.isInteger(fracBits)) return 'integer and fraction bits must be integers';
  if (intBits < 1) return `integer bits I must be at least 1 (the sign bit), got ${intBits}`;
  if (fracBits < 0) return `fraction bits F must be at least 0, got ${fracBits}`;
  const w = intBits + fracBits;
  if (w < 2 || w > 32) return `width I + F must be between 2 and 32, got ${w}`;
  return undefined;
}

/** Smallest and largest integer codes k for the type's overflow mode (wrap uses the full range). */
export function codeRange(t: FixedType): { kmin: number; kmax: number } {
  const w = widthOf(t);
  const kmax = 2 ** (w - 1) - 1;
  const kmin = t.overflow === 'saturate_symmetric' ? -kmax : -(2 ** (w - 1));
  return { kmin, kmax };
}

/** Largest representable magnitude: kmax * 2^-F. */
export function maxAbs(t: FixedType): number {
  return codeRange(t).kmax * 2 ** -t.fracBits;
}

/** Bits one element occupies in packed storage: 8 for W <= 8, 16 for W <= 16, else 32. */
export function storageBits(t: NumberType): 8 | 16 | 32 {
  if (t.kind !== 'fixed') return 32;
  const w = widthOf(t);
  return w <= 8 ? 8 : w <= 16 ? 16 : 32;
}

/** Bytes for `count` elements packed (4 codes per u32 up to 8 bits, 2 up to 16), rounded up to whole u32 words. */
export function packedBytes(t: NumberType, count: number): number {
  const perWord = 32 / storageBits(t);
  return Math.ceil(count / perWord) * 4;
}

/** Canonical spelling: `f32`, `i32`, `fixed<2, 6>`, `fixed<4, 4, round: stochastic>` (defaults omitted). */
export function formatNumberType(t: NumberType): string {
  if (t.kind !== 'fixed') return t.kind;
  const opts: string[] = [];
  if (t.round !== 'nearest') opts.push(`round: ${t.round}`);
  if (t.overflow !== 'saturate_symmetric') opts.push(`overflow: ${t.overflow}`);
  return `fixed<${[String(t.intBits), String(t.fracBits), ...opts].join(', ')}>`;
}

export function sameNumberType(a: NumberType, b: NumberType): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind !== 'fixed' || b.kind !== 'fixed') return true;
  return a.intBits === b.intBits && a.fracBits === b.fracBits && a.round === b.round && a.overflow === b.overflow;
}
