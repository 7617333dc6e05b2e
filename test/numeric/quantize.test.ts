import { describe, expect, it } from 'vitest';
import { fixed, type FixedType, type RoundMode } from '../../src/numeric/number-type.js';
import { emptyQuantizeStats, quantizeCode, quantizeTensor, quantizeValue } from '../../src/numeric/quantize.js';
import { rngUniform, uniformStream } from '../../src/numeric/rng.js';

/** Codes of a list of inputs, for compact expectations. */
function codes(xs: number[], t: FixedType, u?: number): number[] {
  return xs.map((x) => quantizeCode(x, t, u));
}

describe('quantizer rounding modes at exact halves (fixed<4, 2>: y = 4x)', () => {
  // y = -2.5, -1.5, -0.5, 0.5, 1.5, 2.5
  const halves = [-0.625, -0.375, -0.125, 0.125, 0.375, 0.625];
  const table: [RoundMode, number[]][] = [
    ['nearest', [-3, -2, -1, 1, 2, 3]], // half away from zero
    ['even', [-2, -2, 0, 0, 2, 2]], // half to even
    ['floor', [-3, -2, -1, 0, 1, 2]],
    ['zero', [-2, -1, 0, 0, 1, 2]],
    ['stochastic', [-3, -2, -1, 1, 2, 3]], // no draw given: the inference rule, nearest
  ];
  for (const [mode, want] of table) {
    it(`${mode}`, () => {
      expect(codes(halves, fixed(4, 2, mode))).toEqual(want);
    });
  }

  it('nearest is not Math.round (which rounds -0.5 up to -0)', () => {
    expect(Math.round(-0.5)).toBe(-0);
    expect(quantizeCode(-0.125, fixed(4, 2, 'nearest'))).toBe(-1);
  });

  it('rounds values off the half point to the nearest code in every deterministic mode but floor/zero', () => {
    const xs = [-0.7, -0.3, 0.3, 0.7]; // y = -2.8, -1.2, 1.2, 2.8
    expect(codes(xs, fixed(4, 2, 'nearest'))).toEqual([-3, -1, 1, 3]);
    expect(codes(xs, fixed(4, 2, 'even'))).toEqual([-3, -1, 1, 3]);
    expect(codes(xs, fixed(4, 2, 'floor'))).toEqual([-3, -2, 1, 2]);
    expect(codes(xs, fixed(4, 2, 'zero'))).toEqual([-2, -1, 1, 2]);
  });

  it('returns +0, never -0, for codes of zero', () => {
    expect(Object.is(quantizeCode(-0.1, fixed(4, 2, 'zero')), 0)).toBe(true);
    expect(Object.is(quantizeCode(-0, fixed(4, 2)), 0)).toBe(true);
    expect(Object.is(quantizeValue(-0.01, fixed(4, 2, 'nearest')), 0)).toBe(true);
  });

  it('rounds the f32 value of x, not its f64 value', () => {
    // 0.5 + 2^-30 is 0.5 in f32: half to even gives 0, whereas rounding the f64 would give 1.
    expect(quantizeCode(0.5 + 2 ** -30, fixed(2, 0, 'even'))).toBe(0);
    expect(quantizeCode(0.5 + 2 ** -30, fixed(2, 0, 'nearest'))).toBe(1);
    // 1 + 2^-30 is exactly 1 in f32, so there is no fraction to round up, even with a draw of 0
    // (the f64 value would have a fraction of 2^-30 > 0 and round up to 2).
    expect(quantizeCode(1 + 2 ** -30, fixed(2, 0, 'stochastic'), 0)).toBe(1);
  });

  it('quantizeValue is the code times 2^-F', () => {
    expect(quantizeValue(0.3, fixed(4, 4))).toBe(5 / 16);
    expect(quantizeValue(-1.03, fixed(2, 6))).toBe(-66 / 64);
    expect(quantizeValue(2.5, fixed(8, 0, 'even'))).toBe(2);
  });
});

describe('quantizer overflow modes', () => {
  it('saturate_symmetric clamps to +-(2^(W-1) - 1): fixed<3, 2> spans +-3.75', () => {
    const t = fixed(3, 2);
    expect(codes([3.75, 3.8, 100, -3.75, -3.8, -4, -100], t)).toEqual([15, 15, 15, -15, -15, -15, -15]);
    expect(quantizeValue(-100, t)).toBe(-3.75);
  });

  it("saturate uses the full two's complement range: -4 .. 3.75", () => {
    const t = fixed(3, 2, 'nearest', 'saturate');
    expect(codes([3.75, 3.875, 100, -4, -4.1, -100], t)).toEqual([15, 15, 15, -16, -16, -16]);
  });

  it('rounding up past kmax saturates (3.875 * 4 = 15.5 rounds to 16)', () => {
    const stats = emptyQuantizeStats();
    const out = quantizeTensor(Float64Array.of(3.75, 3.875, -3.875), fixed(3, 2), undefined, stats);
    expect(Array.from(out)).toEqual([3.75, 3.75, -3.75]);
    expect(stats).toEqual({ saturated: 2, nan: 0 });
  });

  it("wrap keeps the low W bits as two's complement", () => {
    const t = fixed(3, 2, 'nearest', 'wrap'); // W = 5: codes -16 .. 15
    expect(codes([3.75, 4, 4.25, -4, -4.25, 8, 7.75], t)).toEqual([15, -16, -15, -16, 15, 0, -1]);
  });

  it('wraps values far beyond 2^31 exactly', () => {
    const w32 = fixed(32, 0, 'nearest', 'wrap');
    expect(quantizeCode(2 ** 33 + 2 ** 10, w32)).toBe(1024);
    expect(quantizeCode(-(2 ** 33 + 2 ** 10), w32)).toBe(-1024);
    expect(quantizeCode(3 * 2 ** 31, w32)).toBe(-(2 ** 31));
    expect(quantizeCode(2 ** 31, w32)).toBe(-(2 ** 31));
    // f32 values of 1e30 are multiples of a huge power of two: their low 8 bits are zero.
    expect(quantizeCode(1e30, fixed(4, 4, 'nearest', 'wrap'))).toBe(0);
    // The low 8 bits of 2^20 + 2^7 + 2^4 (+ 2^-4 fraction bits for F = 4) after scaling by 16.
    expect(quantizeCode(2 ** 20 + 2 ** 7 + 2 ** 4, fixed(4, 4, 'nearest', 'wrap'))).toBe(0);
    expect(quantizeCode(2 ** 20 + 2 ** 3 + 2 ** 2, fixed(4, 4, 'nearest', 'wrap'))).toBe(-64);
  });

  it('saturates values beyond +-2^31 without overflowing an integer conversion', () => {
    expect(quantizeCode(3e9, fixed(32, 0))).toBe(2 ** 31 - 1);
    expect(quantizeCode(-3e9, fixed(32, 0))).toBe(-(2 ** 31 - 1));
    expect(quantizeCode(-3e9, fixed(32, 0, 'nearest', 'saturate'))).toBe(-(2 ** 31));
    expect(quantizeCode(1e38, fixed(1, 31))).toBe(2 ** 31 - 1);
    expect(quantizeCode(-1e38, fixed(16, 16, 'floor', 'saturate'))).toBe(-(2 ** 31));
  });

  it('maps NaN to 0 and counts it; infinities saturate in every overflow mode', () => {
    for (const overflow of ['saturate_symmetric', 'saturate', 'wrap'] as const) {
      const t = fixed(4, 4, 'nearest', overflow);
      const stats = emptyQuantizeStats();
      const out = quantizeTensor(Float64Array.of(NaN, Infinity, -Infinity, 1), t, undefined, stats);
      const kmin = overflow === 'saturate_symmetric' ? -127 : -128;
      expect(Array.from(out)).toEqual([0, 127 / 16, kmin / 16, 1]);
      expect(stats).toEqual({ saturated: 2, nan: 1 });
    }
  });

  it('adds to an existing stats record, so one record can sum over tensors', () => {
    const stats = { saturated: 5, nan: 1 };
    quantizeTensor(Float64Array.of(100, NaN), fixed(2, 2), undefined, stats);
    expect(stats).toEqual({ saturated: 6, nan: 2 });
  });

  it('handles the narrowest and widest legal types', () => {
    expect(codes([-2, -1, 0.4, 0.6, 5], fixed(2, 0))).toEqual([-1, -1, 0, 1, 1]);
    expect(codes([-2, -1, 0.4, 0.6, 5], fixed(2, 0, 'nearest', 'saturate'))).toEqual([-2, -1, 0, 1, 1]);
    expect(quantizeCode(0.999999, fixed(1, 31))).toBe(Math.round(Math.fround(0.999999) * 2 ** 31));
  });
});

describe('stochastic rounding', () => {
  const t = fixed(4, 4, 'stochastic');

  it('rounds up exactly when the draw is below the dropped fraction', () => {
    // 0.3 * 16 = 4.8 (in f32: 4.80000019...), fraction ~0.8
    expect(quantizeCode(0.3, t, 0)).toBe(5);
    expect(quantizeCode(0.3, t, 0.79)).toBe(5);
    expect(quantizeCode(0.3, t, 0.81)).toBe(4);
    expect(quantizeCode(-0.3, t, 0.19)).toBe(-4); // -4.8: floor -5, fraction 0.2
    expect(quantizeCode(-0.3, t, 0.21)).toBe(-5);
    expect(quantizeCode(0.25, t, 0)).toBe(4); // representable values never move
  });

  it('is unbiased: the mean rounding error of 10^6 draws is within 4 standard errors of 0', () => {
    const n = 1_000_000;
    const draw = uniformStream(7, 3, 11);
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < n; i++) {
      // inputs spread over many codes and fractions, both signs
      const x = Math.fround(((i * 0.6180339887) % 1) * 6 - 3);
      const err = quantizeValue(x, t, draw(i)) - x;
      sum += err;
      sumSquares += err * err;
    }
    const mean = sum / n;
    const standardError = Math.sqrt((sumSquares / n - mean * mean) / n);
    expect(standardError).toBeGreaterThan(0);
    expect(Math.abs(mean)).toBeLessThan(4 * standardError);
  });

  it('is unbiased for one fixed value too (P(up) = fraction)', () => {
    const n = 200_000;
    const draw = uniformStream(1, 0, 0);
    let up = 0;
    for (let i = 0; i < n; i++) if (quantizeCode(0.3, t, draw(i)) === 5) up++;
    const p = Math.fround(0.3) * 16 - 4;
    expect(Math.abs(up / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
  });

  it('is reproducible for a seed, step and stream, and changes with the step', () => {
    const x = Float64Array.from({ length: 1000 }, (_, i) => Math.fround(Math.sin(i) * 3));
    const a = quantizeTensor(x, t, uniformStream(5, 2, 9));
    const b = quantizeTensor(x, t, uniformStream(5, 2, 9));
    const c = quantizeTensor(x, t, uniformStream(5, 3, 9));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    // element i used draw i of the stream
    for (const i of [0, 17, 999]) expect(a[i]).toBe(quantizeValue(x[i], t, rngUniform(5, 2, 9, i)));
  });

  it('rounds with nearest when quantizeTensor gets no draw (inference)', () => {
    const out = quantizeTensor(Float64Array.of(0.3, -0.03125), t);
    expect(Array.from(out)).toEqual([5 / 16, -1 / 16]);
  });

  it('every output is an exact multiple of 2^-F', () => {
    const x = Float64Array.from({ length: 500 }, (_, i) => Math.cos(i * 1.7) * 10);
    const out = quantizeTensor(x, fixed(3, 5, 'stochastic', 'saturate'), uniformStream(1, 1, 1));
    for (const v of out) expect(Number.isInteger(v * 32)).toBe(true);
  });
});
