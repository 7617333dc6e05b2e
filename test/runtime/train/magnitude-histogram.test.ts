import { describe, expect, it } from 'vitest';
import { emptyStats, accumulateStats, mergeStats } from '../../../src/runtime/train/layer-stats.js';
import {
  countAtMost,
  emptyMagnitudeHistogram,
  MAGNITUDE_BINS,
  MAGNITUDE_EDGES,
  magnitudeBin,
  octaveCounts,
  percentileBin,
} from '../../../src/runtime/train/magnitude-histogram.js';
import { F32 } from '../../../src/numeric/number-type.js';

function histogramOf(values: number[]): number[] {
  const h = emptyMagnitudeHistogram();
  for (const v of values) h[magnitudeBin(Math.abs(v))]++;
  return h;
}

describe('magnitude histogram', () => {
  it('has ascending f32 edges starting at 0, including every largest value 2^(I-1) - 2^-F up to width 25', () => {
    expect(MAGNITUDE_EDGES[0]).toBe(0);
    expect(MAGNITUDE_BINS).toBe(MAGNITUDE_EDGES.length + 1);
    for (let k = 1; k < MAGNITUDE_EDGES.length; k++) expect(MAGNITUDE_EDGES[k]).toBeGreaterThan(MAGNITUDE_EDGES[k - 1]);
    for (const e of MAGNITUDE_EDGES) expect(Math.fround(e)).toBe(e);
    const edges = new Set(MAGNITUDE_EDGES);
    for (let w = 2; w <= 25; w++) for (let i = 1; i <= w; i++) expect(edges.has(2 ** (i - 1) - 2 ** -(w - i)), `fixed<${i}, ${w - i}>`).toBe(true);
    // Wider types: the f32 just below 2^(I-1) decides them.
    for (let i = 1; i <= 32; i++) expect(edges.has(2 ** (i - 1) * (1 - 2 ** -24))).toBe(true);
  });

  it('bins are (previous edge, edge]: zeros in bin 0, an edge value in its own bin, overflow last', () => {
    expect(magnitudeBin(0)).toBe(0);
    const k = MAGNITUDE_EDGES.indexOf(2);
    expect(magnitudeBin(2)).toBe(k);
    expect(magnitudeBin(Math.fround(2 + 2 ** -22))).toBe(k + 1);
    expect(magnitudeBin(1e30)).toBe(MAGNITUDE_BINS - 1);
  });

  it('counts elements at most a limit exactly at edges, and finds the nearest-rank percentile', () => {
    const h = histogramOf([0, 0.25, -0.5, 1.5, -3, 3]);
    expect(countAtMost(h, 0)).toBe(1);
    expect(countAtMost(h, 1.5)).toBe(4);
    expect(countAtMost(h, 2.9375)).toBe(4); // fixed<3, 4>'s largest value
    expect(countAtMost(h, 3)).toBe(6);
    // rank ceil(0.5 * 6) = 3: the third smallest |x| is 0.5.
    const p = percentileBin(h, 0.5, 3)!;
    expect(p.rank).toBe(3);
    expect(p.lower).toBeLessThan(0.5);
    expect(p.upper).toBeGreaterThanOrEqual(0.5);
    // The 100th percentile is the maximum, exactly.
    expect(percentileBin(h, 1, 3)!.estimate).toBe(3);
    expect(percentileBin(emptyMagnitudeHistogram(), 0.99, 0)).toBeUndefined();
  });

  it('sums to octaves for charts', () => {
    const o = octaveCounts(histogramOf([0, 0, 0.3, 0.4, 3, 2]));
    expect(o).toEqual([
      { lower: 0, upper: 0, count: 2 },
      { lower: 0.25, upper: 0.5, count: 2 },
      { lower: 1, upper: 2, count: 1 },
      { lower: 2, upper: 4, count: 1 },
    ]);
  });

  it('layer statistics fill and merge it when asked for, and not otherwise', () => {
    const a = emptyStats('l', 't', 'conv', 'activation', F32);
    const b = emptyStats('l', 't', 'conv', 'activation', F32);
    b.histogram = emptyMagnitudeHistogram();
    accumulateStats(a, [1, -2, 0], 0, 3);
    accumulateStats(b, [1, -2, 0, NaN, Infinity], 0, 5);
    expect(a.histogram).toBeUndefined();
    expect(b.histogram!.reduce((x, y) => x + y, 0)).toBe(3); // finite values only
    mergeStats(a, b);
    expect(a.histogram).toEqual(b.histogram);
    mergeStats(a, b);
    expect(countAtMost(a.histogram!, 2)).toBe(6);
  });
});
