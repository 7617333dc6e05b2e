import { error, type Diagnostic } from '../../diag/diagnostic.js';
import { formatNumberType, type NumberType } from '../../numeric/number-type.js';
import { sizeOf } from '../../numeric/tensor.js';
import { RUNTIME_CODES } from '../codes.js';
import { writeFileAtomic } from '../io/atomic-write.js';
import {
  LPW_FORMAT_VERSION,
  LPW_HEADER_BYTES,
  LPW_MAGIC,
  alignUp,
  codeLayout,
  dataSectionStart,
  encodingFor,
  packCodes,
  payloadBytes,
  type LpwContents,
  type LpwManifest,
  type StoredTensor,
} from './lpw-format.js';

/**
 * Integer codes of real values for a fixed-point (or i32) type, or why they have none: each value
 * must be exactly k * 2^-F with k in the type's range. The writer never rounds silently; callers
 * quantize first (quantizeTensor) when they mean to store quantized weights.
 */
export function codesOf(data: Float64Array, t: NumberType): { codes: Int32Array } | { problem: string } {
  const { fracBits, kmin, kmax } = codeLayout(t);
  const scale = 2 ** fracBits;
  const codes = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const k = data[i] * scale;
    if (!Number.isInteger(k) || k < kmin || k > kmax) {
      return { problem: `element ${i} (${data[i]}) is not a value of ${formatNumberType(t)}` };
    }
    codes[i] = k;
  }
  return { codes };
}

function checkTensor(t: StoredTensor, seen: Set<string>): Diagnostic | undefined {
  const code = RUNTIME_CODES.LPW_UNREPRESENTABLE;
  if (seen.has(t.name)) return error(RUNTIME_CODES.LPW_DUPLICATE_TENSOR, `two tensors named '${t.name}'`);
  seen.add(t.name);
  if (!t.shape.every((d) => Number.isInteger(d) && d >= 0)) {
    return error(code, `tensor '${t.name}' has an invalid shape [${t.shape.join(', ')}]`);
  }
  if (sizeOf(t.shape) !== t.data.length) {
    return error(code, `tensor '${t.name}' of shape [${t.shape.join(', ')}] has ${t.data.length} values, expected ${sizeOf(t.shape)}`);
  }
  return undefined;
}

/** Encodes tensors into `.lpw` bytes; fixed-point values that are not codes of their type are reported. */
export function encodeLpw(contents: LpwContents): { bytes: Uint8Array } | { diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const seen = new Set<string>();
  const codes = new Map<string, Int32Array>();
  for (const t of contents.tensors) {
    const d = checkTensor(t, seen);
    if (d) {
      diagnostics.push(d);
      continue;
    }
    if (encodingFor(t.type) === 'packed') {
      const r = codesOf(t.data, t.type);
      if ('problem' in r) {
        diagnostics.push(
          error(RUNTIME_CODES.LPW_UNREPRESENTABLE, `cannot store tensor '${t.name}' packed: ${r.problem}`, undefined, {
            hint: 'quantize it to its type first, or store it as f32',
          }),
        );
      } else codes.set(t.name, r.codes);
    }
  }
  if (diagnostics.length > 0) return { diagnostics };

  const manifest: LpwManifest = { format: LPW_FORMAT_VERSION, tensors: [] };
  if (contents.net !== undefined) manifest.net = contents.net;
  let offset = 0;
  for (const t of contents.tensors) {
    const bytes = payloadBytes(t.type, t.data.length);
    manifest.tensors.push({ name: t.name, shape: [...t.shape], type: formatNumberType(t.type), encoding: encodingFor(t.type), offset, bytes });
    offset = alignUp(offset + bytes);
  }
  const json = new TextEncoder().encode(JSON.stringify(manifest));
  const start = dataSectionStart(json.length);
  const out = new Uint8Array(start + offset);
  const view = new DataView(out.buffer);
  out.set(new TextEncoder().encode(LPW_MAGIC), 0);
  view.setUint32(4, json.length, true);
  out.set(json, LPW_HEADER_BYTES);
  contents.tensors.forEach((t, i) => {
    const at = start + manifest.tensors[i].offset;
    const packed = codes.get(t.name);
    if (packed) packCodes(packed, t.type, view, at);
    else for (let j = 0; j < t.data.length; j++) view.setFloat32(at + 4 * j, t.data[j], true);
  });
  return { bytes: out };
}

/** Encodes and writes a weights file atomically (temp file + rename). */
export function writeLpwFile(path: string, contents: LpwContents): Diagnostic[] {
  const r = encodeLpw(contents);
  if ('diagnostics' in r) return r.diagnostics.map((d) => ({ ...d, message: `${path}: ${d.message}` }));
  const d = writeFileAtomic(path, r.bytes);
  return d ? [d] : [];
}
