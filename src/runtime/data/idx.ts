import { gunzipSync } from 'node:zlib';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import { RUNTIME_CODES } from '../codes.js';

/**
 * IDX files, the format of the MNIST data set: two zero bytes, a type byte, the number of
 * dimensions, each dimension as a big-endian u32, then the elements big-endian in row-major
 * order. Files are often distributed gzipped (`train-images-idx3-ubyte.gz`); gzip is recognised
 * by its magic bytes (1f 8b), not by the file name, and inflated with node:zlib.
 */

export type IdxElementType = 'u8' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64';

export const IDX_TYPE_CODES: Readonly<Record<number, IdxElementType>> = {
  0x08: 'u8',
  0x09: 'i8',
  0x0b: 'i16',
  0x0c: 'i32',
  0x0d: 'f32',
  0x0e: 'f64',
};

const ELEMENT_BYTES: Record<IdxElementType, number> = { u8: 1, i8: 1, i16: 2, i32: 4, f32: 4, f64: 8 };

export interface IdxData {
  elementType: IdxElementType;
  dims: number[];
  /** Elements as numbers (exact for every IDX element type). */
  data: Float64Array;
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Whether bytes start like an IDX header: two zero bytes, a known type byte, at least one dimension. */
export function looksLikeIdx(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] in IDX_TYPE_CODES && bytes[3] >= 1;
}

/** Inflates gzip bytes, or explains why they cannot be inflated. */
export function gunzipBytes(bytes: Uint8Array, file: string): { bytes: Uint8Array } | { diagnostic: Diagnostic } {
  try {
    const out = gunzipSync(bytes);
    return { bytes: new Uint8Array(out.buffer, out.byteOffset, out.byteLength) };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return {
      diagnostic: error(RUNTIME_CODES.IDX_BAD_GZIP, `${file}: the file starts like gzip but cannot be inflated (${reason})`, undefined, {
        hint: 'the download is incomplete or corrupted; fetch it again, or pass the unpacked file',
      }),
    };
  }
}

/** Decodes an IDX file (gzipped or not). Bad magic, a short or long file: diagnostics, never exceptions. */
export function decodeIdx(input: Uint8Array, file: string): { idx?: IdxData; diagnostics: Diagnostic[] } {
  let bytes = input;
  if (isGzip(bytes)) {
    const r = gunzipBytes(bytes, file);
    if ('diagnostic' in r) return { diagnostics: [r.diagnostic] };
    bytes = r.bytes;
  }
  const fail = (code: string, message: string, hint: string) => ({ diagnostics: [error(code, `${file}: ${message}`, undefined, { hint })] });
  const formatHint = 'IDX files start with 00 00, a type byte (08 u8, 09 i8, 0B i16, 0C i32, 0D f32, 0E f64) and the number of dimensions';
  if (bytes.length < 4) return fail(RUNTIME_CODES.IDX_TRUNCATED, `the file is ${bytes.length} bytes long, shorter than an IDX header`, formatHint);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    return fail(RUNTIME_CODES.IDX_BAD_MAGIC, 'not an IDX file: it does not start with two zero bytes', formatHint);
  }
  const elementType = IDX_TYPE_CODES[bytes[2]];
  if (!elementType) {
    return fail(RUNTIME_CODES.IDX_BAD_MAGIC, `not an IDX file: unknown element type byte 0x${bytes[2].toString(16).padStart(2, '0')}`, formatHint);
  }
  const rank = bytes[3];
  if (rank === 0) return fail(RUNTIME_CODES.IDX_BAD_MAGIC, 'not an IDX file: it declares 0 dimensions', formatHint);
  const headerBytes = 4 + 4 * rank;
  const cutShort = 'the file was cut short or is corrupted; download or write it again';
  if (bytes.length < headerBytes) {
    return fail(RUNTIME_CODES.IDX_TRUNCATED, `the header declares ${rank} dimensions but the file ends after ${bytes.length} bytes`, cutShort);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  const width = ELEMENT_BYTES[elementType];
  const expected = headerBytes + count * width;
  if (bytes.length !== expected) {
    const how = bytes.length < expected ? 'cut short' : 'followed by extra bytes';
    return fail(
      RUNTIME_CODES.IDX_TRUNCATED,
      `dimensions [${dims.join(', ')}] of ${elementType} need ${expected} bytes, the file has ${bytes.length} (${how})`,
      cutShort,
    );
  }
  const data = new Float64Array(count);
  const at = headerBytes;
  switch (elementType) {
    case 'u8':
      for (let i = 0; i < count; i++) data[i] = bytes[at + i];
      break;
    case 'i8':
      for (let i = 0; i < count; i++) data[i] = view.getInt8(at + i);
      break;
    case 'i16':
      for (let i = 0; i < count; i++) data[i] = view.getInt16(at + 2 * i, false);
      break;
    case 'i32':
      for (let i = 0; i < count; i++) data[i] = view.getInt32(at + 4 * i, false);
      break;
    case 'f32':
      for (let i = 0; i < count; i++) data[i] = view.getFloat32(at + 4 * i, false);
      break;
    case 'f64':
      for (let i = 0; i < count; i++) data[i] = view.getFloat64(at + 8 * i, false);
      break;
  }
  return { idx: { elementType, dims, data }, diagnostics: [] };
}
