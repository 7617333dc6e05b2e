import { rngKeyFields } from '../../codegen/wgsl/program-dispatch.js';
import type { ProgramDispatch, WgslProgram } from '../../codegen/wgsl/program-types.js';
import { QUANT_STATS_BINDING } from '../../codegen/wgsl/lib/quantizer.js';
import { packUniforms } from '../../codegen/wgsl/lib/uniforms.js';
import { rngKeys } from '../../numeric/rng.js';
import { withErrorScope } from './error-scope.js';
import type { NetTensors } from './net-tensors.js';
import type { CachedPipeline, PipelineCache } from './pipeline-cache.js';

/**
 * The dispatches of a compiled net, ready to record: the pipeline, a bind group built once (the
 * buffers never move), and a uniform buffer written once, except the rng keys, which are
 * rewritten when a run's (seed, step) differs from the last (rngKeys of src/numeric/rng.ts for
 * each stream the dispatch lists). Recording a run is then setPipeline / setBindGroup / dispatch
 * per dispatch, nothing allocated.
 */
export interface PreparedDispatch {
  dispatch: ProgramDispatch;
  /** The layer it belongs to, for labels and diagnostics: `layer c1 (conv+relu+quantize)`. */
  layer: string;
  pipeline: CachedPipeline;
  bindGroup: GPUBindGroup;
  uniformBuffer?: GPUBuffer;
}

export interface PreparedDispatches {
  list: PreparedDispatch[];
  /** Writes the uniforms of every dispatch that draws, for this seed and step (no-op when unchanged). */
  setRngKeys(seed: number, step: number): void;
  destroy(): void;
}

/** `layer c1 (conv+relu+quantize)`, the name GPU diagnostics give a dispatch (they quote it). */
export function layerLabel(program: WgslProgram, nodeId: string): string {
  const n = program.nodes.find((x) => x.id === nodeId);
  return `layer ${nodeId}${n ? ` (${n.fused.join('+')})` : ''}`;
}

export async function prepareDispatches(device: GPUDevice, program: WgslProgram, tensors: NetTensors, cache: PipelineCache): Promise<PreparedDispatches> {
  // Compile every distinct shader first, in parallel; the cache shares them with other nets.
  const pipelines = new Map<string, CachedPipeline>();
  const firstUser = new Map<string, ProgramDispatch>();
  for (const d of program.dispatches) if (!firstUser.has(d.shader)) firstUser.set(d.shader, d);
  await Promise.all(
    [...firstUser].map(async ([key, d]) => pipelines.set(key, await cache.get(program.shaders.get(key)!, `${layerLabel(program, d.node)}: ${d.label}`))),
  );

  const uniformBuffers: GPUBuffer[] = [];
  const list: PreparedDispatch[] = [];
  for (const d of program.dispatches) {
    const layer = layerLabel(program, d.node);
    const pipeline = pipelines.get(d.shader)!;
    list.push(
      await withErrorScope(device, layer, () => {
        const shader = pipeline.shader;
        let uniformBuffer: GPUBuffer | undefined;
        if (shader.uniforms.fields.length > 0) {
          uniformBuffer = device.createBuffer({ label: `${d.label} uniforms`, size: shader.uniforms.size, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
          uniformBuffers.push(uniformBuffer);
          device.queue.writeBuffer(uniformBuffer, 0, packUniforms(shader.uniforms, withKeys(d, 0, 0)));
        }
        const entries: GPUBindGroupEntry[] = shader.bindings.map((b) => {
          if (b.kind === 'uniform') return { binding: b.binding, resource: { buffer: uniformBuffer! } };
          const kb = d.bindings.find((x) => x.name === b.name);
          if (!kb && b.name === QUANT_STATS_BINDING) return { binding: b.binding, resource: { buffer: tensors.quantStats } };
          const t = kb ? tensors.tensors.get(kb.tensor) : undefined;
          if (!kb || !t) throw new Error(`internal: dispatch '${d.label}' has no tensor for binding '${b.name}'`);
          const r = t.ranges[kb.chunk ?? 0];
          return { binding: b.binding, resource: { buffer: r.buffer, offset: r.offset, size: r.size } };
        });
        const bindGroup = device.createBindGroup({ label: d.label, layout: pipeline.bindGroupLayout, entries });
        return { dispatch: d, layer, pipeline, bindGroup, uniformBuffer };
      }),
    );
  }

  let keyed: [number, number] = [0, 0];
  return {
    list,
    setRngKeys(seed, step) {
      if (keyed[0] === seed && keyed[1] === step) return;
      keyed = [seed, step];
      for (const p of list) {
        if (p.dispatch.rng.length === 0 || !p.uniformBuffer) continue;
        device.queue.writeBuffer(p.uniformBuffer, 0, packUniforms(p.pipeline.shader.uniforms, withKeys(p.dispatch, seed, step)));
      }
    },
    destroy() {
      for (const b of uniformBuffers) b.destroy();
    },
  };
}

/** The dispatch's uniform values with the keys of its rng streams for (seed, step). */
function withKeys(d: ProgramDispatch, seed: number, step: number): Record<string, number> {
  const values: Record<string, number> = { ...d.uniforms };
  for (const r of d.rng) {
    const { keyA, keyB } = rngKeys(seed, step, r.stream);
    const [a, b] = rngKeyFields(r.prefix);
    values[a] = keyA;
    values[b] = keyB;
  }
  return values;
}

/** Records one dispatch into an open compute pass (a dispatch of zero workgroups records nothing). */
export function recordDispatch(pass: GPUComputePassEncoder, p: PreparedDispatch): void {
  const [x, y, z] = p.dispatch.workgroups;
  if (x === 0 || y === 0 || z === 0) return;
  pass.setPipeline(p.pipeline.pipeline);
  pass.setBindGroup(0, p.bindGroup);
  pass.dispatchWorkgroups(x, y, z);
}
