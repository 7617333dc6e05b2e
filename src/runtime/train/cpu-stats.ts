import type { Graph, Value } from '../../ir/graph.js';
import { F32, isFixed, type NumberType } from '../../numeric/number-type.js';
import { quantizeTensor } from '../../numeric/quantize.js';
import type { Tensor } from '../../numeric/tensor.js';
import { getOp } from '../../ops/registry.js';
import { QUANTIZE_OP } from '../../passes/op-info.js';
import type { ForwardResult } from '../cpu/executor.js';
import { accumulateStats, emptyStats, type TensorStats } from './layer-stats.js';
import { emptyMagnitudeHistogram } from './magnitude-histogram.js';

/**
 * The CPU backend's layer statistics: accumulated from the traces of inference forward passes
 * (one TensorStats per node output, only the valid rows of a padded batch), and computed for the
 * parameters from their master values when asked.
 */
export class CpuStatsCollector {
  private readonly byNode = new Map<string, TensorStats>();
  /** Whether an add since the last take asked for histograms (the parameters' then get them too). */
  private histograms = false;

  constructor(private readonly graph: Graph) {}

  /** Adds one forward pass; `valid` of the batch's `batch` rows are real. `histograms`: also fill TensorStats.histogram. */
  add(forward: ForwardResult, batch: number, valid: number, opts: { histograms?: boolean } = {}): void {
    if (opts.histograms) this.histograms = true;
    for (const node of this.graph.nodes) {
      if (getOp(node.op)?.isLoss) continue; // scalars over the batch, not activations
      const trace = forward.traces.get(node.id);
      const value = this.graph.values.get(node.outputs[0]);
      if (!trace || !value) continue;
      const last = trace.stages[trace.stages.length - 1];
      let s = this.byNode.get(node.id);
      if (!s) {
        s = emptyStats(node.id, value.id, node.op, 'activation', value.type.dtype);
        this.byNode.set(node.id, s);
      }
      if (opts.histograms && !s.histogram) s.histogram = emptyMagnitudeHistogram();
      const out = last.output;
      const rows = out.shape[0] === batch && batch > 0 ? valid * (out.data.length / batch) : out.data.length;
      const quantized = last.op.name === QUANTIZE_OP && isFixed(last.args.outType.dtype) ? last.args.outType.dtype : undefined;
      const pre = quantized ? { values: last.args.inputs[0].data, type: quantized } : undefined;
      accumulateStats(s, out.data, 0, rows, pre);
    }
  }

  /** The activation stats in graph order, then each parameter's; resets the activation counters. */
  take(params: ReadonlyMap<string, Tensor>): TensorStats[] {
    const out: TensorStats[] = [];
    for (const node of this.graph.nodes) {
      const s = this.byNode.get(node.id);
      if (s) out.push(s);
    }
    this.byNode.clear();
    for (const id of this.graph.params) {
      const v = this.graph.values.get(id);
      const t = params.get(id);
      if (v && t) out.push(paramStats(this.graph, v, t, this.histograms));
    }
    this.histograms = false;
    return out;
  }
}

/** The type a parameter is used in: its parameter quantizer's or quantize node's target, else f32. */
export function usedParamType(graph: Graph, id: string): NumberType {
  for (const n of graph.nodes) {
    const q = n.paramQuantizers?.find((p) => p.param === id);
    if (q) return q.type;
    const to = n.attrs.to;
    if (n.op === QUANTIZE_OP && n.inputs[0] === id && typeof to === 'object' && !Array.isArray(to)) return to;
  }
  return F32;
}

/** Stats of a parameter as the net uses it: the master rounded (nearest) to its type; saturation against that type. */
function paramStats(graph: Graph, v: Value, master: Tensor, histogram: boolean): TensorStats {
  const owner = v.param?.owner ?? v.id;
  const op = graph.nodes.find((n) => n.id === owner)?.op ?? '';
  const type = usedParamType(graph, v.id);
  const s = emptyStats(owner, v.id, op, 'param', type);
  if (histogram) s.histogram = emptyMagnitudeHistogram();
  if (isFixed(type)) accumulateStats(s, quantizeTensor(master.data, type), 0, master.data.length, { values: master.data, type });
  else accumulateStats(s, master.data, 0, master.data.length);
  return s;
}
