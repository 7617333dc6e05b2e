import { storageBits, type NumberType } from '../../../numeric/number-type.js';

/**
 * How a tensor of a number type lies in a GPU storage buffer (SEMANTICS.md section 1, the same
 * layout as the `.lpw` weights file, so packed weights upload without conversion):
 *
 *   f32            one f32 per element                         array<f32>
 *   i32            one i32 per element                         array<i32>
 *   fixed, W <= 8  four codes per u32 word, 8-bit lanes        array<u32>
 *   fixed, W <= 16 two codes per u32 word, 16-bit lanes        array<u32>
 *   fixed, W > 16  one code per element                        array<i32>
 *
 * Element i of a packed tensor sits in word i / lanes, lane i % lanes, bits [lane * bits, lane *
 * bits + bits) counted from the least significant bit, so on a little-endian host the buffer reads
 * as an Int8Array / Int16Array of codes. A code is stored as its two's complement in the whole
 * lane (sign-extended from W bits to 8 or 16), so unpacking is one signed `extractBits` of the
 * lane, whatever W is. Lanes past the last element are zero.
 */
export interface StorageLayout {
  /** Bits per element in storage: 8, 16 or 32. */
  laneBits: 8 | 16 | 32;
  /** Elements per 32-bit word: 4, 2 or 1. */
  lanes: 1 | 2 | 4;
  /** WGSL element type of the storage array. */
  element: 'f32' | 'i32' | 'u32';
  /** Whether elements are integer codes (fixed or i32) rather than f32 values. */
  integer: boolean;
}

export function storageLayout(t: NumberType): StorageLayout {
  if (t.kind === 'f32') return { laneBits: 32, lanes: 1, element: 'f32', integer: false };
  const bits = storageBits(t);
  if (bits === 32) return { laneBits: 32, lanes: 1, element: 'i32', integer: true };
  return { laneBits: bits, lanes: bits === 8 ? 4 : 2, element: 'u32', integer: true };
}

/** 32-bit words holding `count` elements. */
export function wordCount(t: NumberType, count: number): number {
  return Math.ceil(count / storageLayout(t).lanes);
}
