import { error, type Diagnostic } from '../../diag/diagnostic.js';
import { formatNumberType } from '../../numeric/number-type.js';
import { sizeOf } from '../../numeric/tensor.js';
import { RUNTIME_CODES } from '../codes.js';
import { readBytes } from '../io/read-file.js';
import {
  LPW_ALIGN,
  LPW_FORMAT_VERSION,
  LPW_HEADER_BYTES,
  LPW_MAGIC,
  codeLayout,
  dataSectionStart,
  encodingFor,
  payloadBytes,
  unpackCodes,
  type LpwContents,
  type LpwManifestEntry,
  type StoredTensor,
} from './lpw-format.js';
import { parseTypeSpelling } from './type-spelling.js';

/**
 * Reads `.lpw` bytes. Every way a file can be damaged (wrong magic, cut short, bad JSON, a
 * manifest entry of the wrong kind, data outside the file, codes out of range) is a diagnostic
 * naming the file; nothing throws. The contents come back only when there is no error.
 */
export function decodeLpw(bytes: Uint8Array, file: string): { contents?: LpwContents; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const fail = (code: string, message: string, hint?: string) => {
    diagnostics.push(error(code, `${file}: ${message}`, undefined, hint ? { hint } : {}));
    return { diagnostics };
  };
  const corrupted = 'the file is corrupted or was cut short; write it again';

  const magic = new TextEncoder().encode(LPW_MAGIC);
  const head = bytes.subarray(0, Math.min(bytes.length, magic.length));
  if (!head.every((b, i) => b === magic[i])) {
    return fail(RUNTIME_CODES.LPW_BAD_MAGIC, 'not an lpc weights file (it does not start with `LPW1`)', 'pass a .lpw file written by `lpc init-weights` or by training');
  }
  if (bytes.length < LPW_HEADER_BYTES) return fail(RUNTIME_CODES.LPW_TRUNCATED, `the file is ${bytes.length} bytes long, shorter than its 8-byte header`, corrupted);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const manifestLength = view.getUint32(4, true);
  if (LPW_HEADER_BYTES + manifestLength > bytes.length) {
    return fail(
      RUNTIME_CODES.LPW_TRUNCATED,
      `the manifest is ${manifestLength} bytes long but the file ends after ${bytes.length - LPW_HEADER_BYTES} more bytes`,
      corrupted,
    );
  }

  let manifest: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(LPW_HEADER_BYTES, LPW_HEADER_BYTES + manifestLength));
    manifest = JSON.parse(text);
  } catch (e) {
    const reason = e instanceof SyntaxError ? e.message : 'it is not valid UTF-8';
    return fail(RUNTIME_CODES.LPW_BAD_MANIFEST_JSON, `the manifest is not valid JSON: ${reason}`, corrupted);
  }
  const entries = checkManifest(manifest, (m) => fail(RUNTIME_CODES.LPW_BAD_MANIFEST, m, 'the file is corrupted or was written by another tool; see docs/weights-format.md'));
  if (!entries) return { diagnostics };

  const dataStart = dataSectionStart(manifestLength);
  const tensors: StoredTensor[] = [];
  const names = new Set<string>();
  for (const e of entries.tensors) {
    if (names.has(e.name)) {
      fail(RUNTIME_CODES.LPW_DUPLICATE_TENSOR, `the manifest lists tensor '${e.name}' twice`, corrupted);
      continue;
    }
    names.add(e.name);
    const t = decodeTensor(e, view, dataStart, bytes.length, fail);
    if (t) tensors.push(t);
  }
  if (diagnostics.length > 0) return { diagnostics };
  return { contents: entries.net === undefined ? { tensors } : { net: entries.net, tensors }, diagnostics };
}

type Fail = (code: string, message: string, hint?: string) => unknown;

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Checks the manifest's structure, reporting each bad entry; undefined when anything is wrong. */
function checkManifest(m: unknown, fail: (message: string) => unknown): { net?: string; tensors: LpwManifestEntry[] } | undefined {
  if (typeof m !== 'object' || m === null || Array.isArray(m)) {
    fail('the manifest is not a JSON object');
    return undefined;
  }
  const obj = m as Record<string, unknown>;
  if (obj.format !== LPW_FORMAT_VERSION) {
    fail(`the manifest has format ${JSON.stringify(obj.format)}; this lpc reads format ${LPW_FORMAT_VERSION}`);
    return undefined;
  }
  if (obj.net !== undefined && typeof obj.net !== 'string') {
    fail('the manifest field `net` is not a string');
    return undefined;
  }
  if (!Array.isArray(obj.tensors)) {
    fail('the manifest has no `tensors` list');
    return undefined;
  }
  let ok = true;
  obj.tensors.forEach((raw: unknown, i: number) => {
    const what = `tensor entry ${i}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      fail(`${what} is not an object`);
      ok = false;
      return;
    }
    const e = raw as Record<string, unknown>;
    const problems: string[] = [];
    if (typeof e.name !== 'string' || e.name === '') problems.push('`name` is not a non-empty string');
    if (!Array.isArray(e.shape) || !e.shape.every(isCount)) problems.push('`shape` is not a list of non-negative integers');
    if (typeof e.type !== 'string') problems.push('`type` is not a string');
    if (e.encoding !== 'f32' && e.encoding !== 'packed') problems.push('`encoding` is not "f32" or "packed"');
    if (!isCount(e.offset)) problems.push('`offset` is not a non-negative integer');
    if (!isCount(e.bytes)) problems.push('`bytes` is not a non-negative integer');
    if (problems.length > 0) {
      const label = typeof e.name === 'string' && e.name !== '' ? `${what} ('${e.name}')` : what;
      fail(`${label}: ${problems.join('; ')}`);
      ok = false;
    }
  });
  if (!ok) return undefined;
  return { net: obj.net as string | undefined, tensors: obj.tensors as LpwManifestEntry[] };
}

function decodeTensor(e: LpwManifestEntry, view: DataView, dataStart: number, fileLength: number, fail: Fail): StoredTensor | undefined {
  const corrupted = 'the file is corrupted or was cut short; write it again';
  const parsed = parseTypeSpelling(e.type);
  if ('problem' in parsed) {
    fail(RUNTIME_CODES.LPW_BAD_TYPE, `tensor '${e.name}': ${parsed.problem}`, 'types are spelled f32, i32 or fixed<I, F> with optional round: and overflow:');
    return undefined;
  }
  const type = parsed.type;
  const expectedEncoding = encodingFor(type);
  if (e.encoding !== expectedEncoding) {
    fail(RUNTIME_CODES.LPW_BAD_TYPE, `tensor '${e.name}' of type ${formatNumberType(type)} has encoding "${e.encoding}"; that type is stored "${expectedEncoding}"`, corrupted);
    return undefined;
  }
  const count = sizeOf(e.shape);
  const expectedBytes = payloadBytes(type, count);
  if (e.bytes !== expectedBytes) {
    fail(RUNTIME_CODES.LPW_BAD_EXTENT, `tensor '${e.name}' of shape [${e.shape.join(', ')}] needs ${expectedBytes} bytes but the manifest says ${e.bytes}`, corrupted);
    return undefined;
  }
  if (e.offset % LPW_ALIGN !== 0) {
    fail(RUNTIME_CODES.LPW_BAD_EXTENT, `tensor '${e.name}' starts at offset ${e.offset}, which is not a multiple of ${LPW_ALIGN}`, corrupted);
    return undefined;
  }
  const at = dataStart + e.offset;
  if (at + e.bytes > fileLength) {
    fail(RUNTIME_CODES.LPW_BAD_EXTENT, `tensor '${e.name}' needs bytes ${at}..${at + e.bytes} but the file is ${fileLength} bytes long`, corrupted);
    return undefined;
  }
  const data = new Float64Array(count);
  if (expectedEncoding === 'f32') {
    let nonFinite = 0;
    for (let i = 0; i < count; i++) {
      const v = view.getFloat32(at + 4 * i, true);
      if (!Number.isFinite(v)) nonFinite++;
      data[i] = v;
    }
    if (nonFinite > 0) {
      fail(RUNTIME_CODES.LPW_NON_FINITE, `tensor '${e.name}' holds ${nonFinite} NaN or infinite value${nonFinite === 1 ? '' : 's'}`, 'training diverged before the file was saved, or the file is corrupted');
      return undefined;
    }
  } else {
    const r = unpackCodes(view, at, count, type);
    if ('problem' in r) {
      fail(RUNTIME_CODES.LPW_BAD_CODES, `tensor '${e.name}' (${formatNumberType(type)}): ${r.problem}`, corrupted);
      return undefined;
    }
    const scale = 2 ** -codeLayout(type).fracBits;
    for (let i = 0; i < count; i++) data[i] = r.codes[i] * scale;
  }
  return { name: e.name, shape: [...e.shape], type, data };
}

/** Reads and decodes a weights file from disk; `shown` is the name messages use. */
export function readLpwFile(path: string, shown = path): { contents?: LpwContents; diagnostics: Diagnostic[] } {
  const r = readBytes(path, 'weights file', shown);
  if ('diagnostic' in r) return { diagnostics: [r.diagnostic] };
  return decodeLpw(r.bytes, shown);
}
