/**
 * The calibration histogram of |x| (`TensorStats.histogram`): counts of finite magnitudes in bins
 * whose edges are chosen so that picking a fixed-point type from it is exact.
 *
 * Bin k counts the elements with EDGES[k-1] < |x| <= EDGES[k]; bin 0 (EDGES[0] = 0) holds the
 * exact zeros and the last bin (index EDGES.length) the magnitudes above the largest edge. The
 * edges, all of them f32 values so a GPU compares an f32 |x| with them exactly, are the union of
 *
 *   - log2-spaced edges: 2^e * (1 + j/8) for e = -24 .. 31 and j = 0 .. 7 (eight bins per octave,
 *     for charts and for estimating percentiles), and
 *   - every largest representable magnitude of a saturate_symmetric fixed<I, F>:
 *     2^(I-1) - 2^-F for 1 <= I <= 32 and widths I + F up to 25, plus the f32 just below 2^(I-1)
 *     for every I (wider types hold every f32 below 2^(I-1), so that edge decides them).
 *
 * So "how many elements fit in fixed<I, F>" (|x| <= 2^(I-1) - 2^-F) is a sum of whole bins for
 * every type of width 2..32: a chosen percentile fits exactly, including values sitting exactly
 * on a power of two or on the largest representable value. The counters merge by addition.
 *
 * A backend computes the bin of an element by a binary search over EDGES (10 comparisons) and
 * one atomic increment: docs/training.md, "Calibration histograms".
 */

const SUB_BINS_PER_OCTAVE = 8;
const MIN_OCTAVE = -24;
const MAX_OCTAVE = 31;
const MAX_INT_BITS = 32;
/** Widths whose largest value is an f32 (W - 1 significant bits <= 24). */
const MAX_EXACT_WIDTH = 25;

function buildEdges(): Float64Array {
  const edges = new Set<number>([0]);
  for (let e = MIN_OCTAVE; e <= MAX_OCTAVE; e++) {
    for (let j = 0; j < SUB_BINS_PER_OCTAVE; j++) {
      if (e === MAX_OCTAVE && j > 0) break;
      edges.add(2 ** e * (1 + j / SUB_BINS_PER_OCTAVE));
    }
  }
  for (let i = 1; i <= MAX_INT_BITS; i++) {
    for (let w = Math.max(2, i); w <= MAX_EXACT_WIDTH; w++) edges.add(2 ** (i - 1) - 2 ** (i - w));
    edges.add(2 ** (i - 1) - 2 ** (i - 1 - 24)); // the f32 just below 2^(I-1)
  }
  return Float64Array.from([...edges].sort((a, b) => a - b));
}

/** Upper edges of the bins, ascending (EDGES[0] = 0). */
export const MAGNITUDE_EDGES: Float64Array = buildEdges();
/** Counters per histogram: one per edge plus the overflow bin. */
export const MAGNITUDE_BINS = MAGNITUDE_EDGES.length + 1;

export function emptyMagnitudeHistogram(): number[] {
  return new Array<number>(MAGNITUDE_BINS).fill(0);
}

/** The bin of a finite magnitude a >= 0: the first k with a <= EDGES[k], or the overflow bin. */
export function magnitudeBin(a: number): number {
  let lo = 0;
  let hi = MAGNITUDE_EDGES.length; // answer in [lo, hi]
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a <= MAGNITUDE_EDGES[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** Elements of the histogram with |x| <= limit, counting whole bins only (exact when limit is an edge). */
export function countAtMost(histogram: readonly number[], limit: number): number {
  let n = 0;
  for (let k = 0; k < MAGNITUDE_EDGES.length && MAGNITUDE_EDGES[k] <= limit; k++) n += histogram[k];
  return n;
}

export function histogramTotal(histogram: readonly number[]): number {
  let n = 0;
  for (const c of histogram) n += c;
  return n;
}

/**
 * The nearest-rank percentile of |x| (the r-th smallest magnitude, r = ceil(p * total)) located
 * in its bin: `upper` is the bin's upper edge (maxAbs for the overflow bin), `estimate` a linear
 * interpolation inside the bin by rank, for display. Undefined for an empty histogram.
 */
export function percentileBin(
  histogram: readonly number[],
  fraction: number,
  maxAbs: number,
): { rank: number; bin: number; lower: number; upper: number; estimate: number } | undefined {
  const total = histogramTotal(histogram);
  if (total === 0) return undefined;
  const rank = Math.min(total, Math.max(1, Math.ceil(fraction * total - 1e-9)));
  let below = 0;
  for (let k = 0; k < histogram.length; k++) {
    const c = histogram[k];
    if (below + c >= rank) {
      const lower = k === 0 ? 0 : MAGNITUDE_EDGES[k - 1];
      const upper = k < MAGNITUDE_EDGES.length ? Math.min(MAGNITUDE_EDGES[k], maxAbs) : maxAbs;
      if (k === 0) return { rank, bin: k, lower: 0, upper: 0, estimate: 0 };
      // The largest element is known exactly; inside a bin, interpolate by rank.
      const estimate = rank === total ? maxAbs : lower + ((rank - below) / c) * (upper - lower);
      return { rank, bin: k, lower, upper, estimate: Math.max(Math.min(estimate, upper), lower) };
    }
    below += c;
  }
  return undefined;
}

/** Counts per octave, for charts: zeros, then (2^(j-1), 2^j] for each octave j that has elements, then above 2^31. */
export function octaveCounts(histogram: readonly number[]): { lower: number; upper: number; count: number }[] {
  const byOctave = new Map<number, number>();
  let zeros = 0;
  let over = 0;
  for (let k = 0; k < histogram.length; k++) {
    const c = histogram[k];
    if (c === 0) continue;
    if (k === 0) zeros += c;
    else if (k === MAGNITUDE_EDGES.length) over += c;
    else {
      const j = Math.max(MIN_OCTAVE, Math.ceil(Math.log2(MAGNITUDE_EDGES[k])));
      byOctave.set(j, (byOctave.get(j) ?? 0) + c);
    }
  }
  const out: { lower: number; upper: number; count: number }[] = [];
  if (zeros > 0) out.push({ lower: 0, upper: 0, count: zeros });
  for (const j of [...byOctave.keys()].sort((a, b) => a - b)) {
    out.push({ lower: j === MIN_OCTAVE ? 0 : 2 ** (j - 1), upper: 2 ** j, count: byOctave.get(j) ?? 0 });
  }
  if (over > 0) out.push({ lower: 2 ** MAX_OCTAVE, upper: Infinity, count: over });
  return out;
}
