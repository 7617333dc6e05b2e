import type { WgslCapabilities } from '../../../codegen/wgsl/lib/capabilities.js';
import type { KernelTensor } from '../../../codegen/wgsl/lib/kernel.js';
import { chunkingFor, planTensors, type TensorTable } from '../../../codegen/wgsl/program-tensors.js';
import type { ProgramBuffer, ProgramTensor, ProgramTensorRole } from '../../../codegen/wgsl/program-types.js';
import type { Graph } from '../../../ir/graph.js';
import { F32, packedBytes, type NumberType } from '../../../numeric/number-type.js';
import { sizeOf } from '../../../numeric/tensor.js';
import type { BackwardPlan } from '../../../passes/autodiff.js';
import { planMemory, type MemoryPlan } from '../../../passes/memory-plan.js';

/**
 * The device tensors of a WebGPU training run: the forward planner's table
 * (src/codegen/wgsl/program-tensors.ts: inputs, outputs and f32 master parameters in buffers of
 * their own, activations in shared buffers) laid out by the TRAINING memory plan
 * (planMemory(graph, plan)), so a value the backward reads stays alive until its step; plus what
 * training adds in the same shared buffers, as that plan places them:
 *  - `<node>.pre`: the anchor's own result of a fused node, saved by the forward for the backward;
 *  - every gradient of the plan (f32), except the loss seeds (a scalar 1 each, in buffers of their
 *    own, written once).
 * Tensors of the training machinery (solver state, the control block, statistics) are added with
 * `own()`, each in a buffer of its own.
 */
export interface TrainTensors {
  table: TensorTable;
  plan: MemoryPlan;
  /** The saved pre-epilogue tensor of each fused node, by node id. */
  pre: Map<string, string>;
  /** Adds a tensor in a buffer of its own and returns it. */
  own(id: string, type: NumberType, shape: readonly number[], role?: ProgramTensorRole): ProgramTensor;
  get(id: string): ProgramTensor;
  kernel(id: string): KernelTensor;
}

export function planTrainTensors(graph: Graph, backward: BackwardPlan, caps: WgslCapabilities): TrainTensors {
  const plan = planMemory(graph, backward);
  const table = planTensors(graph, plan, 'training', caps);
  const tensors = table.tensors;
  const planBuffer = new Map(plan.tensors.map((t) => [t.id, t.buffer] as const));
  // plan buffer -> program buffer, as planTensors numbered the activations
  const pools = new Map<number, number>();
  for (const t of tensors.values()) {
    const pb = planBuffer.get(t.id);
    if (t.pool !== undefined && pb !== undefined) pools.set(pb, t.pool);
  }
  const make = (id: string, role: ProgramTensorRole, type: NumberType, shape: readonly number[]): ProgramTensor => {
    const elements = sizeOf([...shape]);
    const t: ProgramTensor = { id, role, type, shape: [...shape], elements, bytes: packedBytes(type, elements) };
    const chunking = chunkingFor(type, elements, caps);
    if (chunking) t.chunking = chunking;
    return t;
  };
  const pooled = (planId: string, t: ProgramTensor) => {
    const pb = planBuffer.get(planId);
    let index = pb === undefined ? undefined : pools.get(pb);
    if (index === undefined) {
      index = table.buffers.length;
      const buf: ProgramBuffer = { index, kind: 'activation', bytes: 0, tensors: [] };
      table.buffers.push(buf);
      if (pb !== undefined) pools.set(pb, index);
    }
    const buf = table.buffers[index];
    buf.bytes = Math.max(buf.bytes, t.bytes);
    buf.tensors.push(t.id);
    t.pool = index;
    tensors.set(t.id, t);
  };
  const freshId = (want: string) => {
    let id = want;
    for (let k = 1; tensors.has(id) || graph.values.has(id); k++) id = `${want}#${k}`;
    return id;
  };

  const pre = new Map<string, string>();
  for (const node of graph.nodes) {
    if (!node.epilogue?.length) continue;
    const out = graph.values.get(node.outputs[0]);
    if (!out) continue;
    const id = freshId(`${node.id}.pre`);
    pooled(`${node.id}.pre`, make(id, 'activation', node.epilogue[0].inType ?? F32, out.type.shape));
    pre.set(node.id, id);
  }
  const seeds = new Set(backward.seeds.map((s) => s.grad));
  for (const [gid, info] of backward.gradients) {
    const t = make(gid, seeds.has(gid) ? 'param' : 'activation', F32, info.shape);
    if (seeds.has(gid)) tensors.set(gid, t);
    else pooled(gid, t);
  }
  for (const s of backward.seeds) {
    if (!tensors.has(s.grad)) tensors.set(s.grad, make(s.grad, 'param', F32, [...(graph.values.get(s.loss)?.type.shape ?? [])]));
  }

  const get = (id: string): ProgramTensor => {
    const t = tensors.get(id);
    if (!t) throw new Error(`internal: no device tensor '${id}' in the training program`);
    return t;
  };
  return {
    table,
    plan,
    pre,
    own(id, type, shape, role = 'param') {
      if (tensors.has(id)) throw new Error(`internal: tensor '${id}' added twice to the training program`);
      const t = make(id, role, type, shape);
      tensors.set(id, t);
      return t;
    },
    get,
    kernel(id) {
      const t = get(id);
      return t.chunking ? { id: t.id, type: t.type, shape: t.shape, chunking: { ...t.chunking } } : { id: t.id, type: t.type, shape: t.shape };
    },
  };
}
