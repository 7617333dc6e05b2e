import type { Graph, Node } from '../../ir/graph.js';
import { F32, formatNumberType, isFixed, packedBytes, sameNumberType, type NumberType } from '../../numeric/number-type.js';
import { sizeOf } from '../../numeric/tensor.js';
import type { MemoryPlan } from '../../passes/memory-plan.js';
import { masterParam } from '../../passes/op-info.js';
import type { WgslCapabilities } from './lib/capabilities.js';
import { storageLayout } from './lib/packing.js';
import type { ProgramBuffer, ProgramTensor } from './program-types.js';

/**
 * The tensor table of a WGSL program: which device tensor holds each value of the planned graph,
 * in which storage type, and in which buffer.
 *
 * Parameters. At inference a typed parameter is uploaded already rounded to its quantizer's type
 * (packed codes): the kernel reads the narrow tensor and rounds nothing, and the weight buffers
 * are as small as the types say. A parameter read at two types (or both rounded and as f32)
 * gets one stored tensor per type. In training the kernels read the f32 master and round it
 * while loading (KernelRequest.paramQuantizers), since the master changes every step.
 */

/** The quantizer a node applies to its parameter `id` itself: fusion's ParamQuantizer, or a declared type left implicit. */
export function nodeParamQuantizer(graph: Graph, node: Node, id: string): NumberType | undefined {
  const q = node.paramQuantizers?.find((p) => p.param === id);
  if (q && isFixed(q.type)) return q.type;
  const v = graph.values.get(id);
  const slot = masterParam(graph, id)?.param?.slot;
  if (v?.role !== 'param' || (slot !== 'weights' && slot !== 'bias')) return undefined;
  const declared = node.types[slot];
  return declared && isFixed(declared) ? declared : undefined;
}

/**
 * Chunking of a tensor larger than one storage binding: chunks of as many whole 256-byte blocks
 * as a binding holds (so every chunk starts at an offset any adapter can bind), a multiple of the
 * codes per word. Undefined when the tensor fits one binding.
 */
export function chunkingFor(type: NumberType, elements: number, caps: WgslCapabilities): { chunks: number; chunkElements: number } | undefined {
  if (packedBytes(type, elements) <= caps.maxStorageBufferBindingSize) return undefined;
  const { lanes } = storageLayout(type);
  const blocks = Math.floor(caps.maxStorageBufferBindingSize / 256);
  const chunkElements = blocks * 64 * lanes;
  return { chunks: Math.ceil(elements / chunkElements), chunkElements };
}

function tensorOf(id: string, role: ProgramTensor['role'], type: NumberType, shape: readonly number[], caps: WgslCapabilities): ProgramTensor {
  const elements = sizeOf(shape);
  const t: ProgramTensor = { id, role, type, shape: [...shape], elements, bytes: packedBytes(type, elements) };
  const chunking = chunkingFor(type, elements, caps);
  if (chunking) t.chunking = chunking;
  return t;
}

export interface TensorTable {
  tensors: Map<string, ProgramTensor>;
  buffers: ProgramBuffer[];
  /**
   * The device tensor a node reads for its parameter input `param` (inference: the stored
   * variant of the type the node rounds it to; training: the master).
   */
  paramTensor(node: Node, param: string): string;
}

export function planTensors(graph: Graph, memory: MemoryPlan | undefined, mode: 'inference' | 'training', caps: WgslCapabilities): TensorTable {
  const tensors = new Map<string, ProgramTensor>();
  const add = (t: ProgramTensor) => tensors.set(t.id, t);
  const typeOf = (id: string) => graph.values.get(id)!.type;

  for (const id of graph.inputs) add(tensorOf(id, 'input', typeOf(id).dtype, typeOf(id).shape, caps));
  for (const o of [...graph.outputs, ...graph.losses]) {
    if (!tensors.has(o.value) && graph.values.has(o.value)) add(tensorOf(o.value, 'output', typeOf(o.value).dtype, typeOf(o.value).shape, caps));
  }

  // Parameters: one stored variant per type the nodes read them in.
  const variants = new Map<string, NumberType[]>();
  const wanted = (node: Node, param: string): NumberType => (mode === 'inference' ? (nodeParamQuantizer(graph, node, param) ?? F32) : F32);
  for (const node of graph.nodes) {
    for (const param of node.inputs.filter((id) => graph.values.get(id)?.role === 'param')) {
      const list = variants.get(param) ?? [];
      const t = wanted(node, param);
      if (!list.some((x) => sameNumberType(x, t))) list.push(t);
      variants.set(param, list);
    }
  }
  const variantId = (param: string, t: NumberType) => ((variants.get(param)?.length ?? 1) > 1 ? `${param}@${formatNumberType(t)}` : param);
  for (const param of graph.params) {
    const list = variants.get(param) ?? [F32];
    for (const t of list) add({ ...tensorOf(variantId(param, t), 'param', t, typeOf(param).shape, caps), stored: { param, type: t } });
  }

  // Activations: every other value a node writes, in the memory plan's buffers.
  const planBuffer = new Map((memory?.tensors ?? []).map((t) => [t.id, t.buffer]));
  const poolIndex = new Map<number, number>();
  const buffers: ProgramBuffer[] = [];
  for (const node of graph.nodes) {
    for (const id of node.outputs) {
      if (tensors.has(id)) continue;
      const t = tensorOf(id, 'activation', typeOf(id).dtype, typeOf(id).shape, caps);
      // A value the plan does not list (a graph planned without memory) gets a buffer of its own.
      const key = planBuffer.get(id) ?? -1 - buffers.length;
      let index = poolIndex.get(key);
      if (index === undefined) {
        index = buffers.length;
        poolIndex.set(key, index);
        buffers.push({ index, kind: 'activation', bytes: 0, tensors: [] });
      }
      buffers[index].bytes = Math.max(buffers[index].bytes, t.bytes);
      buffers[index].tensors.push(id);
      t.pool = index;
      add(t);
    }
  }

  return {
    tensors,
    buffers,
    paramTensor: (node, param) => variantId(param, wanted(node, param)),
  };
}
