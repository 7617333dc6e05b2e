import { fixed, type FixedType } from '../../numeric/number-type.js';
import { countAtMost, histogramTotal, percentileBin } from '../train/magnitude-histogram.js';

/**
 * Bit selection: for a total width W and a tensor's magnitude histogram, the fixed<I, F> with
 * the smallest I (sign bit included) whose largest value holds the chosen percentile of |x|:
 *
 *   maxRep(I, F) = 2^(I-1) - 2^-F  (saturate_symmetric, SEMANTICS.md section 1),  F = W - I,
 *   I = the smallest I in [1, W] with maxRep(I, W - I) >= p-th percentile of |x|.
 *
 * The percentile is the nearest-rank one: the r-th smallest |x| with r = ceil(p * n) over the n
 * finite elements, so "it fits" is "at least r elements have |x| <= maxRep", which the histogram
 * answers exactly (its edges include every maxRep). Magnitudes: negative values count by |x|.
 * All-zero and empty tensors take I = 1. When even I = W is too narrow, I = W and `clipped`.
 */

export interface FixedChoice {
  type: FixedType;
  /** The width asked for. */
  bits: number;
  /** The share p of |x| that had to fit (0.9999 for --percentile 99.99). */
  percentile: number;
  /** The p-th percentile of |x|, estimated inside its histogram bin (exact when it is the maximum), for messages. */
  percentileValue: number;
  maxAbs: number;
  /** Finite elements seen. */
  elements: number;
  /** Share of the elements with |x| <= the type's largest value. */
  covered: number;
  /** True when even all W bits as integer bits cannot hold the percentile. */
  clipped: boolean;
}

/** What bit selection reads: a magnitude histogram (layer-stats' `histogram`) and the exact max |x|. */
export interface MagnitudeStats {
  histogram: readonly number[];
  maxAbs: number;
}

/** Largest magnitude of fixed<I, F> with symmetric saturation: 2^(I-1) - 2^-F. */
export function maxRepresentable(intBits: number, fracBits: number): number {
  return 2 ** (intBits - 1) - 2 ** -fracBits;
}

export function chooseFixed(stats: MagnitudeStats, bits: number, percentile: number): FixedChoice {
  if (!Number.isInteger(bits) || bits < 2 || bits > 32) throw new RangeError(`width ${bits} is outside 2..32`);
  const n = histogramTotal(stats.histogram);
  const at = percentileBin(stats.histogram, percentile, stats.maxAbs);
  const rank = at?.rank ?? 0;
  const make = (intBits: number, fits: number, clipped: boolean): FixedChoice => ({
    type: fixed(intBits, bits - intBits),
    bits,
    percentile,
    percentileValue: at?.estimate ?? 0,
    maxAbs: stats.maxAbs,
    elements: n,
    covered: n === 0 ? 1 : fits / n,
    clipped,
  });
  let fits = 0;
  for (let intBits = 1; intBits <= bits; intBits++) {
    fits = countAtMost(stats.histogram, maxRepresentable(intBits, bits - intBits));
    if (fits >= rank) return make(intBits, fits, false);
  }
  return make(bits, fits, true);
}

/** Short numbers for comments and tables: 3 significant digits (`3.1`, `0.00012`, `250`). */
export function shortNumber(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  return String(Number(x.toPrecision(3)));
}

/** `p99.99` for 0.9999. */
export function percentileLabel(fraction: number): string {
  return `p${Number((fraction * 100).toPrecision(10))}`;
}

/** `max |x| 3.1, p99.99 2.7 -> fixed<3, 5>` (with `(only 97.5% fit)` when clipped). */
export function describeChoice(c: FixedChoice, typeText: string): string {
  const short = c.clipped ? ` (only ${(100 * c.covered).toFixed(c.covered > 0.999 ? 3 : 1)}% fit)` : '';
  if (c.elements === 0) return `no values seen -> ${typeText}`;
  return `max |x| ${shortNumber(c.maxAbs)}, ${percentileLabel(c.percentile)} ${shortNumber(c.percentileValue)} -> ${typeText}${short}`;
}
