import { Expr, asU32, wgsl, type U32Like } from './expr.js';
import { helper } from './helper.js';
import type { ShaderBuilder } from './shader-builder.js';

/**
 * lpc's counter-based generator (src/numeric/rng.ts, whose comment is the normative definition)
 * in WGSL with u32 arithmetic: `*` and `+` wrap modulo 2^32 and `>>` is logical on u32, exactly
 * the JavaScript Math.imul / `>>> 0` arithmetic of the reference, so every draw has the same bits.
 *
 * Kernels normally receive the two round keys of (seed, step, stream) as uniforms (the host
 * computes them once with rngKeys()), and draw element i with lpc_rng_uniform(keys, i). The key
 * schedule is available in WGSL too, for kernels that derive streams on the device.
 */
export const RNG_MIX = helper(
  'lpc_rng_mix',
  `fn lpc_rng_mix(x0: u32) -> u32 {
  var x = x0;
  x = x ^ (x >> 16u);
  x = x * 0x85ebca6bu;
  x = x ^ (x >> 13u);
  x = x * 0xc2b2ae35u;
  x = x ^ (x >> 16u);
  return x;
}`,
);

export const RNG_KEYS = helper(
  'lpc_rng_keys',
  `fn lpc_rng_keys(seed: u32, step: u32, stream: u32) -> vec2<u32> {
  let k0 = lpc_rng_mix(seed + 0x9e3779b9u);
  let k1 = lpc_rng_mix(k0 ^ (step + 0x6a09e667u));
  let key_a = lpc_rng_mix(k1 ^ (stream + 0xbb67ae85u));
  return vec2<u32>(key_a, lpc_rng_mix(key_a + 0x3c6ef372u));
}`,
  [RNG_MIX],
);

export const RNG_U32 = helper(
  'lpc_rng_u32',
  `fn lpc_rng_u32(keys: vec2<u32>, index: u32) -> u32 {
  return lpc_rng_mix(lpc_rng_mix(index ^ keys.x) + keys.y);
}`,
  [RNG_MIX],
);

export const RNG_UNIFORM = helper(
  'lpc_rng_uniform',
  `// in [0, 1) on the 2^-24 grid: a 24-bit integer times 2^-24, exact in f32
fn lpc_rng_uniform(keys: vec2<u32>, index: u32) -> f32 {
  return f32(lpc_rng_u32(keys, index) >> 8u) * 0x1p-24f;
}`,
  [RNG_U32],
);

/**
 * The keys of a dispatch's stream as uniform fields `<prefix>_key_a`, `<prefix>_key_b` (fill them
 * with rngKeys(seed, step, stream) from src/numeric/rng.ts) and an expression for the pair.
 */
export function rngKeyUniforms(b: ShaderBuilder, prefix = 'rng'): Expr<'vec2<u32>'> {
  const a = b.uniform(`${prefix}_key_a`, 'u32');
  const k = b.uniform(`${prefix}_key_b`, 'u32');
  return wgsl('vec2<u32>', `vec2<u32>(${a}, ${k})`);
}

/** rngKeys(seed, step, stream) computed in the shader. */
export function rngKeys(b: ShaderBuilder, seed: U32Like, step: U32Like, stream: U32Like): Expr<'vec2<u32>'> {
  b.use(RNG_KEYS);
  return wgsl('vec2<u32>', `lpc_rng_keys(${asU32(seed)}, ${asU32(step)}, ${asU32(stream)})`);
}

/** rngDrawWithKeys(keyA, keyB, index): a u32 draw. */
export function rngU32(b: ShaderBuilder, keys: Expr<'vec2<u32>'>, index: U32Like): Expr<'u32'> {
  b.use(RNG_U32);
  return wgsl('u32', `lpc_rng_u32(${keys}, ${asU32(index)})`);
}

/** The uniform draw in [0, 1) for element `index`, as rngUniform / uniformStream compute it. */
export function rngUniform(b: ShaderBuilder, keys: Expr<'vec2<u32>'>, index: U32Like): Expr<'f32'> {
  b.use(RNG_UNIFORM);
  return wgsl('f32', `lpc_rng_uniform(${keys}, ${asU32(index)})`);
}
