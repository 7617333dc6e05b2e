import { hasPackedDot, PACKED_DOT_FEATURE } from './capabilities.js';
import { Expr, asU32, wgsl, type U32Like } from './expr.js';
import { helper } from './helper.js';
import type { ShaderBuilder } from './shader-builder.js';

/**
 * The dot product of two words of four signed 8-bit codes (the packed layout of packing.ts, W <=
 * 8), as i32: exact, so an accumulation of these is the exact integer sum. Uses the WGSL builtin
 * dot4I8Packed when the implementation has the packed_4x8_integer_dot_product language feature
 * (lavapipe has it; it maps to one instruction where the hardware has one), and otherwise four
 * signed lane extracts and multiplies, which give the same value.
 */
export const DOT4_I8_PORTABLE = helper(
  'lpc_dot4_i8',
  `fn lpc_dot4_i8(a: u32, b: u32) -> i32 {
  let x = bitcast<i32>(a);
  let y = bitcast<i32>(b);
  return extractBits(x, 0u, 8u) * extractBits(y, 0u, 8u)
       + extractBits(x, 8u, 8u) * extractBits(y, 8u, 8u)
       + extractBits(x, 16u, 8u) * extractBits(y, 16u, 8u)
       + extractBits(x, 24u, 8u) * extractBits(y, 24u, 8u);
}`,
);

export const DOT4_I8_BUILTIN = helper(
  'lpc_dot4_i8_builtin',
  `fn lpc_dot4_i8_builtin(a: u32, b: u32) -> i32 {
  return dot4I8Packed(a, b);
}`,
  [],
  [PACKED_DOT_FEATURE],
);

/**
 * dot(a, b) over the four 8-bit lanes. `prefer: 'portable'` forces the fallback (tests compare
 * the two; a tuner may too).
 */
export function dot4I8(b: ShaderBuilder, x: U32Like, y: U32Like, prefer: 'auto' | 'portable' = 'auto'): Expr<'i32'> {
  const h = prefer === 'auto' && hasPackedDot(b.capabilities) ? DOT4_I8_BUILTIN : DOT4_I8_PORTABLE;
  b.use(h);
  return wgsl('i32', `${h.name}(${asU32(x)}, ${asU32(y)})`);
}
