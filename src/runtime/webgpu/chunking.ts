import { storageLayout } from '../../codegen/wgsl/lib/packing.js';
import { DiagnosticError, error } from '../../diag/diagnostic.js';
import type { NumberType } from '../../numeric/number-type.js';
import { WEBGPU_CODES } from './codes.js';

/**
 * How a tensor is split when it is larger than one storage binding may be
 * (maxStorageBufferBindingSize: 128 MiB on lavapipe; VGG16's fc6 weights are 205 MB at 16 bits).
 *
 * The tensor becomes `chunks` bindings of `chunkElements` elements each (the last one shorter), a
 * multiple of the codes per word so that no word straddles two chunks. Chunks are laid out in
 * GPU buffers back to back, each starting at a multiple of minStorageBufferOffsetAlignment; a
 * buffer takes as many chunks as fit maxBufferSize. The kernel side (TensorAccessor's `chunking`)
 * declares one binding per chunk and picks the chunk from the element index.
 */
export interface ChunkRange {
  /** Index into ChunkPlan.bufferSizes. */
  buffer: number;
  /** Byte offset of the chunk in its buffer (aligned for binding). */
  offset: number;
  /** Bytes of the chunk (whole words). */
  size: number;
  /** First element of the chunk. */
  firstElement: number;
  elements: number;
}

export interface ChunkPlan {
  count: number;
  chunkElements: number;
  chunks: ChunkRange[];
  bufferSizes: number[];
}

export interface ChunkLimits {
  maxStorageBufferBindingSize: number;
  maxBufferSize: number;
  minStorageBufferOffsetAlignment: number;
  /** Bindings one shader may use for this tensor (maxStorageBuffersPerShaderStage minus the others). */
  maxChunks?: number;
}

/**
 * Plans the chunks of `count` elements of type t. `chunkElements` overrides the size chosen from
 * the limits (tests use tiny chunks); it must be a multiple of the codes per word.
 */
export function planChunks(t: NumberType, count: number, limits: ChunkLimits, chunkElements?: number, label = 'tensor'): ChunkPlan {
  const { lanes } = storageLayout(t);
  const align = Math.max(4, limits.minStorageBufferOffsetAlignment);
  const wordsPerBinding = Math.floor(limits.maxStorageBufferBindingSize / 4);
  const per = chunkElements ?? Math.max(lanes, Math.floor(wordsPerBinding / (align / 4)) * (align / 4) * lanes);
  if (!Number.isInteger(per) || per < lanes || per % lanes !== 0) throw new RangeError(`chunk of ${per} elements is not a positive multiple of ${lanes}`);
  if ((per / lanes) * 4 > limits.maxStorageBufferBindingSize) throw new RangeError(`chunk of ${per} elements exceeds the binding limit`);
  const n = Math.max(1, Math.ceil(count / per));
  if (limits.maxChunks !== undefined && n > limits.maxChunks) throw tooLarge(label, t, count, n, limits);
  const chunks: ChunkRange[] = [];
  const bufferSizes: number[] = [];
  let buffer = -1;
  let used = Infinity;
  for (let c = 0; c < n; c++) {
    const elements = Math.min(per, count - c * per);
    const size = Math.max(4, Math.ceil(elements / lanes) * 4);
    const offset = Math.ceil(used / align) * align;
    if (buffer < 0 || offset + size > limits.maxBufferSize) {
      if (size > limits.maxBufferSize) throw tooLarge(label, t, count, n, limits);
      buffer++;
      bufferSizes.push(0);
      used = 0;
    }
    const at = Math.ceil(used / align) * align;
    chunks.push({ buffer, offset: at, size, firstElement: c * per, elements: Math.max(0, elements) });
    used = at + size;
    bufferSizes[buffer] = used;
  }
  return { count, chunkElements: per, chunks, bufferSizes };
}

function tooLarge(label: string, t: NumberType, count: number, chunks: number, limits: ChunkLimits): DiagnosticError {
  const bytes = Math.ceil(count / storageLayout(t).lanes) * 4;
  return new DiagnosticError([
    error(
      WEBGPU_CODES.TENSOR_TOO_LARGE,
      `'${label}' needs ${bytes} bytes in ${chunks} bindings of at most ${limits.maxStorageBufferBindingSize} bytes; the adapter allows ${limits.maxChunks ?? '?'} bindings for it and buffers of ${limits.maxBufferSize} bytes`,
      undefined,
      { hint: 'use a narrower fixed-point type or a smaller batch, an adapter with larger limits, or `--backend cpu`' },
    ),
  ]);
}
