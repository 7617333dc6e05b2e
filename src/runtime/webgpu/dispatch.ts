import { packUniforms } from '../../codegen/wgsl/lib/uniforms.js';
import type { BufferRange } from './buffers.js';
import type { CachedPipeline } from './pipeline-cache.js';

/**
 * Encoding one dispatch of a cached pipeline: the bind group from named buffer ranges (the
 * builder's binding names; a chunked tensor contributes one name per chunk, see
 * buffers.tensorBindings), a fresh uniform buffer from named values, and the workgroup grid.
 * Returns the transient buffers it created, for the caller to destroy once the work is done.
 */
export interface DispatchSpec {
  label: string;
  pipeline: CachedPipeline;
  buffers: Readonly<Record<string, BufferRange | GPUBuffer>>;
  uniforms?: Readonly<Record<string, number>>;
  workgroups: readonly [number, number?, number?];
}

export function encodeDispatch(device: GPUDevice, encoder: GPUCommandEncoder, spec: DispatchSpec): GPUBuffer[] {
  const { shader } = spec.pipeline;
  const transient: GPUBuffer[] = [];
  const entries: GPUBindGroupEntry[] = [];
  const given = new Set(Object.keys(spec.buffers));
  for (const b of shader.bindings) {
    if (b.kind === 'uniform') {
      const bytes = packUniforms(shader.uniforms, spec.uniforms ?? {});
      const ub = device.createBuffer({ label: `${spec.label} uniforms`, size: bytes.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(ub, 0, bytes);
      transient.push(ub);
      entries.push({ binding: b.binding, resource: { buffer: ub } });
      continue;
    }
    const r = spec.buffers[b.name];
    if (!r) throw new Error(`dispatch '${spec.label}': no buffer for binding '${b.name}'`);
    given.delete(b.name);
    entries.push({ binding: b.binding, resource: 'buffer' in r ? { buffer: r.buffer, offset: r.offset, size: r.size } : { buffer: r } });
  }
  if (given.size > 0) throw new Error(`dispatch '${spec.label}': buffers for unknown bindings ${[...given].join(', ')}`);
  const bindGroup = device.createBindGroup({ label: spec.label, layout: spec.pipeline.bindGroupLayout, entries });
  const pass = encoder.beginComputePass({ label: spec.label });
  pass.setPipeline(spec.pipeline.pipeline);
  pass.setBindGroup(0, bindGroup);
  const [x, y, z] = spec.workgroups;
  pass.dispatchWorkgroups(x, y ?? 1, z ?? 1);
  pass.end();
  return transient;
}
