import type { ProgramTensor, WgslProgram } from '../../codegen/wgsl/program-types.js';
import { chunkLimitsOf, tensorUsage, type BufferRange } from './buffers.js';
import { planChunks, type ChunkPlan } from './chunking.js';
import { withErrorScope } from './error-scope.js';

/**
 * The GPU buffers of a compiled net (a WgslProgram): inputs, outputs and parameters in buffers of
 * their own; activations and scratch in the program's shared buffers (the memory plan: tensors
 * whose lifetimes do not overlap share one buffer), each sized for the largest tensor it holds,
 * chunk alignment included; and the quantizer statistics buffer every kernel that counts binds.
 *
 * A tensor's chunk layout comes from chunking.ts with the chunk size the program chose, so the
 * kernels' chunk bindings and the buffers agree. A shared tensor whose chunks would need more
 * than one GPU buffer (beyond maxBufferSize) gets buffers of its own instead.
 */
export interface DeviceTensor {
  tensor: ProgramTensor;
  plan: ChunkPlan;
  /** One range per chunk binding, in order. */
  ranges: BufferRange[];
}

export interface NetTensors {
  tensors: Map<string, DeviceTensor>;
  /** [saturated, nan] counters (`lpc_qstats`). */
  quantStats: GPUBuffer;
  /** Bytes of every GPU buffer allocated. */
  bytes: number;
  destroy(): void;
}

const QUANT_STATS_BYTES = 8;

function layoutOf(device: GPUDevice, t: ProgramTensor): ChunkPlan {
  return planChunks(t.type, t.elements, chunkLimitsOf(device), t.chunking?.chunkElements, t.id);
}

export async function allocateNetTensors(device: GPUDevice, program: WgslProgram): Promise<NetTensors> {
  const created: GPUBuffer[] = [];
  let bytes = 0;
  const make = (label: string, size: number, usage = tensorUsage()) => {
    const b = device.createBuffer({ label, size: Math.max(4, Math.ceil(size / 4) * 4), usage });
    created.push(b);
    bytes += b.size;
    return b;
  };
  const tensors = new Map<string, DeviceTensor>();
  try {
    await withErrorScope(device, `the buffers of net '${program.net}'`, () => {
      const layouts = new Map<string, ChunkPlan>();
      for (const t of program.tensors.values()) layouts.set(t.id, layoutOf(device, t));

      // Shared buffers: sized for the largest layout among the tensors that fit one GPU buffer.
      const poolSize = new Map<number, number>();
      const own = (t: ProgramTensor) => t.pool === undefined || layouts.get(t.id)!.bufferSizes.length !== 1;
      for (const t of program.tensors.values()) {
        if (own(t)) continue;
        poolSize.set(t.pool!, Math.max(poolSize.get(t.pool!) ?? 0, layouts.get(t.id)!.bufferSizes[0]));
      }
      const pools = new Map<number, GPUBuffer>();
      for (const [index, size] of poolSize) {
        const users = program.buffers[index]?.tensors ?? [];
        pools.set(index, make(`${program.net}: buffer ${index} (${users.slice(0, 3).join(', ')}${users.length > 3 ? ', ...' : ''})`, size));
      }

      for (const t of program.tensors.values()) {
        const plan = layouts.get(t.id)!;
        const buffers = own(t) ? plan.bufferSizes.map((size, i) => make(plan.bufferSizes.length > 1 ? `${t.id}#${i}` : t.id, size)) : [pools.get(t.pool!)!];
        tensors.set(t.id, { tensor: t, plan, ranges: plan.chunks.map((c) => ({ buffer: buffers[c.buffer], offset: c.offset, size: c.size })) });
      }
    });
  } catch (e) {
    for (const b of created) b.destroy();
    throw e;
  }
  const quantStats = make(`${program.net}: quantizer statistics`, QUANT_STATS_BYTES);
  return {
    tensors,
    quantStats,
    bytes,
    destroy() {
      for (const b of created) b.destroy();
    },
  };
}

/** Writes a tensor's storage words (in element order) into its chunks. */
export function writeTensorWords(device: GPUDevice, t: DeviceTensor, words: Uint32Array): void {
  let word = 0;
  t.plan.chunks.forEach((c, i) => {
    const n = c.size / 4;
    const slice = words.subarray(word, Math.min(words.length, word + n));
    if (slice.length > 0) device.queue.writeBuffer(t.ranges[i].buffer, t.ranges[i].offset, slice.buffer, slice.byteOffset, slice.byteLength);
    word += n;
  });
}

/** Bytes a tensor's chunks take when copied back to back (its readback size). */
export function readbackBytes(t: DeviceTensor): number {
  return t.plan.chunks.reduce((a, c) => a + c.size, 0);
}

/** Records copies of a tensor's chunks into `staging` at `offset`, back to back. */
export function copyTensorOut(encoder: GPUCommandEncoder, t: DeviceTensor, staging: GPUBuffer, offset: number): void {
  let at = offset;
  t.plan.chunks.forEach((c, i) => {
    encoder.copyBufferToBuffer(t.ranges[i].buffer, t.ranges[i].offset, staging, at, c.size);
    at += c.size;
  });
}
