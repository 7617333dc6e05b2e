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

/** One GPU buffer to create: its size and who uses it (for labels and for naming the layer on failure). */
interface BufferRequest {
  label: string;
  /** `layer c1 (its output c1)`, `the parameters of layer c1`: what a GPU error is reported against (quoted by the message). */
  owner: string;
  size: number;
}

/** What a tensor is to the user, for GPU error messages. */
function ownerOf(program: WgslProgram, t: ProgramTensor): string {
  const graph = program.graph;
  switch (t.role) {
    case 'input':
      return `input ${t.id}`;
    case 'param': {
      const owner = graph.values.get(t.stored?.param ?? t.id)?.param?.owner;
      return owner ? `the parameters of layer ${owner} (${t.id})` : `parameter ${t.id}`;
    }
    case 'scratch':
      return `the scratch memory of layer ${t.id.split('#')[0]}`;
    default: {
      const producer = graph.values.get(t.id)?.producer;
      return producer ? `layer ${producer} (its output ${t.id})` : `value ${t.id}`;
    }
  }
}

export async function allocateNetTensors(device: GPUDevice, program: WgslProgram): Promise<NetTensors> {
  const layouts = new Map<string, ChunkPlan>();
  for (const t of program.tensors.values()) layouts.set(t.id, layoutOf(device, t));

  // Shared buffers: sized for the largest layout among their tensors that fit one GPU buffer;
  // a tensor that needs several GPU buffers (or has no shared buffer) gets its own.
  const own = (t: ProgramTensor) => t.pool === undefined || layouts.get(t.id)!.bufferSizes.length !== 1;
  const requests: BufferRequest[] = [];
  const poolRequest = new Map<number, number>();
  const tensorRequests = new Map<string, number[]>();
  for (const t of program.tensors.values()) {
    const plan = layouts.get(t.id)!;
    if (own(t)) {
      tensorRequests.set(
        t.id,
        plan.bufferSizes.map((size, i) => requests.push({ label: plan.bufferSizes.length > 1 ? `${t.id}#${i}` : t.id, owner: ownerOf(program, t), size }) - 1),
      );
      continue;
    }
    let r = poolRequest.get(t.pool!);
    if (r === undefined) {
      const users = program.buffers[t.pool!]?.tensors ?? [];
      r = requests.push({ label: `${program.net}: buffer ${t.pool} (${users.slice(0, 3).join(', ')}${users.length > 3 ? ', ...' : ''})`, owner: '', size: 0 }) - 1;
      poolRequest.set(t.pool!, r);
    }
    if (plan.bufferSizes[0] >= requests[r].size) {
      requests[r].size = plan.bufferSizes[0];
      requests[r].owner = ownerOf(program, t);
    }
    tensorRequests.set(t.id, [r]);
  }
  requests.push({ label: `${program.net}: quantizer statistics`, owner: `net ${program.net}`, size: QUANT_STATS_BYTES });

  const buffers = await createBuffers(device, program, requests);
  const tensors = new Map<string, DeviceTensor>();
  for (const t of program.tensors.values()) {
    const plan = layouts.get(t.id)!;
    const mine = tensorRequests.get(t.id)!.map((r) => buffers[r]);
    tensors.set(t.id, { tensor: t, plan, ranges: plan.chunks.map((c) => ({ buffer: mine[c.buffer], offset: c.offset, size: c.size })) });
  }
  return {
    tensors,
    quantStats: buffers[buffers.length - 1],
    bytes: buffers.reduce((a, b) => a + b.size, 0),
    destroy() {
      for (const b of buffers) b.destroy();
    },
  };
}

/**
 * Creates the buffers inside one error scope. When the GPU reports an error (out of memory,
 * usually), every buffer is freed and created again one at a time, each in its own scope, so the
 * diagnostic names the layer whose buffer failed; then all are freed again and it is thrown.
 */
async function createBuffers(device: GPUDevice, program: WgslProgram, requests: BufferRequest[]): Promise<GPUBuffer[]> {
  const make = (r: BufferRequest) => device.createBuffer({ label: r.label, size: Math.max(4, Math.ceil(r.size / 4) * 4), usage: tensorUsage() });
  const created: GPUBuffer[] = [];
  try {
    await withErrorScope(device, `the buffers of net ${program.net}`, () => {
      for (const r of requests) created.push(make(r));
    });
    return created;
  } catch (e) {
    for (const b of created) b.destroy();
    const retry: GPUBuffer[] = [];
    try {
      for (const r of requests) retry.push(await withErrorScope(device, r.owner, () => make(r)));
    } finally {
      for (const b of retry) b.destroy();
    }
    throw e;
  }
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
