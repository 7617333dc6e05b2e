import type { TensorAccessor } from '../../codegen/wgsl/lib/tensor-accessor.js';
import { DiagnosticError, error } from '../../diag/diagnostic.js';
import type { NumberType } from '../../numeric/number-type.js';
import type { QuantizeStats } from '../../numeric/quantize.js';
import { planChunks, type ChunkLimits, type ChunkPlan } from './chunking.js';
import { WEBGPU_CODES } from './codes.js';
import { decodeValues, encodeValues, packCodes, unpackCodes } from './host-packing.js';
import { awaitGpu, type WaitOptions } from './wait.js';

/**
 * GPU buffers for tensors: a GpuTensor is a tensor of one number type in the packed storage
 * layout, split into chunk bindings when it exceeds maxStorageBufferBindingSize (chunking.ts).
 * Upload packs on the host (host-packing.ts); readback copies into a mappable buffer, waits with
 * the wait strategy (wait.ts) and unpacks.
 */
export interface BufferRange {
  buffer: GPUBuffer;
  offset: number;
  size: number;
}

export interface GpuTensor {
  readonly label: string;
  readonly type: NumberType;
  readonly count: number;
  readonly plan: ChunkPlan;
  /** One range per chunk binding, in order. */
  readonly ranges: readonly BufferRange[];
  readonly buffers: readonly GPUBuffer[];
  destroy(): void;
}

/** STORAGE | COPY_SRC | COPY_DST; a function because the WebGPU globals may appear after this module loads. */
export function tensorUsage(): number {
  return GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
}

/** The chunk limits of a device (maxChunks: what one shader could bind at most). */
export function chunkLimitsOf(device: GPUDevice, maxChunks?: number): ChunkLimits {
  return {
    maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize,
    maxBufferSize: device.limits.maxBufferSize,
    minStorageBufferOffsetAlignment: device.limits.minStorageBufferOffsetAlignment,
    maxChunks: maxChunks ?? device.limits.maxStorageBuffersPerShaderStage,
  };
}

export interface CreateTensorOptions {
  label?: string;
  /** Extra usage flags (e.g. MAP_READ is not allowed with STORAGE; use readback helpers instead). */
  usage?: number;
  /** Force a chunk size in elements (tests); default: as large as the binding limit allows. */
  chunkElements?: number;
  /** Override the device's chunk limits. */
  limits?: ChunkLimits;
}

export function createTensor(device: GPUDevice, type: NumberType, count: number, opts: CreateTensorOptions = {}): GpuTensor {
  const label = opts.label ?? 'tensor';
  const plan = planChunks(type, count, opts.limits ?? chunkLimitsOf(device), opts.chunkElements, label);
  const usage = tensorUsage() | (opts.usage ?? 0);
  const buffers = plan.bufferSizes.map((size, i) =>
    device.createBuffer({ label: plan.bufferSizes.length > 1 ? `${label}#${i}` : label, size: Math.ceil(size / 4) * 4, usage }),
  );
  const ranges = plan.chunks.map((c) => ({ buffer: buffers[c.buffer], offset: c.offset, size: c.size }));
  return {
    label,
    type,
    count,
    plan,
    ranges,
    buffers,
    destroy() {
      for (const b of buffers) b.destroy();
    },
  };
}

/** Writes storage words (the whole tensor's, in element order) into the chunks. */
export function writeWords(device: GPUDevice, t: GpuTensor, words: Uint32Array): void {
  let word = 0;
  for (const [i, c] of t.plan.chunks.entries()) {
    const n = c.size / 4;
    const slice = words.subarray(word, Math.min(words.length, word + n));
    if (slice.length > 0) device.queue.writeBuffer(t.ranges[i].buffer, c.offset, slice.buffer, slice.byteOffset, slice.byteLength);
    word += n;
  }
}

/** Uploads real values: f32, i32, or quantized with the reference quantizer to the fixed type's codes. */
export function uploadValues(device: GPUDevice, t: GpuTensor, values: ArrayLike<number>, draw?: (i: number) => number, stats?: QuantizeStats): void {
  if (values.length !== t.count) throw new RangeError(`'${t.label}' holds ${t.count} elements, got ${values.length} values`);
  writeWords(device, t, encodeValues(values, t.type, draw, stats));
}

/** Uploads integer codes of a fixed or i32 tensor. */
export function uploadCodes(device: GPUDevice, t: GpuTensor, codes: ArrayLike<number>): void {
  if (codes.length !== t.count) throw new RangeError(`'${t.label}' holds ${t.count} elements, got ${codes.length} codes`);
  if (t.type.kind === 'f32') throw new Error(`'${t.label}' is f32: upload values, not codes`);
  writeWords(device, t, packCodes(codes, t.type));
}

/** Creates a tensor and uploads values into it. */
export function tensorFromValues(device: GPUDevice, type: NumberType, values: ArrayLike<number>, opts: CreateTensorOptions = {}): GpuTensor {
  const t = createTensor(device, type, values.length, opts);
  uploadValues(device, t, values);
  return t;
}

/** Reads the tensor's storage words back (all chunks, in element order). */
export async function readWords(device: GPUDevice, t: GpuTensor, wait: WaitOptions = {}): Promise<Uint32Array> {
  const total = t.plan.chunks.reduce((a, c) => a + c.size, 0);
  const staging = device.createBuffer({ label: `${t.label} (readback)`, size: total, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder({ label: `read ${t.label}` });
  let at = 0;
  for (const [i, c] of t.plan.chunks.entries()) {
    enc.copyBufferToBuffer(t.ranges[i].buffer, c.offset, staging, at, c.size);
    at += c.size;
  }
  device.queue.submit([enc.finish()]);
  try {
    await awaitGpu(() => staging.mapAsync(GPUMapMode.READ), { key: `readback:${total}`, ...wait });
  } catch (e) {
    staging.destroy();
    throw new DiagnosticError([
      error(WEBGPU_CODES.READBACK_FAILED, `reading '${t.label}' back from the GPU failed: ${e instanceof Error ? e.message : String(e)}`, undefined, {
        hint: 'the device was probably lost; run again, or use `--backend cpu`',
      }),
    ]);
  }
  const words = new Uint32Array(staging.getMappedRange().slice(0));
  staging.unmap();
  staging.destroy();
  return words;
}

/** Reads real values back (f32 values, i32 integers, or k * 2^-F). */
export async function readValues(device: GPUDevice, t: GpuTensor, wait: WaitOptions = {}): Promise<Float64Array> {
  return decodeValues(await readWords(device, t, wait), t.type, t.count);
}

/** Reads the integer codes of a fixed or i32 tensor. */
export async function readCodes(device: GPUDevice, t: GpuTensor, wait: WaitOptions = {}): Promise<Int32Array> {
  if (t.type.kind === 'f32') throw new Error(`'${t.label}' is f32: read values, not codes`);
  return unpackCodes(await readWords(device, t, wait), t.type, t.count);
}

/**
 * The bind-group entries of a tensor for an accessor: its chunk ranges under the accessor's
 * binding names. The chunk counts must agree.
 */
export function tensorBindings(accessor: TensorAccessor, t: GpuTensor): Record<string, BufferRange> {
  if (accessor.bindings.length !== t.ranges.length) {
    throw new Error(`accessor '${accessor.name}' has ${accessor.bindings.length} chunk bindings, tensor '${t.label}' has ${t.ranges.length} chunks`);
  }
  if (accessor.chunking && accessor.chunking.chunkElements !== t.plan.chunkElements) {
    throw new Error(`accessor '${accessor.name}' chunks ${accessor.chunking.chunkElements} elements, tensor '${t.label}' ${t.plan.chunkElements}`);
  }
  const out: Record<string, BufferRange> = {};
  accessor.bindings.forEach((name, i) => (out[name] = t.ranges[i]));
  return out;
}

/** The accessor chunking to declare for a tensor (undefined when it is one binding). */
export function chunkingOf(t: GpuTensor): { chunks: number; chunkElements: number } | undefined {
  return t.plan.chunks.length > 1 ? { chunks: t.plan.chunks.length, chunkElements: t.plan.chunkElements } : undefined;
}
