import { formatNumberType } from '../../numeric/number-type.js';
import { saturation, sparsity, type TensorStats } from '../train/layer-stats.js';
import type { TypeAssignment, TypeDecision } from './assign-types.js';

/**
 * The per-layer comparison printed after quantizing and drawn in the report: for every layer
 * output of the float net, its sparsity (share of exact zeros, the seed's headline metric) in the
 * float net and in the fixed-point net and, where the fixed net applies a type to it, the share
 * of values its quantizer saturated; then one row per quantized parameter (saturation against
 * its type, and the share of weights that round to zero).
 */

export interface LayerRow {
  /** The node (or input) the row is about. */
  layer: string;
  op: string;
  kind: 'activation' | 'param';
  /** The tensor: the layer's output value, or the parameter id. */
  tensor: string;
  /** Its number type in the fixed-point net (`f32` when it has none). */
  type: string;
  /** How the type came about, when the layer declares one. */
  decision?: TypeDecision;
  floatSparsity?: number;
  fixedSparsity?: number;
  /** Share of elements the type clamped (undefined for f32 tensors). */
  saturation?: number;
  maxAbs?: number;
}

export function compareLayers(assignment: TypeAssignment, float: readonly TensorStats[], fixed: readonly TensorStats[]): LayerRow[] {
  const fixedBy = new Map(fixed.map((s) => [s.tensor, s]));
  const decisionBy = new Map<string, TypeDecision>();
  for (const d of assignment.decisions) decisionBy.set(d.tensor, d);
  const rows: LayerRow[] = [];
  for (const f of float) {
    if (f.kind !== 'activation') continue;
    const q = fixedBy.get(f.tensor);
    const d = decisionBy.get(f.tensor);
    const typed = q !== undefined && q.type !== 'f32';
    rows.push({
      layer: f.layer,
      op: f.op,
      kind: 'activation',
      tensor: f.tensor,
      type: q?.type ?? (d ? formatNumberType(d.type) : 'f32'),
      decision: d,
      floatSparsity: sparsity(f),
      fixedSparsity: q ? sparsity(q) : undefined,
      saturation: typed ? saturation(q) : undefined,
      maxAbs: f.maxAbs,
    });
  }
  for (const d of assignment.decisions) {
    if (d.slot !== 'weights' && d.slot !== 'bias') continue;
    const q = fixedBy.get(d.tensor);
    const f = float.find((s) => s.tensor === d.tensor);
    rows.push({
      layer: d.layer,
      op: d.op,
      kind: 'param',
      tensor: d.tensor,
      type: formatNumberType(d.type),
      decision: d,
      floatSparsity: f ? sparsity(f) : undefined,
      fixedSparsity: q ? sparsity(q) : undefined,
      saturation: q && q.type !== 'f32' ? saturation(q) : undefined,
      maxAbs: f?.maxAbs,
    });
  }
  return rows;
}
