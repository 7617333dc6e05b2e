import { formatNumberType, type FixedType, type NumberType } from '../../numeric/number-type.js';
import { emptyQuantizeStats, quantizeCodeCounted } from '../../numeric/quantize.js';
import { magnitudeBin } from './magnitude-histogram.js';

/**
 * Per-layer statistics (SEMANTICS.md section 6), as counters that any backend can accumulate
 * where the tensors live (a WGSL reduction on the GPU, loops on the CPU) and that merge by
 * addition, min and max:
 *
 *   count, zeros       elements, and elements exactly 0 (activation sparsity = zeros / count)
 *   saturated          elements the layer's output quantizer clamped (|x| beyond the type's range
 *                      before rounding); 0 for f32 tensors
 *   nan, infinite      non-finite elements (for a quantized output: before its quantizer, which
 *                      maps NaN to 0 and infinities to the range ends)
 *   min, max, maxAbs   over the finite elements
 *   exponents          256 counters by the biased f32 exponent of |x| (the bits 23..30 of the f32):
 *                      finite |x| in [2^(e-127), 2^(e-126)) lands in bin e; zeros and subnormals
 *                      in bin 0. It is what a suggested fixed<I, F> needs (suggestFixed), and a GPU
 *                      computes it with one bitcast and an atomic add.
 *   histogram          optional (calibration, `evaluate` with `histograms`): finite |x| counted
 *                      in the bins of magnitude-histogram.ts, whose edges make choosing a
 *                      fixed<I, F> for any width exact (lpc quantize).
 */

export const EXPONENT_BINS = 256;
const F32_BIAS = 127;

export interface TensorStats {
  /** The layer: the node that computes the tensor (for a parameter, the node that owns it). */
  layer: string;
  /** The tensor: the node's output value id, or the parameter id. */
  tensor: string;
  op: string;
  kind: 'activation' | 'param';
  /** The tensor's number type, spelled as in the language (`fixed<4, 4>`, `f32`). */
  type: string;
  count: number;
  zeros: number;
  saturated: number;
  nan: number;
  infinite: number;
  min: number;
  max: number;
  maxAbs: number;
  exponents: number[];
  /** Present when asked for (calibration): counts by magnitude-histogram.ts's bins of the finite |x|. */
  histogram?: number[];
}

export function emptyStats(layer: string, tensor: string, op: string, kind: TensorStats['kind'], type: NumberType): TensorStats {
  return {
    layer,
    tensor,
    op,
    kind,
    type: formatNumberType(type),
    count: 0,
    zeros: 0,
    saturated: 0,
    nan: 0,
    infinite: 0,
    min: Infinity,
    max: -Infinity,
    maxAbs: 0,
    exponents: new Array<number>(EXPONENT_BINS).fill(0),
  };
}

const f32Scratch = new Float32Array(1);
const bitsScratch = new Uint32Array(f32Scratch.buffer);

/** The biased f32 exponent of |x| (0 for zeros and subnormals). */
export function exponentBin(x: number): number {
  f32Scratch[0] = x;
  return (bitsScratch[0] >>> 23) & 0xff;
}

/**
 * Adds elements [begin, end) of `values`. `pre`, when the values came out of a quantizer, holds
 * the quantizer's input and type: saturation and non-finite counts are taken from it (with the
 * inference rounding, as evaluation runs it).
 */
export function accumulateStats(
  s: TensorStats,
  values: ArrayLike<number>,
  begin: number,
  end: number,
  pre?: { values: ArrayLike<number>; type: FixedType },
): void {
  const q = emptyQuantizeStats();
  for (let i = begin; i < end; i++) {
    const x = values[i];
    s.count++;
    if (pre) {
      const before = pre.values[i];
      if (Number.isNaN(before)) s.nan++;
      else if (!Number.isFinite(before)) s.infinite++;
      quantizeCodeCounted(before, pre.type, undefined, q);
    }
    if (Number.isNaN(x)) {
      if (!pre) s.nan++;
      continue;
    }
    if (!Number.isFinite(x)) {
      if (!pre) s.infinite++;
      continue;
    }
    if (x === 0) s.zeros++;
    if (x < s.min) s.min = x;
    if (x > s.max) s.max = x;
    const a = Math.abs(x);
    if (a > s.maxAbs) s.maxAbs = a;
    s.exponents[exponentBin(a)]++;
    if (s.histogram) s.histogram[magnitudeBin(a)]++;
  }
  // quantizeCodeCounted counts infinities as saturated; they are reported as infinite already.
  s.saturated += q.saturated - (pre ? countInfinite(pre.values, begin, end) : 0);
}

function countInfinite(values: ArrayLike<number>, begin: number, end: number): number {
  let n = 0;
  for (let i = begin; i < end; i++) if (values[i] === Infinity || values[i] === -Infinity) n++;
  return n;
}

/** Adds `from` into `into` (same tensor). */
export function mergeStats(into: TensorStats, from: TensorStats): void {
  into.count += from.count;
  into.zeros += from.zeros;
  into.saturated += from.saturated;
  into.nan += from.nan;
  into.infinite += from.infinite;
  into.min = Math.min(into.min, from.min);
  into.max = Math.max(into.max, from.max);
  into.maxAbs = Math.max(into.maxAbs, from.maxAbs);
  for (let e = 0; e < EXPONENT_BINS; e++) into.exponents[e] += from.exponents[e];
  if (from.histogram) {
    if (!into.histogram) into.histogram = [...from.histogram];
    else for (let k = 0; k < from.histogram.length; k++) into.histogram[k] += from.histogram[k];
  }
}

/** Finite elements counted. */
export function finiteCount(s: TensorStats): number {
  return s.count - s.nan - s.infinite;
}

/** Share of exact zeros among the elements (the seed's activation sparsity). */
export function sparsity(s: TensorStats): number {
  return s.count === 0 ? 0 : s.zeros / s.count;
}

export function saturation(s: TensorStats): number {
  return s.count === 0 ? 0 : s.saturated / s.count;
}

export const DEFAULT_STATS_PERCENTILE = 0.999;

/**
 * The fixed<I, F> of total width `width` that keeps the chosen percentile of |x| in range: the
 * smallest I >= 1 such that at least `percentile` of the finite elements have |x| < 2^(I-1),
 * and F = width - I. Exact from the exponent bins, because 2^(I-1) is a bin boundary.
 * `covered` is the share of elements that fit; it is below `percentile` only when even I = width
 * is too narrow. Undefined when there are no finite elements.
 */
export function suggestFixed(s: TensorStats, width: number, percentile = DEFAULT_STATS_PERCENTILE): { intBits: number; fracBits: number; covered: number } | undefined {
  const total = finiteCount(s);
  if (total === 0) return undefined;
  let below = 0;
  let bin = 0;
  for (let intBits = 1; intBits <= width; intBits++) {
    const limit = F32_BIAS + intBits - 1; // bins below this hold |x| < 2^(intBits-1)
    while (bin < limit && bin < EXPONENT_BINS) below += s.exponents[bin++];
    if (below >= percentile * total || intBits === width) return { intBits, fracBits: width - intBits, covered: below / total };
  }
  return undefined;
}

/** Stats as JSON-safe data (infinite min/max of an empty tensor become null). */
export function statsToJson(s: TensorStats): Record<string, unknown> {
  return { ...s, min: Number.isFinite(s.min) ? s.min : null, max: Number.isFinite(s.max) ? s.max : null };
}
