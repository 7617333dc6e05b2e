import type { WgslCapabilities } from '../../../codegen/wgsl/lib/capabilities.js';
import type { KernelBackwardRequest, KernelDispatch, KernelRequest, KernelTensor } from '../../../codegen/wgsl/lib/kernel.js';
import { loadElement, mapKernel } from '../../../codegen/wgsl/lib/templates/element-kernel.js';
import { checkDispatch } from '../../../codegen/wgsl/program-dispatch.js';
import { buildRequest, epilogueStages, generatorFailure, kernelOpOf, type RequestContext } from '../../../codegen/wgsl/program-requests.js';
import type { ProgramTensor } from '../../../codegen/wgsl/program-types.js';
import { error, type Diagnostic } from '../../../diag/diagnostic.js';
import type { Graph, Node } from '../../../ir/graph.js';
import { F32 } from '../../../numeric/number-type.js';
import type { OpDef } from '../../../ops/op-def.js';
import { getOp } from '../../../ops/registry.js';
import type { BackwardStep } from '../../../passes/autodiff.js';
import { WEBGPU_TRAIN_CODES } from './codes.js';
import type { TrainTensors } from './train-tensors.js';

/**
 * The kernels of one node of the training graph, built through the op's `wgsl` facet from the
 * same KernelRequest the forward planner builds (src/codegen/wgsl/program-requests.ts), so
 * streams, parameter quantizers and epilogues are exactly the CPU executor's:
 *
 *  - training forward: a fused node runs as its anchor writing `<node>.pre` (the anchor's own
 *    result, which the backward needs: relu and quantize are not invertible), then one elementwise
 *    dispatch applying the epilogue to it and storing the node's output; the stages draw with the
 *    same keys and flat indices as a fused kernel would, so the values are the same;
 *  - evaluation forward: the same split, built with training off (batch-norm with stored
 *    statistics, dropout off, stochastic types rounding to nearest), so statistics can describe
 *    the value entering a fused output quantizer; parameters are the f32 masters, rounded while
 *    loading by their quantizers;
 *  - backward: the op's `wgsl.backward` with the step's gradients (accumulation flags by the plan's
 *    rule: a gradient id is written by its first position in the step unless an earlier step wrote
 *    it, and every later position adds).
 * Every dispatch is checked against its shader (program-dispatch.ts) when built.
 */
export interface NodeKernels {
  dispatches: KernelDispatch[];
  diagnostics: Diagnostic[];
}

export interface NodeContext {
  graph: Graph;
  tensors: TrainTensors;
  capabilities: WgslCapabilities;
}

function requestContext(c: NodeContext, node: Node, index: number, training: boolean): RequestContext {
  return { graph: c.graph, node, index, table: c.tensors.table, capabilities: c.capabilities, training, lookup: getOp };
}

function opOrDiagnostic(node: Node): { op?: OpDef; diagnostics: Diagnostic[] } {
  const { op, diagnostic } = kernelOpOf(node, getOp);
  return op ? { op, diagnostics: [] } : { diagnostics: diagnostic ? [diagnostic] : [] };
}

/** The forward request of a node, for training or (with the masters' quantizers kept) for evaluation. */
export function nodeRequest(c: NodeContext, node: Node, index: number, training: boolean): { request?: KernelRequest; diagnostics: Diagnostic[] } {
  const built = buildRequest(requestContext(c, node, index, true));
  if (!built.request || training) return built;
  const stages = epilogueStages(requestContext(c, node, index, false));
  if (stages.diagnostics.length > 0) return { diagnostics: stages.diagnostics };
  return {
    request: { ...built.request, training: false, epilogue: stages.stages, paramQuantizerStreams: built.request.paramQuantizerStreams.map(() => undefined) },
    diagnostics: [],
  };
}

/** Forward kernels of a node (training or evaluation), split at `<node>.pre` when it has an epilogue. */
export function forwardKernels(c: NodeContext, node: Node, index: number, training: boolean): NodeKernels {
  const found = opOrDiagnostic(node);
  if (!found.op?.wgsl) return { dispatches: [], diagnostics: found.diagnostics };
  const built = nodeRequest(c, node, index, training);
  if (!built.request) return { dispatches: [], diagnostics: built.diagnostics };
  const req = built.request;
  const preId = c.tensors.pre.get(node.id);
  let dispatches: KernelDispatch[];
  try {
    if (req.epilogue.length === 0 || !preId) {
      dispatches = found.op.wgsl.forward(req);
    } else {
      const pre = c.tensors.kernel(preId);
      dispatches = [
        ...found.op.wgsl.forward({ ...req, epilogue: [], output: pre }),
        mapKernel({ ...req, inputs: [pre], params: [], paramQuantizers: [], paramQuantizerStreams: [], attrs: {} }, 'epilogue', (_k, x, i) => loadElement(x, i)),
      ];
    }
  } catch (e) {
    return { dispatches: [], diagnostics: generatorFailure(e, node, `the WGSL generator of '${node.op}'`) };
  }
  const visible = [...req.inputs, ...req.params, req.output, ...(preId ? [c.tensors.kernel(preId)] : [])];
  return { dispatches, diagnostics: check(c, node, dispatches, visible) };
}

/** Backward kernels of one step of the plan. */
export function backwardKernels(c: NodeContext, step: BackwardStep, zeros: (shape: readonly number[]) => string): NodeKernels {
  const index = c.graph.nodes.findIndex((n) => n.id === step.node);
  const node = c.graph.nodes[index];
  if (!node) return { dispatches: [], diagnostics: [error(WEBGPU_TRAIN_CODES.UNSUPPORTED_GRAPH, `the backward plan has a step for '${step.node}', which is not a node of the graph`)] };
  const found = opOrDiagnostic(node);
  if (!found.op) return { dispatches: [], diagnostics: found.diagnostics };
  const backward = found.op.wgsl?.backward;
  if (!backward) {
    return {
      dispatches: [],
      diagnostics: [
        error(WEBGPU_TRAIN_CODES.NO_BACKWARD_KERNEL, `layer '${node.id}' (${node.op}) has no WGSL backward kernel in this build of lpc, so the net cannot be trained on WebGPU`, node.span, {
          hint: 'train with `--backend cpu`',
        }),
      ],
    };
  }
  if (node.outputs.length !== 1) {
    return { dispatches: [], diagnostics: [error(WEBGPU_TRAIN_CODES.UNSUPPORTED_GRAPH, `layer '${node.id}' has ${node.outputs.length} outputs; the WebGPU trainer handles one`, node.span)] };
  }
  const built = nodeRequest(c, node, index, true);
  if (!built.request) return { dispatches: [], diagnostics: built.diagnostics };
  const base = built.request;
  const t = (id: string) => c.tensors.kernel(id);
  const gradOutId = step.gradOutputs[0] ?? zeros(base.output.shape);
  const seen = new Set<string>();
  const accumulates = (id: string | undefined): boolean => {
    if (id === undefined) return false;
    const add = step.accumulate.includes(id) || seen.has(id);
    seen.add(id);
    return add;
  };
  const accumulateInputs = step.gradInputs.map(accumulates);
  const accumulateParams = step.gradParams.map(accumulates);
  const preId = c.tensors.pre.get(node.id);
  const req: KernelBackwardRequest = {
    ...base,
    gradOutput: t(gradOutId),
    ...(preId && base.epilogue.length > 0 ? { preEpilogue: t(preId) } : {}),
    gradInputs: step.gradInputs.map((id) => (id === undefined ? undefined : t(id))),
    gradParams: step.gradParams.map((id) => (id === undefined ? undefined : t(id))),
    accumulateInputs,
    accumulateParams,
    paramQuantizerSte: base.params.map((_, p) => steOf(c.graph, node, p)),
  };
  let dispatches: KernelDispatch[];
  try {
    dispatches = backward(req);
  } catch (e) {
    return { dispatches: [], diagnostics: generatorFailure(e, node, `the WGSL backward of '${node.op}'`) };
  }
  const grads = [...req.gradInputs, ...req.gradParams].filter((g): g is KernelTensor => g !== undefined);
  const visible = [...req.inputs, ...req.params, req.output, req.gradOutput, ...(req.preEpilogue ? [req.preEpilogue] : []), ...grads];
  return { dispatches, diagnostics: check(c, node, dispatches, visible) };
}

/** The straight-through mode of the node's quantizer of its p-th parameter (fusion's ParamQuantizer attrs). */
function steOf(graph: Graph, node: Node, p: number): 'identity' | 'clipped' | undefined {
  const params = node.inputs.filter((id) => graph.values.get(id)?.role === 'param');
  const id = params[p];
  const q = node.paramQuantizers?.find((x) => x.param === id);
  return q?.attrs.ste === 'clipped' ? 'clipped' : q ? 'identity' : undefined;
}

/** Checks dispatches against their shaders; scratch buffers are tensors of their own, added here. */
function check(c: NodeContext, node: Node, dispatches: KernelDispatch[], visible: KernelTensor[]): Diagnostic[] {
  const map = new Map<string, ProgramTensor>();
  for (const v of visible) map.set(v.id, c.tensors.get(v.id));
  const scratch = new Set<string>();
  for (const d of dispatches) {
    for (const s of d.scratch ?? []) {
      scratch.add(s.id);
      const words = Math.max(1, Math.ceil(s.bytes / 4));
      const existing = c.tensors.table.tensors.get(s.id);
      if (!existing) c.tensors.own(s.id, { kind: 'i32' }, [words], 'scratch');
      else if (existing.elements < words) Object.assign(existing, { shape: [words], elements: words, bytes: words * 4 });
    }
  }
  return dispatches.flatMap((d) => checkDispatch(node, d, map, scratch, c.capabilities));
}

/** A zero-filled f32 tensor id for a gradient the plan leaves undefined (created once per shape). */
export function zeroTensors(tensors: TrainTensors): { id: (shape: readonly number[]) => string; created: string[] } {
  const created: string[] = [];
  return {
    created,
    id(shape) {
      const id = `#zeros[${shape.join('x')}]`;
      if (!tensors.table.tensors.has(id)) {
        tensors.own(id, F32, shape);
        created.push(id);
      }
      return id;
    },
  };
}
