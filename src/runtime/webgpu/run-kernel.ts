import type { BuiltShader } from '../../codegen/wgsl/lib/shader-builder.js';
import type { BufferRange } from './buffers.js';
import { encodeDispatch } from './dispatch.js';
import { withErrorScope } from './error-scope.js';
import type { PipelineCache } from './pipeline-cache.js';
import { awaitQueue, type WaitOptions } from './wait.js';

/**
 * One kernel, start to finish: the cached pipeline, one dispatch, submit, and a wait with the
 * wait strategy, all inside an error scope named after the kernel. For tests, tools and one-off
 * dispatches; the net executor batches many dispatches into one submission instead.
 */
export interface KernelRun {
  shader: BuiltShader;
  label: string;
  buffers: Readonly<Record<string, BufferRange | GPUBuffer>>;
  uniforms?: Readonly<Record<string, number>>;
  workgroups: readonly [number, number?, number?];
  wait?: WaitOptions;
}

export async function runKernel(device: GPUDevice, cache: PipelineCache, run: KernelRun): Promise<number> {
  const pipeline = await cache.get(run.shader, run.label);
  const transient = await withErrorScope(device, run.label, () => {
    const enc = device.createCommandEncoder({ label: run.label });
    const t = encodeDispatch(device, enc, { label: run.label, pipeline, buffers: run.buffers, uniforms: run.uniforms, workgroups: run.workgroups });
    device.queue.submit([enc.finish()]);
    return t;
  });
  try {
    return await awaitQueue(device, { key: `kernel:${run.shader.key}`, ...run.wait });
  } finally {
    for (const b of transient) b.destroy();
  }
}
