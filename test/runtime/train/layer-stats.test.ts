import { describe, expect, it } from 'vitest';
import { F32, fixed } from '../../../src/numeric/number-type.js';
import { quantizeTensor } from '../../../src/numeric/quantize.js';
import { accumulateStats, emptyStats, exponentBin, mergeStats, sparsity, suggestFixed } from '../../../src/runtime/train/layer-stats.js';
import { countCorrect } from '../../../src/runtime/train/train-net.js';

describe('layer statistics', () => {
  it('counts zeros, non-finite values and the range of the finite ones', () => {
    const s = emptyStats('l', 'l', 'relu', 'activation', F32);
    accumulateStats(s, [0, 0, 1.5, -3, NaN, Infinity, 0.25], 0, 7);
    expect(s).toMatchObject({ count: 7, zeros: 2, nan: 1, infinite: 1, min: -3, max: 1.5, maxAbs: 3, saturated: 0 });
    expect(sparsity(s)).toBeCloseTo(2 / 7);
  });

  it('counts what an output quantizer clamped, and non-finite values before it', () => {
    const t = fixed(2, 2); // range +-1.75
    const pre = [0.5, 1.9, -5, NaN, -Infinity, 1.8];
    const out = quantizeTensor(Float64Array.from(pre), t);
    const s = emptyStats('l', 'l', 'conv', 'activation', t);
    accumulateStats(s, out, 0, pre.length, { values: pre, type: t });
    expect(s.saturated).toBe(2); // 1.9 and -5; -Infinity is counted as infinite; 1.8 rounds to 1.75, in range
    expect(s.nan).toBe(1);
    expect(s.infinite).toBe(1);
    expect(s.zeros).toBe(1); // NaN became 0
    expect(s.type).toBe('fixed<2, 2>');
  });

  it('bins |x| by its f32 exponent', () => {
    expect(exponentBin(1)).toBe(127);
    expect(exponentBin(1.99)).toBe(127);
    expect(exponentBin(2)).toBe(128);
    expect(exponentBin(0.5)).toBe(126);
    expect(exponentBin(0)).toBe(0);
  });

  it('suggests the smallest integer part that holds the percentile', () => {
    const s = emptyStats('l', 'l', 'conv', 'activation', F32);
    // 999 values below 2 (need I = 2), one at 10 (would need I = 5)
    const values = [...Array(999).fill(1.5), 10];
    accumulateStats(s, values, 0, values.length);
    expect(suggestFixed(s, 8, 0.999)).toEqual({ intBits: 2, fracBits: 6, covered: 0.999 });
    expect(suggestFixed(s, 8, 1)).toEqual({ intBits: 5, fracBits: 3, covered: 1 });
    // |x| = 2^(I-1) does not fit fixed<I, F> (its range ends below it)
    const edge = emptyStats('l', 'l', 'conv', 'activation', F32);
    accumulateStats(edge, [2], 0, 1);
    expect(suggestFixed(edge, 8, 1)?.intBits).toBe(3);
    // too wide for the width: all integer bits, and the share that fits
    const wide = emptyStats('l', 'l', 'conv', 'activation', F32);
    accumulateStats(wide, [1000, 1], 0, 2);
    expect(suggestFixed(wide, 4, 1)).toEqual({ intBits: 4, fracBits: 0, covered: 0.5 });
    expect(suggestFixed(emptyStats('l', 'l', 'x', 'activation', F32), 8)).toBeUndefined();
  });

  it('merges by sums, min and max', () => {
    const a = emptyStats('l', 'l', 'x', 'activation', F32);
    const b = emptyStats('l', 'l', 'x', 'activation', F32);
    accumulateStats(a, [1, 0], 0, 2);
    accumulateStats(b, [-4, 2], 0, 2);
    mergeStats(a, b);
    expect(a).toMatchObject({ count: 4, zeros: 1, min: -4, max: 2, maxAbs: 4 });
    expect(a.exponents[129]).toBe(1);
  });
});

describe('top-1 accuracy', () => {
  it('counts ties for the label (Caffe) and skips ignored and padding rows', () => {
    const logits = [1, 2, 0, /* row 1 tie */ 3, 3, 0, /* row 2 */ 0, 0, 5, /* padding */ 9, 0, 0];
    expect(countCorrect(logits, 3, [1, 0, 0, 0], 3)).toEqual({ correct: 2, counted: 3 });
    expect(countCorrect(logits, 3, [1, 0, 0, 0], 3, 0)).toEqual({ correct: 1, counted: 1 });
  });
});
