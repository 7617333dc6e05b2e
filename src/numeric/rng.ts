/**
 * lpc's random number generator: counter-based and stateless (SEMANTICS.md section 2).
 *
 * Every draw is a pure function of (seed, step, stream, index), so any element can be drawn in any
 * order by any thread, and the CPU reference and the WGSL kernels get the same bits. Stochastic
 * rounding, dropout masks and weight fillers all draw from it.
 *
 * THE ALGORITHM (normative: the WGSL backend re-implements it with u32 arithmetic, bit for bit).
 * All arithmetic is on unsigned 32-bit integers; `+` and `*` wrap modulo 2^32, `>>` is a logical
 * shift. Inputs are first reduced to u32 (JavaScript ToUint32: `x >>> 0`, i.e. modulo 2^32).
 *
 *   mix(x):                        a bijection on u32 with full avalanche (MurmurHash3's finaliser)
 *     x = x ^ (x >> 16)
 *     x = x * 0x85EBCA6B
 *     x = x ^ (x >> 13)
 *     x = x * 0xC2B2AE35
 *     x = x ^ (x >> 16)
 *
 *   key schedule (once per tensor and step; chaining through mix keeps (seed, step, stream)
 *   order-sensitive, and the added constants keep an all-zero key away from mix's fixed point 0):
 *     k0   = mix(seed + 0x9E3779B9)
 *     k1   = mix(k0 ^ (step   + 0x6A09E667))
 *     keyA = mix(k1 ^ (stream + 0xBB67AE85))
 *     keyB = mix(keyA + 0x3C6EF372)
 *
 *   draw (per element; two keyed rounds, so two different keys give unrelated bijections of the
 *   counter rather than one sequence shifted or permuted by the key difference):
 *     x = mix(index ^ keyA)
 *     x = mix(x + keyB)
 *     rngU32 = x
 *
 *   rngUniform = (rngU32 >> 8) * 2^-24      in [0, 1) on the 2^-24 grid; exact in f32
 *
 * In WGSL: `fn lpc_mix(x: u32) -> u32` with the same lines (u32 `*` wraps), and the uniform as
 * `f32(x >> 8u) * 5.9604644775390625e-8`.
 *
 * Convention for keys: `step` is the training step (0 at the first step), `stream` identifies the
 * tensor being drawn for (the runtime's per-node stream id), `index` is the flat element index.
 */

const MIX_MUL_1 = 0x85ebca6b;
const MIX_MUL_2 = 0xc2b2ae35;
const SEED_OFFSET = 0x9e3779b9;
const STEP_OFFSET = 0x6a09e667;
const STREAM_OFFSET = 0xbb67ae85;
const KEY_B_OFFSET = 0x3c6ef372;

/** 2^-24: the spacing of rngUniform's grid. */
export const RNG_UNIFORM_STEP = 2 ** -24;

/** The avalanche round: a bijection u32 -> u32 (exported for tests and for WGSL golden values). */
export function rngMix(x: number): number {
  x >>>= 0;
  x ^= x >>> 16;
  x = Math.imul(x, MIX_MUL_1);
  x ^= x >>> 13;
  x = Math.imul(x, MIX_MUL_2);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The two round keys for one (seed, step, stream); a kernel computes these once per dispatch. */
export function rngKeys(seed: number, step: number, stream: number): { keyA: number; keyB: number } {
  const k0 = rngMix(((seed >>> 0) + SEED_OFFSET) >>> 0);
  const k1 = rngMix(k0 ^ (((step >>> 0) + STEP_OFFSET) >>> 0));
  const keyA = rngMix(k1 ^ (((stream >>> 0) + STREAM_OFFSET) >>> 0));
  const keyB = rngMix((keyA + KEY_B_OFFSET) >>> 0);
  return { keyA, keyB };
}

/** One draw from precomputed keys (the inner loop of a tensor-wide draw). */
export function rngDrawWithKeys(keyA: number, keyB: number, index: number): number {
  const x = rngMix((index >>> 0) ^ keyA);
  return rngMix((x + keyB) >>> 0);
}

/** A uniformly distributed u32 for element `index` of the stream keyed by (seed, step, stream). */
export function rngU32(seed: number, step: number, stream: number, index: number): number {
  const { keyA, keyB } = rngKeys(seed, step, stream);
  return rngDrawWithKeys(keyA, keyB, index);
}

/** A uniform number in [0, 1) on the 2^-24 grid: (rngU32(...) >>> 8) * 2^-24. */
export function rngUniform(seed: number, step: number, stream: number, index: number): number {
  return (rngU32(seed, step, stream, index) >>> 8) * RNG_UNIFORM_STEP;
}

/**
 * A drawing function for a whole tensor: `draw(i)` equals rngUniform(seed, step, stream, i), with
 * the key schedule computed once. Suits quantizeTensor's `draw` argument.
 */
export function uniformStream(seed: number, step: number, stream: number): (index: number) => number {
  const { keyA, keyB } = rngKeys(seed, step, stream);
  return (index) => (rngDrawWithKeys(keyA, keyB, index) >>> 8) * RNG_UNIFORM_STEP;
}
