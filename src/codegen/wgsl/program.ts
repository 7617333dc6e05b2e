import { error, type Diagnostic } from '../../diag/diagnostic.js';
import { getOp } from '../../ops/registry.js';
import type { PipelineResult } from '../../passes/pipeline.js';
import { CODEGEN_CODES } from '../codes.js';
import type { WgslCapabilities } from './lib/capabilities.js';
import type { KernelDispatch, KernelRequest } from './lib/kernel.js';
import { QUANT_STATS_BINDING } from './lib/quantizer.js';
import type { BuiltShader } from './lib/shader-builder.js';
import { checkDispatch } from './program-dispatch.js';
import { buildRequest, generatorFailure, kernelOpOf, type OpLookup } from './program-requests.js';
import { planTensors } from './program-tensors.js';
import type { ProgramBuffer, ProgramDispatch, ProgramNode, ProgramTensor, WgslProgram } from './program-types.js';

export type { OpLookup } from './program-requests.js';
export * from './program-types.js';

/**
 * The WGSL program planner: from a graph that went through the pass pipeline (fused nodes with
 * epilogues and parameter quantizers, accumulators, the memory plan) and the capabilities of the
 * adapter it will run on, a WgslProgram: the tensor table and buffers (program-tensors.ts), and
 * per node the KernelRequest (program-requests.ts) and the dispatches its op's `wgsl` facet
 * returns, checked against their shaders (program-dispatch.ts). Shaders are kept once per key, so
 * layers with equal kernels share one pipeline.
 *
 * Every problem is a diagnostic at the layer (a node whose op has no kernel, a generator that
 * failed or broke the contract); all layers are tried, so a user sees every missing kernel at once.
 */
export interface BuildProgramOptions {
  /** Op registry to use (tests inject ops); default the registry. */
  lookup?: OpLookup;
  /** Kernel configuration per request (`lpc tune`'s cached choice); undefined: the op's default. */
  configFor?: (req: KernelRequest, op: string) => Readonly<Record<string, number>> | undefined;
}

export function buildWgslProgram(
  planned: Pick<PipelineResult, 'graph' | 'mode' | 'memory' | 'ok'>,
  capabilities: WgslCapabilities,
  opts: BuildProgramOptions = {},
): { program?: WgslProgram; diagnostics: Diagnostic[] } {
  const graph = planned.graph;
  if (!planned.ok) {
    return {
      diagnostics: [error(CODEGEN_CODES.GRAPH_NOT_PLANNED, `net '${graph.name}' did not plan without errors, so no WGSL is generated for it`, undefined, { hint: 'fix the errors the passes reported first' })],
    };
  }
  const lookup = opts.lookup ?? getOp;
  const training = planned.mode === 'training';
  const table = planTensors(graph, planned.memory.inference, planned.mode, capabilities);
  const tensors = table.tensors;
  const diagnostics: Diagnostic[] = [];
  const nodes: ProgramNode[] = [];
  const dispatches: ProgramDispatch[] = [];
  const shaders = new Map<string, BuiltShader>();
  const scratchBuffers: ProgramBuffer[] = [];

  graph.nodes.forEach((node, index) => {
    const { op, diagnostic } = kernelOpOf(node, lookup);
    if (!op?.wgsl) {
      if (diagnostic) diagnostics.push(diagnostic);
      return;
    }
    const built = buildRequest({ graph, node, index, table, capabilities, training, lookup });
    diagnostics.push(...built.diagnostics);
    if (!built.request) return;
    const config = opts.configFor?.(built.request, node.op);
    if (config) built.request.config = config;
    let kernel: KernelDispatch[];
    try {
      kernel = op.wgsl.forward(built.request);
    } catch (err) {
      diagnostics.push(...generatorFailure(err, node, `the WGSL generator of '${node.op}'`));
      return;
    }

    // Scratch ids are local to the node; the k-th distinct one uses scratch slot k.
    const scratchIds: string[] = [];
    for (const d of kernel) for (const s of d.scratch ?? []) if (!scratchIds.includes(s.id)) scratchIds.push(s.id);
    const scratchTensor = (local: string) => `${node.id}#scratch:${local}`;
    scratchIds.forEach((local, slot) => {
      const bytes = Math.max(4, ...kernel.flatMap((d) => (d.scratch ?? []).filter((s) => s.id === local).map((s) => Math.ceil(s.bytes / 4) * 4)));
      const id = scratchTensor(local);
      // Scratch is raw storage: typed as i32 words; its buffer index is set once all nodes are planned.
      const t: ProgramTensor = { id, role: 'scratch', type: { kind: 'i32' }, shape: [bytes / 4], elements: bytes / 4, bytes, scratchSlot: slot };
      tensors.set(id, t);
      const buf = scratchBuffers[slot] ?? { index: slot, kind: 'scratch', bytes: 0, tensors: [] };
      buf.bytes = Math.max(buf.bytes, bytes);
      buf.tensors.push(id);
      scratchBuffers[slot] = buf;
    });

    const req = built.request;
    const visible = new Map([...req.inputs, ...req.params, req.output].map((t) => [t.id, tensors.get(t.id)!] as const));
    const problems = kernel.flatMap((d) => checkDispatch(node, d, visible, new Set(scratchIds), capabilities));
    if (problems.length > 0) {
      diagnostics.push(...problems);
      return;
    }
    const own: number[] = [];
    for (const d of kernel) {
      const key = internShader(shaders, d.shader);
      own.push(dispatches.length);
      dispatches.push({
        node: node.id,
        label: d.label,
        shader: key,
        workgroups: [d.workgroups[0], d.workgroups[1], d.workgroups[2]],
        uniforms: { ...d.uniforms },
        bindings: d.bindings.map((b) => ({ ...b, tensor: scratchIds.includes(b.tensor) && !tensors.has(b.tensor) ? scratchTensor(b.tensor) : b.tensor })),
        rng: (d.rng ?? []).map((r) => ({ ...r })),
        quantStats: d.shader.bindings.some((b) => b.name === QUANT_STATS_BINDING),
      });
    }
    nodes.push({
      id: node.id,
      op: node.op,
      index,
      fused: [node.op, ...(node.epilogue ?? []).map((e) => e.op)],
      inputs: built.request.inputs.map((t) => t.id),
      params: built.request.params.map((t) => t.id),
      output: built.request.output.id,
      dispatches: own,
      request: built.request,
    });
  });

  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics };
  const buffers = [...table.buffers, ...scratchBuffers.map((b, i) => ({ ...b, index: table.buffers.length + i }))];
  for (const t of tensors.values()) if (t.role === 'scratch') t.pool = table.buffers.length + (t.scratchSlot ?? 0);
  return {
    program: {
      net: graph.name,
      mode: planned.mode,
      netParams: { ...graph.netParams },
      graph,
      capabilities,
      tensors,
      buffers,
      nodes,
      dispatches,
      shaders,
      inputs: [...graph.inputs],
      outputs: graph.outputs.map((o) => ({ name: o.name, value: o.value })),
      losses: graph.losses.map((l) => ({ name: l.name, value: l.value })),
    },
    diagnostics,
  };
}

/**
 * Keeps one shader per key. Keys hash the text, so equal keys with different texts (a collision)
 * get a suffix instead of replacing each other.
 */
function internShader(shaders: Map<string, BuiltShader>, shader: BuiltShader): string {
  let key = shader.key;
  for (let k = 1; shaders.has(key) && shaders.get(key)!.code !== shader.code; k++) key = `${shader.key}-${k}`;
  if (!shaders.has(key)) shaders.set(key, shader);
  return key;
}
