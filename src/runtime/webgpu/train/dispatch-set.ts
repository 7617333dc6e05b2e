import type { KernelDispatch } from '../../../codegen/wgsl/lib/kernel.js';
import { QUANT_STATS_BINDING } from '../../../codegen/wgsl/lib/quantizer.js';
import type { BuiltShader } from '../../../codegen/wgsl/lib/shader-builder.js';
import type { ProgramDispatch } from '../../../codegen/wgsl/program-types.js';

/**
 * A list of dispatches the WebGPU trainer records together (a training step, an evaluation), in
 * the form the executor's prepareDispatches takes (src/runtime/webgpu/net-dispatches.ts), with its
 * shaders kept once per key, and marks: the index after the last dispatch of a node, where the
 * host copies a value out before a later node may reuse its buffer.
 */
export interface DispatchSet {
  dispatches: ProgramDispatch[];
  shaders: Map<string, BuiltShader>;
  /** Node id -> the number of dispatches recorded when its forward kernels were done. */
  nodeEnd: Map<string, number>;
}

export function newSet(): DispatchSet {
  return { dispatches: [], shaders: new Map(), nodeEnd: new Map() };
}

/** Appends kernel dispatches, belonging to `node` (for labels and GPU error messages). */
export function addDispatches(set: DispatchSet, node: string, list: readonly KernelDispatch[]): void {
  for (const d of list) set.dispatches.push(programDispatch(set, node, d));
}

function programDispatch(set: DispatchSet, node: string, d: KernelDispatch): ProgramDispatch {
  let key = d.shader.key;
  for (let k = 1; set.shaders.has(key) && set.shaders.get(key)!.code !== d.shader.code; k++) key = `${d.shader.key}-${k}`;
  if (!set.shaders.has(key)) set.shaders.set(key, d.shader);
  return {
    node,
    label: d.label,
    shader: key,
    workgroups: [d.workgroups[0], d.workgroups[1], d.workgroups[2]],
    uniforms: { ...d.uniforms },
    bindings: d.bindings.map((b) => ({ ...b })),
    rng: (d.rng ?? []).map((r) => ({ ...r })),
    quantStats: d.shader.bindings.some((b) => b.name === QUANT_STATS_BINDING),
  };
}
