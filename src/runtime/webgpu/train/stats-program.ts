import type { WgslCapabilities } from '../../../codegen/wgsl/lib/capabilities.js';
import type { KernelDispatch } from '../../../codegen/wgsl/lib/kernel.js';
import { F32, I32, isFixed, type FixedType, type NumberType } from '../../../numeric/number-type.js';
import { getOp } from '../../../ops/registry.js';
import { dataInputs, QUANTIZE_OP } from '../../../passes/op-info.js';
import { usedParamType } from '../../train/cpu-stats.js';
import { MAGNITUDE_EDGES } from '../../train/magnitude-histogram.js';
import { statsDispatch, STATS_WORDS, type StatsSource } from './kernels/tensor-stats.js';
import { nodeRequest, type NodeContext } from './node-kernels.js';

/**
 * What the statistics of a WebGPU run describe (SEMANTICS.md section 6, docs/training.md
 * "Statistics"): one block of counters per node output (losses and metrics excluded) in graph
 * order, then one per parameter, in one `#stats` buffer; the histogram edges in `#edges`.
 *
 * Activations are described right after their node's evaluation forward (while its buffers hold
 * them), over the valid rows only (the `count` uniform is rewritten when a batch's valid rows
 * change). A node whose last stage is an output quantizer (a fused quantize epilogue, or a
 * standalone quantize) is described with the quantizer's input as well: recomputed from the saved
 * pre-epilogue value through the stages before it, or read from the quantize's input. Parameters
 * are described as the net uses them: the master rounded (nearest) to its type, saturation against
 * that type.
 */
export interface StatsTarget {
  layer: string;
  tensor: string;
  op: string;
  kind: 'activation' | 'param';
  type: NumberType;
  /** Elements per batch row when axis 0 is the batch (counted over the valid rows), else undefined. */
  perRow?: number;
  elements: number;
  /** Word offset of its counters in the statistics buffer. */
  block: number;
  source: StatsSource;
}

export interface StatsPlan {
  activations: StatsTarget[];
  params: StatsTarget[];
  stats: string;
  edges: string;
  words: number;
  dispatch(t: StatsTarget, histograms: boolean): KernelDispatch;
}

export function planStats(c: NodeContext, caps: WgslCapabilities, batch: number): StatsPlan {
  const { graph, tensors } = c;
  const activations: StatsTarget[] = [];
  const params: StatsTarget[] = [];
  graph.nodes.forEach((node, index) => {
    if (getOp(node.op)?.isLoss) return;
    const value = graph.values.get(node.outputs[0]);
    if (!value) return;
    const elements = value.type.shape.reduce((a, d) => a * d, 1);
    activations.push({
      layer: node.id,
      tensor: value.id,
      op: node.op,
      kind: 'activation',
      type: value.type.dtype,
      ...(value.type.shape[0] === batch && batch > 0 ? { perRow: elements / batch } : {}),
      elements,
      block: 0,
      source: activationSource(c, index, value.type.dtype),
    });
  });
  for (const id of graph.params) {
    const v = graph.values.get(id);
    if (!v) continue;
    const owner = v.param?.owner ?? id;
    const type = usedParamType(graph, id);
    const master = tensors.kernel(id);
    params.push({
      layer: owner,
      tensor: id,
      op: graph.nodes.find((n) => n.id === owner)?.op ?? '',
      kind: 'param',
      type,
      elements: v.type.shape.reduce((a, d) => a * d, 1),
      block: 0,
      source: isFixed(type) ? { values: master, roundTo: type, quantizer: { tensor: master, stages: [], type } } : { values: master },
    });
  }
  [...activations, ...params].forEach((t, k) => (t.block = k * STATS_WORDS));
  const words = Math.max(1, activations.length + params.length) * STATS_WORDS;
  const stats = tensors.own('#stats', I32, [words]).id;
  const edges = tensors.own('#edges', F32, [MAGNITUDE_EDGES.length]).id;
  return {
    activations,
    params,
    stats,
    edges,
    words,
    dispatch: (t, histograms) =>
      statsDispatch({ capabilities: caps, source: t.source, count: t.elements, stats, block: t.block, ...(histograms ? { edges } : {}), label: `${t.tensor} (statistics)` }),
  };
}

/** What a node's output is described from: the output, and the input of its final quantizer when it has one. */
function activationSource(c: NodeContext, index: number, outType: NumberType): StatsSource {
  const node = c.graph.nodes[index];
  const values = c.tensors.kernel(node.outputs[0]);
  const epilogue = node.epilogue ?? [];
  if (!isFixed(outType)) return { values };
  if (epilogue.length > 0 && epilogue[epilogue.length - 1].op === QUANTIZE_OP) {
    const pre = c.tensors.pre.get(node.id);
    const req = nodeRequest(c, node, index, false).request;
    if (!pre || !req) return { values };
    return { values, quantizer: { tensor: c.tensors.kernel(pre), stages: req.epilogue.slice(0, -1), type: outType as FixedType } };
  }
  if (epilogue.length === 0 && node.op === QUANTIZE_OP) {
    const input = dataInputs(c.graph, node)[0];
    if (input !== undefined) return { values, quantizer: { tensor: c.tensors.kernel(input), stages: [], type: outType as FixedType } };
  }
  return { values };
}
