import { codeRange, storageBits, packedBytes, widthOf, type NumberType } from '../../numeric/number-type.js';

/**
 * The `.lpw` weights file (docs/weights-format.md):
 *
 *   bytes 0..3   magic `LPW1`
 *   bytes 4..7   u32 little-endian: manifest length M in bytes
 *   bytes 8..    the manifest: UTF-8 JSON { format: 1, net?, tensors: [{ name, shape, type,
 *                encoding, offset, bytes }] }
 *   data section starts at the first multiple of 8 at or after 8 + M; every tensor's `offset`
 *                is relative to it, a multiple of 8, and its payload is `bytes` long.
 *
 * f32 tensors are little-endian float32 (encoding `f32`). Fixed-point tensors store integer codes
 * (encoding `packed`): each code sits in a lane of 8, 16 or 32 bits (W <= 8: 4 lanes per u32,
 * W <= 16: 2, else 1), lanes filled from the low bits of each little-endian u32, the code written
 * as its two's complement sign-extended to the lane. So a W <= 8 tensor reads as an Int8Array,
 * W <= 16 as an Int16Array, else as an Int32Array; the payload is padded with zero lanes to whole
 * u32 words. i32 tensors use the `packed` encoding with one i32 per value.
 */

export const LPW_MAGIC = 'LPW1';
export const LPW_FORMAT_VERSION = 1;
/** Magic plus the manifest length. */
export const LPW_HEADER_BYTES = 8;
export const LPW_ALIGN = 8;

export type LpwEncoding = 'f32' | 'packed';

export interface LpwManifestEntry {
  name: string;
  shape: number[];
  /** Canonical spelling (formatNumberType): `f32`, `i32`, `fixed<2, 6>`. */
  type: string;
  encoding: LpwEncoding;
  /** Bytes from the start of the data section; a multiple of 8. */
  offset: number;
  bytes: number;
}

export interface LpwManifest {
  format: typeof LPW_FORMAT_VERSION;
  net?: string;
  tensors: LpwManifestEntry[];
}

/**
 * One tensor as the file holds it, decoded to real values: f32 values, or k * 2^-F for the codes
 * of a fixed type (exact in f64).
 */
export interface StoredTensor {
  name: string;
  shape: number[];
  type: NumberType;
  data: Float64Array;
}

export interface LpwContents {
  net?: string;
  tensors: StoredTensor[];
}

export function alignUp(n: number, to = LPW_ALIGN): number {
  return Math.ceil(n / to) * to;
}

export function dataSectionStart(manifestBytes: number): number {
  return alignUp(LPW_HEADER_BYTES + manifestBytes);
}

export function encodingFor(t: NumberType): LpwEncoding {
  return t.kind === 'f32' ? 'f32' : 'packed';
}

/** Payload size of `count` values of type `t`: 4 bytes per f32, whole u32 words when packed. */
export function payloadBytes(t: NumberType, count: number): number {
  return t.kind === 'f32' ? 4 * count : packedBytes(t, count);
}

/** Bits of a code (W for fixed, 32 for i32), its fraction bits and the codes the type allows. */
export function codeLayout(t: NumberType): { width: number; fracBits: number; lane: 8 | 16 | 32; kmin: number; kmax: number } {
  if (t.kind === 'fixed') {
    const { kmin, kmax } = codeRange(t);
    return { width: widthOf(t), fracBits: t.fracBits, lane: storageBits(t), kmin, kmax };
  }
  return { width: 32, fracBits: 0, lane: 32, kmin: -(2 ** 31), kmax: 2 ** 31 - 1 };
}

/**
 * Writes codes sign-extended into their lanes at `view[at..]`. The caller has checked that every
 * code lies in the type's range; padding lanes up to the next u32 word stay zero.
 */
export function packCodes(codes: ArrayLike<number>, t: NumberType, view: DataView, at: number): void {
  const { lane } = codeLayout(t);
  const n = codes.length;
  if (lane === 8) for (let i = 0; i < n; i++) view.setInt8(at + i, codes[i]);
  else if (lane === 16) for (let i = 0; i < n; i++) view.setInt16(at + 2 * i, codes[i], true);
  else for (let i = 0; i < n; i++) view.setInt32(at + 4 * i, codes[i], true);
}

/**
 * Reads `count` codes from their lanes. Returns the first problem found instead of codes when a
 * lane holds a value outside the type's code range (which also catches stray bits above W, since
 * lanes are sign-extended) or a padding lane is not zero: both mean the bytes are corrupted.
 */
export function unpackCodes(
  view: DataView,
  at: number,
  count: number,
  t: NumberType,
): { codes: Int32Array } | { problem: string } {
  const { lane, kmin, kmax } = codeLayout(t);
  const bytesPerLane = lane / 8;
  const codes = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const p = at + i * bytesPerLane;
    const k = lane === 8 ? view.getInt8(p) : lane === 16 ? view.getInt16(p, true) : view.getInt32(p, true);
    if (k < kmin || k > kmax) {
      return { problem: `element ${i} has code ${k}, outside the type's codes ${kmin}..${kmax}` };
    }
    codes[i] = k;
  }
  const lanes = packedBytes(t, count) / bytesPerLane;
  for (let i = count; i < lanes; i++) {
    const p = at + i * bytesPerLane;
    const pad = lane === 8 ? view.getInt8(p) : lane === 16 ? view.getInt16(p, true) : view.getInt32(p, true);
    if (pad !== 0) return { problem: `padding after the last element is not zero` };
  }
  return { codes };
}
