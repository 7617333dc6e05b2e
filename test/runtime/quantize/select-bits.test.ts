import { describe, expect, it } from 'vitest';
import { rngUniform } from '../../../src/numeric/rng.js';
import { emptyMagnitudeHistogram, magnitudeBin } from '../../../src/runtime/train/magnitude-histogram.js';
import { chooseFixed, describeChoice, maxRepresentable, type MagnitudeStats } from '../../../src/runtime/quantize/select-bits.js';

/** Statistics of a tensor as a backend would gather them (values as f32, like every net value). */
function stats(values: number[]): MagnitudeStats {
  const histogram = emptyMagnitudeHistogram();
  let maxAbs = 0;
  for (const v of values) {
    const a = Math.abs(Math.fround(v));
    histogram[magnitudeBin(a)]++;
    maxAbs = Math.max(maxAbs, a);
  }
  return { histogram, maxAbs };
}

const intBits = (values: number[], bits: number, percentile = 0.9999) => chooseFixed(stats(values), bits, percentile).type.intBits;

/** The definition, computed directly: the nearest-rank percentile of |x| against every candidate I. */
function reference(values: number[], bits: number, p: number): number {
  const sorted = values.map((v) => Math.abs(Math.fround(v))).sort((a, b) => a - b);
  const v = sorted[Math.max(1, Math.ceil(p * sorted.length - 1e-9)) - 1];
  for (let i = 1; i <= bits; i++) if (maxRepresentable(i, bits - i) >= v) return i;
  return bits;
}

describe('bit selection: the smallest I whose largest value 2^(I-1) - 2^-F holds the percentile of |x|', () => {
  it('a negative-only tensor is measured by |x|: values down to -3 need I = 3 at 8 bits (max 3.96875), not I = 1', () => {
    const values = Array.from({ length: 1000 }, (_, i) => -0.1 - (2.9 * i) / 999); // -0.1 .. -3
    expect(Math.min(...values)).toBeCloseTo(-3, 12);
    expect(intBits(values, 8, 1)).toBe(3);
    const c = chooseFixed(stats(values), 8, 1);
    expect(c.type).toMatchObject({ intBits: 3, fracBits: 5 });
    expect(c.maxAbs).toBeCloseTo(3, 6);
    expect(c.covered).toBe(1);
  });

  it('a single outlier is ignored when it lies beyond the percentile\'s rank, and decides I when it does not', () => {
    // 100000 values in [-0.9, 0.9] and one at 100: p99.99 has rank 99991 of 100001, below the outlier.
    const many = Array.from({ length: 100_000 }, (_, i) => 0.9 * (2 * rngUniform(7, 0, 0, i) - 1));
    expect(intBits([...many, 100], 8)).toBe(1); // 0.9 <= 1 - 2^-7
    const c = chooseFixed(stats([...many, 100]), 8, 0.9999);
    expect(c.clipped).toBe(false);
    expect(c.maxAbs).toBe(100);
    expect(c.covered).toBeCloseTo(100_000 / 100_001, 9);
    // 999 values and one outlier: rank ceil(0.9999 * 1000) = 1000 is the outlier itself.
    expect(intBits([...many.slice(0, 999), 100], 8)).toBe(8); // 100 needs 2^(I-1) - 2^-F >= 100: I = 8 at 8 bits (max 127)
    expect(intBits([...many.slice(0, 999), 100], 16)).toBe(8); // fixed<8, 8>: max 127.99609375
  });

  it('an all-zero tensor (and an empty one) takes I = 1, all bits for the fraction', () => {
    const z = chooseFixed(stats(new Array(64).fill(0)), 8, 0.9999);
    expect(z.type).toMatchObject({ intBits: 1, fracBits: 7 });
    expect(z.covered).toBe(1);
    expect(z.clipped).toBe(false);
    const empty = chooseFixed(stats([]), 16, 0.9999);
    expect(empty.type).toMatchObject({ intBits: 1, fracBits: 15 });
    expect(empty.elements).toBe(0);
  });

  it('values exactly at a power of two: 2.0 needs I = 3 at 8 bits, since fixed<2, 6> stops at 1.984375', () => {
    expect(maxRepresentable(2, 6)).toBe(1.984375);
    expect(intBits([0.5, -2.0], 8, 1)).toBe(3);
    expect(intBits([1.984375], 8, 1)).toBe(2); // exactly the largest value of fixed<2, 6> fits
    expect(intBits([1.0], 8, 1)).toBe(2); // fixed<1, 7> stops at 0.9921875
    expect(intBits([0.9921875], 8, 1)).toBe(1);
    expect(intBits([0.5], 8, 1)).toBe(1);
    expect(intBits([-4.0], 16, 1)).toBe(4); // fixed<3, 13> stops at 3.999877...
    expect(intBits([Math.fround(4 - 2 ** -13)], 16, 1)).toBe(3); // exactly fixed<3, 13>'s largest value
    expect(intBits([Math.fround(4 - 2 ** -14)], 16, 1)).toBe(4); // just above it
  });

  it('I is clamped to [1, bits]: a percentile beyond even fixed<W, 0> takes I = W and says it is clipped', () => {
    const c = chooseFixed(stats([1000, 3, 2]), 8, 1);
    expect(c.type).toMatchObject({ intBits: 8, fracBits: 0 });
    expect(c.clipped).toBe(true);
    expect(c.covered).toBeCloseTo(2 / 3, 12);
    expect(describeChoice(c, 'fixed<8, 0>')).toBe('max |x| 1000, p100 1000 -> fixed<8, 0> (only 66.7% fit)');
    expect(chooseFixed(stats([0.1]), 2, 1).type).toMatchObject({ intBits: 1, fracBits: 1 });
  });

  it('agrees with the definition computed from the sorted values, for random tensors, widths and percentiles', () => {
    for (let trial = 0; trial < 300; trial++) {
      const n = 1 + Math.floor(rngUniform(3, trial, 0, 0) * 400);
      const scale = 2 ** Math.floor(rngUniform(3, trial, 1, 0) * 20 - 8);
      const values = Array.from({ length: n }, (_, i) => scale * (2 * rngUniform(3, trial, 2, i) - 1) ** 3);
      // Put some values exactly on powers of two and on largest representable values.
      if (trial % 3 === 0) values.push(scale, -2 * scale, maxRepresentable(3, 5));
      const bits = 2 + Math.floor(rngUniform(3, trial, 3, 0) * 31);
      const p = [0.5, 0.9, 0.99, 0.999, 0.9999, 1][trial % 6];
      expect(intBits(values, bits, p), `trial ${trial}: ${values.length} values, ${bits} bits, p ${p}`).toBe(reference(values, bits, p));
    }
  });

  it('describes the choice for the comment in the written net', () => {
    const c = chooseFixed(stats([3.1, 2.7, -1, 0.5]), 8, 0.75);
    expect(describeChoice(c, 'fixed<3, 5>')).toBe(`max |x| 3.1, p75 ${Number(c.percentileValue.toPrecision(3))} -> fixed<3, 5>`);
    expect(c.percentileValue).toBeGreaterThan(2);
    expect(c.percentileValue).toBeLessThanOrEqual(2.75);
  });
});
