import { storageLayout, wordCount } from '../../codegen/wgsl/lib/packing.js';
import { codeRange, type FixedType, type NumberType } from '../../numeric/number-type.js';
import { quantizeCodeCounted, type QuantizeStats } from '../../numeric/quantize.js';

/**
 * Host side of the storage layout (src/codegen/wgsl/lib/packing.ts): real values -> codes ->
 * 32-bit words for upload, and back for readback. Codes come from the reference quantizer
 * (quantizeCodeCounted), so a tensor uploaded here holds exactly the codes the CPU reference
 * computes; values that already are codes of the type keep them.
 */

/** Whether this host stores typed-array elements little-endian (every WebGPU platform does). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A view of `words` whose elements are the lanes in element order: on a little-endian host, word
 * i / lanes lane i % lanes is byte (or half-word) i of the buffer, so the layout reads as an
 * Int8Array / Int16Array / Int32Array and typed-array stores do the two's complement packing.
 * Undefined on a big-endian host, where the generic loops below serve.
 */
function laneView(words: Uint32Array, laneBits: 8 | 16 | 32, count: number): Int8Array | Int16Array | Int32Array | undefined {
  if (!LITTLE_ENDIAN) return undefined;
  const { buffer, byteOffset } = words;
  if (laneBits === 8) return new Int8Array(buffer, byteOffset, count);
  if (laneBits === 16) return new Int16Array(buffer, byteOffset, count);
  return new Int32Array(buffer, byteOffset, count);
}

/** Packs integer codes into words: 4 per word for 8-bit lanes, 2 for 16-bit, else one i32 each. */
export function packCodes(codes: ArrayLike<number>, t: NumberType): Uint32Array {
  const { lanes, laneBits } = storageLayout(t);
  const words = new Uint32Array(wordCount(t, codes.length));
  const lo = -(2 ** (laneBits - 1));
  const hi = 2 ** (laneBits - 1) - 1;
  const bad = (k: number, i: number) => new RangeError(`code ${k} at ${i} does not fit a ${laneBits}-bit lane`);
  const view = laneView(words, laneBits, codes.length);
  if (view) {
    for (let i = 0; i < codes.length; i++) {
      const k = codes[i];
      // (k | 0) === k: an integer within i32 (cheaper than Number.isInteger on this hot path)
      if ((k | 0) !== k || k < lo || k > hi) throw bad(k, i);
      view[i] = k;
    }
    return words;
  }
  const mask = laneBits === 32 ? 0xffffffff : 2 ** laneBits - 1;
  for (let i = 0; i < codes.length; i++) {
    const k = codes[i];
    if (!Number.isInteger(k) || k < lo || k > hi) throw bad(k, i);
    const lane = i % lanes;
    // Two's complement of k in the lane; >>> 0 keeps the word unsigned.
    words[(i - lane) / lanes] = (words[(i - lane) / lanes] | ((k & mask) << (lane * laneBits))) >>> 0;
  }
  return words;
}

/** The `count` codes of packed words, sign-extended from their lanes. */
export function unpackCodes(words: Uint32Array, t: NumberType, count: number): Int32Array {
  const { lanes, laneBits } = storageLayout(t);
  if (words.length < Math.ceil(count / lanes)) throw new RangeError(`${words.length} words cannot hold ${count} codes of ${laneBits} bits`);
  const view = laneView(words, laneBits, count);
  if (view) return Int32Array.from(view);
  const out = new Int32Array(count);
  const shiftBack = 32 - laneBits;
  for (let i = 0; i < count; i++) {
    const lane = i % lanes;
    const w = words[(i - lane) / lanes];
    // Move the lane to the top, then an arithmetic shift down sign-extends it.
    out[i] = ((w << (shiftBack - lane * laneBits)) | 0) >> shiftBack;
  }
  return out;
}

/** Real values k * 2^-F of codes of a fixed type (exact in f64). */
export function valuesOfCodes(codes: Int32Array, t: FixedType): Float64Array {
  const scale = 2 ** -t.fracBits;
  const out = new Float64Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = codes[i] * scale;
  return out;
}

/**
 * The codes of real values under type t. A value that already is a code of t (k * 2^-F with k in
 * range: a CPU reference tensor of that type) keeps its code exactly, even where W > 24 and the
 * value is not an f32; any other value goes through the reference quantizer, with `draw(i)` for
 * stochastic rounding (absent: nearest) and `stats` counting saturation and NaN.
 */
export function quantizeToCodes(values: ArrayLike<number>, t: FixedType, draw?: (i: number) => number, stats?: QuantizeStats): Int32Array {
  return quantizeInto(new Int32Array(values.length), values, t, draw, stats);
}

/** quantizeToCodes into `out` (a lane view holds every code of t: W <= its lane bits). */
function quantizeInto<A extends Int8Array | Int16Array | Int32Array>(out: A, values: ArrayLike<number>, t: FixedType, draw?: (i: number) => number, stats?: QuantizeStats): A {
  const { kmin, kmax } = codeRange(t);
  const scale = 2 ** t.fracBits;
  const stochastic = t.round === 'stochastic' && draw !== undefined;
  for (let i = 0; i < values.length; i++) {
    const k = values[i] * scale; // exact: a power-of-two scale of a double
    out[i] = (k | 0) === k && k >= kmin && k <= kmax ? k : quantizeCodeCounted(values[i], t, stochastic ? draw(i) : undefined, stats);
  }
  return out;
}

/** The words of a tensor of real values: f32 bits, i32 integers, or packed codes of a fixed type. */
export function encodeValues(values: ArrayLike<number>, t: NumberType, draw?: (i: number) => number, stats?: QuantizeStats): Uint32Array {
  switch (t.kind) {
    case 'f32':
      return new Uint32Array(Float32Array.from(values).buffer);
    case 'i32': {
      const ints = new Int32Array(values.length);
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (!Number.isInteger(v) || v < -(2 ** 31) || v >= 2 ** 31) throw new RangeError(`i32 tensor value ${v} at ${i} is not a 32-bit integer`);
        ints[i] = v;
      }
      return new Uint32Array(ints.buffer);
    }
    case 'fixed': {
      // Straight into the lanes where the host allows (one pass, no intermediate codes).
      const words = new Uint32Array(wordCount(t, values.length));
      const view = laneView(words, storageLayout(t).laneBits, values.length);
      if (!view) return packCodes(quantizeToCodes(values, t, draw, stats), t);
      quantizeInto(view, values, t, draw, stats);
      return words;
    }
  }
}

/** Real values of a tensor's words: f32 values, i32 integers, or k * 2^-F (exact in f64). */
export function decodeValues(words: Uint32Array, t: NumberType, count: number): Float64Array {
  switch (t.kind) {
    case 'f32':
      return Float64Array.from(new Float32Array(words.buffer, words.byteOffset, count));
    case 'i32':
      return Float64Array.from(new Int32Array(words.buffer, words.byteOffset, count));
    case 'fixed':
      return valuesOfCodes(unpackCodes(words, t, count), t);
  }
}

/** Whether every code is within the type's range (a readback sanity check for tests and `lpc diff`). */
export function codesInRange(codes: ArrayLike<number>, t: FixedType): boolean {
  // codeRange gives wrap the full two's complement range, which is where wrapped codes land
  const { kmin, kmax } = codeRange(t);
  for (let i = 0; i < codes.length; i++) if (codes[i] < kmin || codes[i] > kmax) return false;
  return true;
}
