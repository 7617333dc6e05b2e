/**
 * Test-only executor for the WGSL kernel contract (src/codegen/wgsl/lib/kernel.ts): runs the
 * KernelDispatch list an op's `wgsl.forward` returned on given GPU tensors, in order, in one
 * command encoder. It does what the net executor does for one node: binds each binding to its
 * tensor (or chunk of it) or to a scratch buffer, fills the rng key uniforms of every KernelRng
 * from (seed, step, stream) with the reference key schedule, and waits for the queue.
 */
import { identifier } from '../../src/codegen/wgsl/lib/expr.js';
import type { KernelDispatch } from '../../src/codegen/wgsl/lib/kernel.js';
import { rngKeys } from '../../src/numeric/rng.js';
import type { BufferRange, GpuTensor } from '../../src/runtime/webgpu/buffers.js';
import { encodeDispatch } from '../../src/runtime/webgpu/dispatch.js';
import { withErrorScope } from '../../src/runtime/webgpu/error-scope.js';
import type { PipelineCache } from '../../src/runtime/webgpu/pipeline-cache.js';
import { awaitQueue } from '../../src/runtime/webgpu/wait.js';

export interface RunDispatchesOptions {
  seed?: number;
  step?: number;
}

/** The uniform values of a dispatch, with its rng keys filled in. */
export function dispatchUniforms(d: KernelDispatch, seed: number, step: number): Record<string, number> {
  const uniforms: Record<string, number> = { ...d.uniforms };
  for (const r of d.rng ?? []) {
    const { keyA, keyB } = rngKeys(seed, step, r.stream);
    uniforms[identifier(`${r.prefix}_key_a`)] = keyA;
    uniforms[identifier(`${r.prefix}_key_b`)] = keyB;
  }
  return uniforms;
}

export async function runDispatches(
  device: GPUDevice,
  cache: PipelineCache,
  dispatches: readonly KernelDispatch[],
  tensors: Readonly<Record<string, GpuTensor>>,
  opts: RunDispatchesOptions = {},
): Promise<void> {
  const seed = opts.seed ?? 1;
  const step = opts.step ?? 0;
  // Scratch: one buffer per id, as large as the largest request for it.
  const scratchBytes = new Map<string, number>();
  for (const d of dispatches) for (const s of d.scratch ?? []) scratchBytes.set(s.id, Math.max(scratchBytes.get(s.id) ?? 0, s.bytes));
  const scratch = new Map<string, GPUBuffer>();
  for (const [id, bytes] of scratchBytes) {
    scratch.set(id, device.createBuffer({ label: id, size: Math.max(16, Math.ceil(bytes / 4) * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST }));
  }
  const pipelines = await Promise.all(dispatches.map((d) => cache.get(d.shader, d.label)));
  const transient: GPUBuffer[] = [];
  try {
    await withErrorScope(device, dispatches.map((d) => d.label).join(', '), () => {
      const enc = device.createCommandEncoder({ label: 'run-dispatches' });
      dispatches.forEach((d, k) => {
        const buffers: Record<string, BufferRange | GPUBuffer> = {};
        for (const b of d.bindings) {
          const t = tensors[b.tensor];
          const s = scratch.get(b.tensor);
          if (t) buffers[b.name] = t.ranges[b.chunk ?? 0];
          else if (s) buffers[b.name] = s;
          else throw new Error(`dispatch '${d.label}': binding '${b.name}' names '${b.tensor}', which is neither a given tensor nor a declared scratch buffer`);
        }
        transient.push(...encodeDispatch(device, enc, { label: d.label, pipeline: pipelines[k], buffers, uniforms: dispatchUniforms(d, seed, step), workgroups: d.workgroups }));
      });
      device.queue.submit([enc.finish()]);
    });
    await awaitQueue(device, { key: `dispatches:${dispatches.map((d) => d.shader.key).join(',')}` });
  } finally {
    for (const b of transient) b.destroy();
    for (const b of scratch.values()) b.destroy();
  }
}
