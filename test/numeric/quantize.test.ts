import { describe, expect, it } from 'vitest';
import { fixed, OVERFLOW_MODES, type FixedType, type OverflowMode, type RoundMode } from '../../src/numeric/number-type.js';
import { emptyQuantizeStats, quantizeCode, quantizeCodeCounted, quantizeTensor, quantizeValue } from '../../src/numeric/quantize.js';
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

/*
 * Edge cases of issue 3 (exact halves, the range limits, NaN/Inf with draws, values beyond i32).
 * Expected codes are written by hand (the raw rounded code) and put through an independent
 * overflow rule: a clamp, or BigInt.asIntN for wrap. Nothing below asks the quantizer for its
 * own expectation.
 */

/** The code after the overflow mode, for an integer raw code k of a W-bit type. */
function applyOverflow(k: number, w: number, overflow: OverflowMode): number {
  const kmax = 2 ** (w - 1) - 1;
  if (overflow === 'wrap') return Number(BigInt.asIntN(w, BigInt(k)));
  const kmin = overflow === 'saturate' ? -kmax - 1 : -kmax;
  return Math.min(kmax, Math.max(kmin, k));
}

function outsideRange(k: number, w: number, overflow: OverflowMode): boolean {
  const kmax = 2 ** (w - 1) - 1;
  return k > kmax || k < (overflow === 'saturate_symmetric' ? -kmax : -kmax - 1);
}

/** Draws that send stochastic rounding up (below any fraction >= 0.5) or down (above any fraction <= 0.5). */
const DRAWS_UP_AT_HALF = [0, 0.5 - 2 ** -24];
const DRAWS_DOWN_AT_HALF = [0.5, 1 - 2 ** -24];

describe('quantizer at exact halves and past the range limits, every rounding and overflow mode', () => {
  // fixed<3, 2>: W = 5, y = 4x; saturate_symmetric codes -15..15, saturate and wrap -16..15.
  // raw: [nearest, even, floor, zero, stochastic up (fl + 1), stochastic down (fl)] by hand.
  const W = 5;
  const rows: { x: number; y: string; raw: [number, number, number, number, number, number] }[] = [
    { x: -4.125, y: '-16.5', raw: [-17, -16, -17, -16, -16, -17] },
    { x: -3.875, y: '-15.5', raw: [-16, -16, -16, -15, -15, -16] },
    { x: -3.625, y: '-14.5', raw: [-15, -14, -15, -14, -14, -15] },
    { x: -0.375, y: '-1.5', raw: [-2, -2, -2, -1, -1, -2] },
    { x: -0.125, y: '-0.5', raw: [-1, 0, -1, 0, 0, -1] },
    { x: 0.125, y: '0.5', raw: [1, 0, 0, 0, 1, 0] },
    { x: 0.375, y: '1.5', raw: [2, 2, 1, 1, 2, 1] },
    { x: 3.625, y: '14.5', raw: [15, 14, 14, 14, 15, 14] },
    { x: 3.875, y: '15.5', raw: [16, 16, 15, 15, 16, 15] },
    // off the half point, just inside and beyond the limits (f32 of x times 4)
    { x: 3.8, y: '15.1999998', raw: [15, 15, 15, 15, 16, 15] },
    { x: 3.9, y: '15.6000004', raw: [16, 16, 15, 15, 16, 15] },
    { x: -3.8, y: '-15.1999998', raw: [-15, -15, -16, -15, -15, -16] },
    { x: -3.9, y: '-15.6000004', raw: [-16, -16, -16, -15, -15, -16] },
    { x: -4.1, y: '-16.3999996', raw: [-16, -16, -17, -16, -16, -17] },
    { x: -4.2, y: '-16.7999992', raw: [-17, -17, -17, -16, -16, -17] },
  ];
  const deterministic: RoundMode[] = ['nearest', 'even', 'floor', 'zero'];

  for (const overflow of OVERFLOW_MODES) {
    it(`deterministic modes, ${overflow}`, () => {
      deterministic.forEach((round, m) => {
        const t = fixed(3, 2, round, overflow);
        for (const { x, y, raw } of rows) {
          const stats = emptyQuantizeStats();
          const got = quantizeCodeCounted(x, t, undefined, stats);
          expect({ x, y, round, code: got }).toEqual({ x, y, round, code: applyOverflow(raw[m], W, overflow) });
          expect(stats).toEqual({ saturated: outsideRange(raw[m], W, overflow) ? 1 : 0, nan: 0 });
        }
      });
    });

    it(`stochastic with draws on either side of the fraction, ${overflow}`, () => {
      const t = fixed(3, 2, 'stochastic', overflow);
      for (const { x, y, raw } of rows) {
        const frac = Math.fround(x) * 4 - Math.floor(Math.fround(x) * 4);
        // u < frac rounds up; the half-point draws bracket 0.5, the extreme draws bracket any fraction
        const up = frac === 0.5 ? DRAWS_UP_AT_HALF : [0, frac - 2 ** -24];
        const down = frac === 0.5 ? DRAWS_DOWN_AT_HALF : [frac + 2 ** -24, 1 - 2 ** -24];
        for (const u of up) expect({ x, y, u, code: quantizeCode(x, t, u) }).toEqual({ x, y, u, code: applyOverflow(raw[4], W, overflow) });
        for (const u of down) expect({ x, y, u, code: quantizeCode(x, t, u) }).toEqual({ x, y, u, code: applyOverflow(raw[5], W, overflow) });
        // no draw: the inference rule, nearest
        expect(quantizeCode(x, t)).toBe(applyOverflow(raw[0], W, overflow));
      }
    });
  }

  it('the examples of issue 3, by hand', () => {
    const nearest = (overflow: OverflowMode) => fixed(3, 2, 'nearest', overflow);
    // 3.875 -> 15.5 -> 16
    expect(quantizeCode(3.875, nearest('saturate_symmetric'))).toBe(15);
    expect(quantizeCode(3.875, nearest('saturate'))).toBe(15);
    expect(quantizeCode(3.875, nearest('wrap'))).toBe(-16);
    // -4.125 -> -16.5 -> -17
    expect(quantizeCode(-4.125, nearest('saturate_symmetric'))).toBe(-15);
    expect(quantizeCode(-4.125, nearest('saturate'))).toBe(-16);
    expect(quantizeCode(-4.125, nearest('wrap'))).toBe(15);
    // -3.875 -> -15.5: zero gives -15 (in range everywhere); nearest gives -16
    for (const overflow of OVERFLOW_MODES) expect(quantizeCode(-3.875, fixed(3, 2, 'zero', overflow))).toBe(-15);
    expect(quantizeCode(-3.875, nearest('saturate_symmetric'))).toBe(-15);
    expect(quantizeCode(-3.875, nearest('saturate'))).toBe(-16);
    expect(quantizeCode(-3.875, nearest('wrap'))).toBe(-16);
    // even: -16.5 goes to -16, which fits saturate and wrap but not saturate_symmetric
    expect(quantizeCode(-4.125, fixed(3, 2, 'even', 'saturate'))).toBe(-16);
    expect(quantizeCode(-4.125, fixed(3, 2, 'even', 'saturate_symmetric'))).toBe(-15);
  });

  it('halves at the limits of other widths (fixed<1, 3>, fixed<8, 0>, fixed<16, 8>)', () => {
    // fixed<1, 3>: W = 4, y = 8x; 0.9375 -> 7.5, -0.9375 -> -7.5, -1.0625 -> -8.5
    expect([0.9375, -0.9375, -1.0625].map((x) => quantizeCode(x, fixed(1, 3, 'nearest', 'saturate')))).toEqual([7, -8, -8]);
    expect([0.9375, -0.9375, -1.0625].map((x) => quantizeCode(x, fixed(1, 3, 'even', 'wrap')))).toEqual([-8, -8, -8]);
    expect([0.9375, -0.9375, -1.0625].map((x) => quantizeCode(x, fixed(1, 3, 'floor', 'wrap')))).toEqual([7, -8, 7]);
    // fixed<8, 0>: 127.5, -127.5, -128.5
    expect([127.5, -127.5, -128.5].map((x) => quantizeCode(x, fixed(8, 0, 'zero', 'saturate_symmetric')))).toEqual([127, -127, -127]);
    expect([127.5, -127.5, -128.5].map((x) => quantizeCode(x, fixed(8, 0, 'nearest', 'wrap')))).toEqual([-128, -128, 127]);
    // fixed<16, 8>: W = 24, kmax = 2^23 - 1; x = 32767.998046875 is y = 2^23 - 0.5 (exact in f32)
    const top = 32767.998046875;
    expect(quantizeCode(top, fixed(16, 8, 'floor'))).toBe(2 ** 23 - 1);
    expect(quantizeCode(top, fixed(16, 8, 'even', 'saturate'))).toBe(2 ** 23 - 1); // 2^23 is even: rounds up, clamps
    expect(quantizeCode(top, fixed(16, 8, 'nearest', 'wrap'))).toBe(-(2 ** 23));
    expect(quantizeCode(-top, fixed(16, 8, 'nearest', 'saturate'))).toBe(-(2 ** 23));
    expect(quantizeCode(-top, fixed(16, 8, 'nearest', 'saturate_symmetric'))).toBe(-(2 ** 23 - 1));
  });
});

describe('quantizer NaN and infinities with stochastic rounding and a draw', () => {
  // SEMANTICS.md section 2: NaN quantizes to 0 and is counted; +Inf and -Inf saturate. Under wrap
  // the implementation saturates them to the full two's complement limits (there are no low bits
  // of an infinity to keep).
  const limits = (w: number, overflow: OverflowMode) => ({
    kmax: 2 ** (w - 1) - 1,
    kmin: overflow === 'saturate_symmetric' ? -(2 ** (w - 1) - 1) : -(2 ** (w - 1)),
  });
  const draws = [0, 2 ** -24, 0.5, 1 - 2 ** -24, rngUniform(3, 1, 4, 0), rngUniform(3, 1, 4, 1)];

  for (const [i, f] of [
    [4, 4],
    [32, 0],
    [1, 31],
  ] as const) {
    for (const overflow of OVERFLOW_MODES) {
      it(`fixed<${i}, ${f}, stochastic, ${overflow}>`, () => {
        const t = fixed(i, f, 'stochastic', overflow);
        const { kmax, kmin } = limits(i + f, overflow);
        for (const u of draws) {
          const stats = emptyQuantizeStats();
          const got = [NaN, Infinity, -Infinity].map((x) => quantizeCodeCounted(x, t, u, stats));
          expect({ u, got }).toEqual({ u, got: [0, kmax, kmin] });
          expect(Object.is(got[0], 0)).toBe(true);
          expect(stats).toEqual({ saturated: 2, nan: 1 });
        }
      });
    }
  }

  it('through quantizeTensor with a stream of draws: NaN counted, infinities saturated, others rounded by their draw', () => {
    for (const overflow of OVERFLOW_MODES) {
      const t = fixed(4, 4, 'stochastic', overflow);
      const { kmax, kmin } = limits(8, overflow);
      const stats = emptyQuantizeStats();
      const x = Float64Array.of(NaN, Infinity, 0.3, -Infinity, NaN);
      const out = quantizeTensor(x, t, uniformStream(6, 2, 1), stats);
      // 0.3: y = 4.8000002, up with probability 0.8000002 (u = the stream's draw for index 2)
      const code = rngUniform(6, 2, 1, 2) < Math.fround(0.3) * 16 - 4 ? 5 : 4;
      expect(Array.from(out)).toEqual([0, kmax / 16, code / 16, kmin / 16, 0]);
      expect(stats).toEqual({ saturated: 2, nan: 2 });
    }
  });
});

describe('quantizer on values beyond +-2^31 (even, zero, floor, stochastic; every overflow mode)', () => {
  // In f32 every such value is an integer (and -2^31 - 0.5 is -2^31), so y = fround(x) * 2^F is an
  // integer and every rounding mode must leave it alone, whatever the draw; the overflow mode alone
  // decides the code. wrap keeps the low W bits, computed here with BigInt.
  const xs = [1e10, -1e10, 3e9, -3e9, 2 ** 31, -(2 ** 31), -(2 ** 31) - 0.5, 2 ** 31 - 128, 2 ** 40 + 2 ** 20, -(2 ** 33) - 2 ** 9];
  const types: [number, number][] = [
    [32, 0],
    [16, 16],
    [4, 4],
    [24, 8],
  ];
  const roundings: { round: RoundMode; u?: number }[] = [
    { round: 'even' },
    { round: 'zero' },
    { round: 'floor' },
    { round: 'stochastic', u: 0 },
    { round: 'stochastic', u: 1 - 2 ** -24 },
    { round: 'stochastic', u: rngUniform(8, 0, 2, 5) },
    { round: 'stochastic' },
  ];

  it('the independent expectation itself agrees with hand-computed wraps', () => {
    expect(applyOverflow(1e10, 32, 'wrap')).toBe(1410065408); // 1e10 - 2 * 2^32
    expect(applyOverflow(-3e9, 32, 'wrap')).toBe(1294967296); // -3e9 + 2^32
    expect(applyOverflow(2 ** 31, 32, 'wrap')).toBe(-(2 ** 31));
    expect(applyOverflow(1e10 * 16, 8, 'wrap')).toBe(0); // 1e10 = 9765625 * 2^10
    expect(applyOverflow(-3e9, 32, 'saturate')).toBe(-(2 ** 31));
    expect(applyOverflow(-3e9, 32, 'saturate_symmetric')).toBe(-(2 ** 31 - 1));
  });

  for (const overflow of OVERFLOW_MODES) {
    for (const [i, f] of types) {
      it(`fixed<${i}, ${f}, *, ${overflow}>`, () => {
        const w = i + f;
        for (const x of xs) {
          const y = Math.fround(x) * 2 ** f;
          // preconditions of the expectation: y is an integer and exactly the f32 product
          expect(Number.isInteger(y) && Math.fround(y) === y).toBe(true);
          const want = applyOverflow(y, w, overflow);
          for (const { round, u } of roundings) {
            const stats = emptyQuantizeStats();
            const got = quantizeCodeCounted(x, fixed(i, f, round, overflow), u, stats);
            expect({ x, round, u, got }).toEqual({ x, round, u, got: want });
            expect(stats.saturated).toBe(outsideRange(y, w, overflow) ? 1 : 0);
          }
        }
      });
    }
  }

  it('hand-checked codes in fixed<32, 0>', () => {
    const t = (round: RoundMode, overflow: OverflowMode) => fixed(32, 0, round, overflow);
    expect(quantizeCode(1e10, t('even', 'wrap'))).toBe(1410065408);
    expect(quantizeCode(1e10, t('floor', 'saturate'))).toBe(2 ** 31 - 1);
    expect(quantizeCode(-3e9, t('zero', 'wrap'))).toBe(1294967296);
    expect(quantizeCode(-3e9, t('stochastic', 'saturate_symmetric'), 0)).toBe(-(2 ** 31 - 1));
    expect(quantizeCode(2 ** 31, t('floor', 'wrap'))).toBe(-(2 ** 31));
    expect(quantizeCode(2 ** 31, t('even', 'saturate'))).toBe(2 ** 31 - 1);
    expect(quantizeCode(-(2 ** 31) - 0.5, t('floor', 'saturate'))).toBe(-(2 ** 31));
    expect(quantizeCode(-(2 ** 31) - 0.5, t('zero', 'saturate_symmetric'))).toBe(-(2 ** 31 - 1));
    expect(quantizeCode(-(2 ** 31) - 0.5, t('stochastic', 'wrap'), 1 - 2 ** -24)).toBe(-(2 ** 31));
  });

  it('a finite x whose scaled f32 value overflows saturates in the saturating modes', () => {
    // 3e38 * 2^8 exceeds the f32 range: y is +-Inf in f32
    expect(quantizeCode(3e38, fixed(4, 8, 'floor', 'saturate'))).toBe(2 ** 11 - 1);
    expect(quantizeCode(-3e38, fixed(4, 8, 'zero', 'saturate'))).toBe(-(2 ** 11));
    expect(quantizeCode(-3e38, fixed(4, 8, 'even', 'saturate_symmetric'))).toBe(-(2 ** 11 - 1));
  });
});
