import { isFixed, maxAbs as typeMaxAbs } from '../../numeric/number-type.js';
import type { TypeAssignment } from '../../runtime/quantize/assign-types.js';
import type { LayerRow } from '../../runtime/quantize/compare-layers.js';
import type { SweepConfig } from '../../runtime/quantize/policy.js';
import type { TensorStats } from '../../runtime/train/layer-stats.js';
import { octaveCounts } from '../../runtime/train/magnitude-histogram.js';

/**
 * The data of a sweep report (`report.json`, also inlined in report.html): the float reference,
 * one point per configuration and width with its accuracy (and fine-tuned accuracy) and
 * per-layer rows, and the calibration histograms of the quantized tensors with the range of the
 * type each got at the focus width. Plain JSON: numbers, strings, arrays; no Infinity or NaN.
 */

export interface LayerEntry {
  layer: string;
  op: string;
  kind: 'activation' | 'param';
  tensor: string;
  /** weights, bias, output, input; absent for layers that inherit their type. */
  slot?: string;
  type: string;
  how?: string;
  intBits?: number;
  fracBits?: number;
  floatSparsity?: number;
  fixedSparsity?: number;
  saturation?: number;
  maxAbs?: number;
  percentileValue?: number;
}

export interface SweepPoint {
  config: SweepConfig;
  bits: number;
  accuracy: number;
  loss: number;
  /** After --finetune-steps steps of training (absent without fine-tuning, or when it failed). */
  finetunedAccuracy?: number;
  /** The quantized net, relative to the report folder. */
  net: string;
  layers: LayerEntry[];
}

export interface HistogramBin {
  /** Magnitudes in (lower, upper]; lower 0 for the lowest bin. */
  lower: number;
  upper: number;
  count: number;
}

export interface TensorHistogram {
  tensor: string;
  layer: string;
  kind: 'activation' | 'param' | 'input';
  count: number;
  zeros: number;
  maxAbs: number;
  /** Octaves of |x| with elements (zeros are in `zeros`). */
  bins: HistogramBin[];
  /** The type at the focus width and what it represents: magnitudes from 2^-F to its largest value. */
  range?: { type: string; smallest: number; largest: number };
}

export interface SweepReport {
  format: 1;
  lpcVersion: string;
  created: string;
  net: { file: string; name: string };
  data: { name: string; testItems: number; calibrationItems: number };
  backend: { name: string; device: string };
  settings: {
    percentile: number;
    bias: 'own' | 'same';
    keepInputF32: boolean;
    keepLogitsF32: boolean;
    keepTypes: boolean;
    calibBatches: number;
    finetuneSteps: number;
  };
  float: { accuracy: number; loss: number };
  widths: number[];
  configs: SweepConfig[];
  /** The width the per-layer charts and the histogram ranges show. */
  focusBits: number;
  points: SweepPoint[];
  histograms: TensorHistogram[];
}

/** The width the per-layer charts show: 8 bits when swept, else the widest. */
export function focusWidth(widths: readonly number[]): number {
  return widths.includes(8) ? 8 : Math.max(...widths);
}

export function layerEntries(rows: readonly LayerRow[]): LayerEntry[] {
  return rows.map((r) => {
    const e: LayerEntry = { layer: r.layer, op: r.op, kind: r.kind, tensor: r.tensor, type: r.type };
    const d = r.decision;
    if (d) {
      e.slot = d.slot;
      e.how = d.how;
      if (isFixed(d.type)) {
        e.intBits = d.type.intBits;
        e.fracBits = d.type.fracBits;
      }
      if (d.choice) e.percentileValue = d.choice.percentileValue;
    }
    if (r.floatSparsity !== undefined) e.floatSparsity = r.floatSparsity;
    if (r.fixedSparsity !== undefined) e.fixedSparsity = r.fixedSparsity;
    if (r.saturation !== undefined) e.saturation = r.saturation;
    if (r.maxAbs !== undefined && Number.isFinite(r.maxAbs)) e.maxAbs = r.maxAbs;
    return e;
  });
}

/**
 * Histograms of the tensors `focus` chose a type for, from the calibration statistics, with the
 * range of that type marked.
 */
export function tensorHistograms(calibration: readonly TensorStats[], focus: TypeAssignment | undefined): TensorHistogram[] {
  const byTensor = new Map(calibration.map((s) => [s.tensor, s]));
  const out: TensorHistogram[] = [];
  for (const d of focus?.decisions ?? []) {
    if (d.how !== 'chosen' && d.how !== 'same-as-weights') continue;
    const s = byTensor.get(d.tensor);
    if (!s?.histogram || out.some((h) => h.tensor === d.tensor)) continue;
    const octaves = octaveCounts(s.histogram);
    const zeros = octaves.find((b) => b.upper === 0)?.count ?? 0;
    const h: TensorHistogram = {
      tensor: d.tensor,
      layer: d.layer,
      kind: d.slot === 'input' ? 'input' : d.slot === 'output' ? 'activation' : 'param',
      count: s.count,
      zeros,
      maxAbs: s.maxAbs,
      bins: octaves.filter((b) => b.upper > 0 && Number.isFinite(b.upper)),
    };
    if (isFixed(d.type)) h.range = { type: `fixed<${d.type.intBits}, ${d.type.fracBits}>`, smallest: 2 ** -d.type.fracBits, largest: typeMaxAbs(d.type) };
    out.push(h);
  }
  return out;
}
