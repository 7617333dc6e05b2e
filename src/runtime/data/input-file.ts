import { error, type Diagnostic } from '../../diag/diagnostic.js';
import type { Value } from '../../ir/graph.js';
import { sizeOf, type Tensor } from '../../numeric/tensor.js';
import { RUNTIME_CODES } from '../codes.js';
import { readBytes } from '../io/read-file.js';
import { decodeIdx, gunzipBytes, isGzip, looksLikeIdx } from './idx.js';
import { fitItems, toInputTensor } from './input-tensor.js';

/**
 * Reads the data for one net input from a file. The format is told by the content, not the name:
 * gzip (1f 8b) is inflated first; then an IDX header (00 00, a type byte, a dimension count) means
 * IDX (MNIST); anything else is raw little-endian float32, which must hold exactly the input's
 * element count. `scale` multiplies the values of f32 and fixed-point inputs (Caffe's
 * transform_param scale, e.g. 0.00390625 to bring MNIST bytes into [0, 1)); labels are not scaled.
 * `shown` is the file name messages use.
 */
export function readInputFile(
  path: string,
  input: Value,
  opts: { scale?: number; shown?: string } = {},
): { tensor?: Tensor; notes: string[]; diagnostics: Diagnostic[] } {
  const shown = opts.shown ?? path;
  const read = readBytes(path, `data for input '${input.id}'`, shown);
  if ('diagnostic' in read) return { notes: [], diagnostics: [read.diagnostic] };
  return decodeInput(read.bytes, shown, input, opts);
}

/** The same on bytes already in memory (tests, and callers with their own file access). */
export function decodeInput(bytes: Uint8Array, source: string, input: Value, opts: { scale?: number } = {}): { tensor?: Tensor; notes: string[]; diagnostics: Diagnostic[] } {
  let content = bytes;
  if (isGzip(content)) {
    const r = gunzipBytes(content, source);
    if ('diagnostic' in r) return { notes: [], diagnostics: [r.diagnostic] };
    content = r.bytes;
  }
  let values: Float64Array;
  let dims: number[];
  if (looksLikeIdx(content)) {
    const r = decodeIdx(content, source);
    if (!r.idx) return { notes: [], diagnostics: r.diagnostics };
    values = r.idx.data;
    dims = r.idx.dims;
  } else {
    const need = sizeOf(input.type.shape);
    if (content.length !== 4 * need) {
      const whole = Math.floor(content.length / 4);
      const rest = content.length % 4;
      return {
        notes: [],
        diagnostics: [
          error(
            RUNTIME_CODES.RAW_SIZE_MISMATCH,
            `${source}: raw float32 data of ${content.length} bytes (${whole} values${rest ? ` and ${rest} stray bytes` : ''}) does not fit input '${input.id}' [${input.type.shape.join(', ')}], which needs ${need} values (${4 * need} bytes)`,
            input.span,
            { hint: 'a file that is not IDX (MNIST format) is read as raw little-endian float32 values, exactly one per input element' },
          ),
        ],
      };
    }
    const view = new DataView(content.buffer, content.byteOffset, content.byteLength);
    values = new Float64Array(need);
    for (let i = 0; i < need; i++) values[i] = view.getFloat32(4 * i, true);
    dims = [...input.type.shape];
  }
  const fitted = fitItems(values, dims, input, source);
  if (!fitted.values) return { notes: [], diagnostics: fitted.diagnostics };
  let scaled = fitted.values;
  if (opts.scale !== undefined && opts.scale !== 1 && input.type.dtype.kind !== 'i32') {
    scaled = fitted.values.map((v) => v * (opts.scale as number));
  }
  const t = toInputTensor(scaled, input, source);
  return { tensor: t.tensor, notes: fitted.note ? [fitted.note] : [], diagnostics: t.diagnostics };
}
