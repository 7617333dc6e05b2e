import protobuf from 'protobufjs';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import type { Span } from '../../diag/span.js';
import { FIELD, v1LayerTypeName } from './caffe-schema.js';
import { V1_TYPE_NAMES } from './upgrade-v1.js';

/**
 * Reads the weights of a binary .caffemodel (a NetParameter) one layer at a time: the reader walks
 * the top-level repeated `layer` (V2, field 100) or `layers` (V1, field 2) entries and decodes only
 * what weights need (name, type, blobs, and ADaPTION's field 147), copying each blob's floats
 * straight from the buffer into a Float32Array. Nothing else of the layer is materialised, and
 * each layer is handed to the caller and dropped, so a 500 MB VGG16 file is never held twice.
 *
 * Field 147 of LayerParameter is `lpfp_param` in ADaPTION files and `swish_param` in BVLC Caffe.
 * classifyField147 tells them apart by shape: SwishParameter has only field 1 as a 32-bit float
 * (wire type 5); LowPrecisionFPParameter has varint fields 1-4 (bd, ad, round_bias,
 * rounding_scheme). An empty sub-message is decided by the layer type (LP* layers: lpfp).
 */

export interface BlobData {
  shape: number[];
  data: Float32Array;
  /** True when the shape came from legacy num/channels/height/width. */
  legacyShape: boolean;
}

export interface LowPrecisionParam {
  bd?: number;
  ad?: number;
  roundBias?: boolean;
  roundingScheme?: 'DETERMINISTIC' | 'STOCHASTIC';
}

export interface ModelLayer {
  name: string;
  type: string;
  blobs: BlobData[];
  /** Field 147 when it has the shape of ADaPTION's lpfp_param. */
  lpfp?: LowPrecisionParam;
  /** What field 147 held, when present. */
  field147?: 'lpfp' | 'swish' | 'empty';
  /** Byte offset of the layer in the file, for diagnostics. */
  offset: number;
}

const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (v && typeof v === 'object' && 'toNumber' in v && typeof (v as { toNumber: unknown }).toNumber === 'function') {
    return (v as { toNumber(): number }).toNumber();
  }
  return Number(v);
}

/** Thrown inside the reader only; turned into an LPC4200 diagnostic by readCaffemodelLayers. */
class CorruptModel extends Error {}

function limit(r: protobuf.Reader, what: string): number {
  const len = r.uint32();
  const end = r.pos + len;
  if (end > r.len) throw new CorruptModel(`${what} claims ${len} bytes but the file ends ${r.len - r.pos} bytes later`);
  return end;
}

function copyFloats(r: protobuf.Reader, end: number, bytesPer: 4 | 8): Float32Array {
  const n = end - r.pos;
  if (n % bytesPer !== 0) throw new CorruptModel(`packed ${bytesPer === 4 ? 'float' : 'double'} data of ${n} bytes is not a whole number of values`);
  const src = r.buf.subarray(r.pos, end);
  r.pos = end;
  if (bytesPer === 4) {
    const out = new Float32Array(n / 4);
    new Uint8Array(out.buffer).set(src);
    return out;
  }
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  const out = new Float32Array(n / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

function concatFloats(parts: Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0];
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function readShape(r: protobuf.Reader, end: number): number[] {
  const dims: number[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag >>> 3 === FIELD.blobShape.dim && (tag & 7) === WIRE.bytes) {
      const e = limit(r, 'a packed shape');
      while (r.pos < e) dims.push(toNumber(r.int64()));
    } else if (tag >>> 3 === FIELD.blobShape.dim && (tag & 7) === WIRE.varint) {
      dims.push(toNumber(r.int64()));
    } else {
      r.skipType(tag & 7);
    }
  }
  return dims;
}

function readBlob(r: protobuf.Reader, end: number): BlobData {
  let shape: number[] | undefined;
  const legacy = [0, 0, 0, 0];
  let hasLegacy = false;
  const floats: Float32Array[] = [];
  const doubles: Float32Array[] = [];
  const single: number[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === FIELD.blob.shape && wt === WIRE.bytes) shape = readShape(r, limit(r, 'a blob shape'));
    else if (field === FIELD.blob.data && wt === WIRE.bytes) floats.push(copyFloats(r, limit(r, 'blob data'), 4));
    else if (field === FIELD.blob.data && wt === WIRE.fixed32) single.push(r.float());
    else if (field === FIELD.blob.doubleData && wt === WIRE.bytes) doubles.push(copyFloats(r, limit(r, 'blob double_data'), 8));
    else if (field === FIELD.blob.doubleData && wt === WIRE.fixed64) single.push(Math.fround(r.double()));
    else if (field >= FIELD.blob.num && field <= FIELD.blob.width && wt === WIRE.varint) {
      legacy[field - FIELD.blob.num] = r.int32();
      hasLegacy = true;
    } else r.skipType(wt);
  }
  if (r.pos !== end) throw new CorruptModel('a blob runs past its declared length');
  if (single.length > 0) floats.push(Float32Array.from(single));
  const data = floats.length > 0 ? concatFloats(floats) : concatFloats(doubles.length > 0 ? doubles : [new Float32Array(0)]);
  if (shape) return { shape, data, legacyShape: false };
  return { shape: hasLegacy ? legacy : [data.length], data, legacyShape: hasLegacy };
}

/** Which message field 147 holds (see the file comment). */
export function classifyField147(bytes: Uint8Array): { kind: 'lpfp' | 'swish' | 'empty' | 'unknown'; lpfp?: LowPrecisionParam } {
  if (bytes.length === 0) return { kind: 'empty' };
  const r = protobuf.Reader.create(bytes);
  const lp: LowPrecisionParam = {};
  let floatField1 = false;
  let varints = false;
  try {
    while (r.pos < r.len) {
      const tag = r.uint32();
      const field = tag >>> 3;
      const wt = tag & 7;
      if (field === 1 && wt === WIRE.fixed32) {
        floatField1 = true;
        r.skipType(wt);
      } else if (field >= 1 && field <= 4 && wt === WIRE.varint) {
        varints = true;
        const v = r.uint32();
        if (field === FIELD.lpfp.bd) lp.bd = v;
        else if (field === FIELD.lpfp.ad) lp.ad = v;
        else if (field === FIELD.lpfp.roundBias) lp.roundBias = v !== 0;
        else lp.roundingScheme = v === 1 ? 'STOCHASTIC' : 'DETERMINISTIC';
      } else r.skipType(wt);
    }
  } catch {
    return { kind: 'unknown' };
  }
  if (floatField1 && !varints) return { kind: 'swish' };
  if (varints && !floatField1) return { kind: 'lpfp', lpfp: lp };
  return { kind: 'unknown' };
}

function readLayer(r: protobuf.Reader, end: number, v1: boolean, offset: number): ModelLayer {
  const f = v1 ? FIELD.v1layer : FIELD.layer;
  const layer: ModelLayer = { name: '', type: '', blobs: [], offset };
  let raw147: Uint8Array | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (field === f.name && wt === WIRE.bytes) layer.name = r.string();
    else if (!v1 && field === FIELD.layer.type && wt === WIRE.bytes) layer.type = r.string();
    else if (v1 && field === FIELD.v1layer.type && wt === WIRE.varint) {
      const code = r.int32();
      const enumName = v1LayerTypeName(code);
      layer.type = enumName ? (V1_TYPE_NAMES[enumName] ?? enumName) : `V1 type ${code}`;
    } else if (field === f.blobs && wt === WIRE.bytes) layer.blobs.push(readBlob(r, limit(r, `a blob of layer "${layer.name}"`)));
    else if (!v1 && field === FIELD.layer.lpfp && wt === WIRE.bytes) {
      const e = limit(r, 'field 147');
      raw147 = r.buf.subarray(r.pos, e);
      r.pos = e;
    } else r.skipType(wt);
  }
  if (r.pos !== end) throw new CorruptModel(`layer "${layer.name}" runs past its declared length`);
  if (raw147) {
    const c = classifyField147(raw147);
    const isLp = layer.type.startsWith('LP');
    if (c.kind === 'lpfp' || (c.kind === 'empty' && isLp)) {
      layer.field147 = c.kind === 'empty' ? 'empty' : 'lpfp';
      layer.lpfp = c.lpfp ?? {};
    } else if (c.kind === 'swish' || c.kind === 'empty') layer.field147 = c.kind;
  }
  return layer;
}

function fileSpan(file: string, offset: number): Span {
  // Binary files have no lines; the column carries the byte offset + 1 so the location is still exact.
  return { file, start: { offset, line: 1, col: offset + 1 }, end: { offset, line: 1, col: offset + 1 } };
}

/**
 * Yields the layers of a caffemodel in file order. A truncated or corrupt file ends the walk with
 * an LPC4200 diagnostic (pushed to `diags`) naming the byte offset; layers read before it were
 * already yielded. Never throws.
 */
export function* readCaffemodelLayers(bytes: Uint8Array, file: string, diags: Diagnostic[]): Generator<ModelLayer> {
  const r = protobuf.Reader.create(bytes);
  let count = 0;
  let at = 0;
  while (true) {
    let layer: ModelLayer | undefined;
    try {
      if (r.pos >= r.len) break;
      at = r.pos;
      const tag = r.uint32();
      const field = tag >>> 3;
      const wt = tag & 7;
      if (field === 0) throw new CorruptModel('field number 0 is not valid protobuf');
      if ((field === FIELD.net.layer || field === FIELD.net.layers) && wt === WIRE.bytes) {
        const end = limit(r, 'a layer');
        layer = readLayer(r, end, field === FIELD.net.layers, at);
      } else {
        r.skipType(wt);
      }
    } catch (e) {
      const why = e instanceof CorruptModel ? e.message : e instanceof Error ? e.message : String(e);
      diags.push(
        error('LPC4200', `${file} is not a readable caffemodel: ${why} (at byte ${at}, after ${count} layer${count === 1 ? '' : 's'})`, fileSpan(file, at), {
          hint: 'the file is truncated or corrupt, or not a binary Caffe NetParameter (a prototxt is text: pass it as the net instead)',
        }),
      );
      return;
    }
    if (layer) {
      count++;
      yield layer;
    }
  }
}
