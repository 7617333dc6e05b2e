import type { IdxElementType } from '../../../src/runtime/data/idx.js';

const TYPE_BYTES: Record<IdxElementType, [number, number]> = { u8: [0x08, 1], i8: [0x09, 1], i16: [0x0b, 2], i32: [0x0c, 4], f32: [0x0d, 4], f64: [0x0e, 8] };

/** Writes an IDX file the way the MNIST distribution does: big-endian header and elements. */
export function makeIdx(type: IdxElementType, dims: number[], values: number[]): Uint8Array {
  const [code, width] = TYPE_BYTES[type];
  const header = 4 + 4 * dims.length;
  const out = new Uint8Array(header + width * values.length);
  const v = new DataView(out.buffer);
  out[2] = code;
  out[3] = dims.length;
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  values.forEach((x, i) => {
    const at = header + width * i;
    if (type === 'u8') v.setUint8(at, x);
    else if (type === 'i8') v.setInt8(at, x);
    else if (type === 'i16') v.setInt16(at, x, false);
    else if (type === 'i32') v.setInt32(at, x, false);
    else if (type === 'f32') v.setFloat32(at, x, false);
    else v.setFloat64(at, x, false);
  });
  return out;
}

