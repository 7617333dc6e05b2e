import { describe, expect, it } from 'vitest';
import { codeRange, F32, fixed, I32, type FixedType } from '../../../src/numeric/number-type.js';
import { emptyQuantizeStats, quantizeCode } from '../../../src/numeric/quantize.js';
import { codesInRange, decodeValues, encodeValues, packCodes, quantizeToCodes, unpackCodes } from '../../../src/runtime/webgpu/host-packing.js';

describe('host packing', () => {
  it('packs 8-bit codes little-endian, sign-extended per lane, zero padding: an Int8Array view', () => {
    const t = fixed(2, 2); // W = 4, stored in 8-bit lanes
    const codes = [-8, 7, -1, 0, 3];
    const words = packCodes(codes, t);
    expect(words.length).toBe(2);
    expect(Array.from(new Int8Array(words.buffer))).toEqual([-8, 7, -1, 0, 3, 0, 0, 0]);
    expect(words[0]).toBe(0x00ff07f8);
  });

  it('packs 16-bit codes two per word and wide codes one i32 per word', () => {
    expect(Array.from(new Int16Array(packCodes([-32768, 32767, -2], fixed(1, 15, 'nearest', 'saturate')).buffer))).toEqual([-32768, 32767, -2, 0]);
    expect(Array.from(new Int32Array(packCodes([-(2 ** 31), 2 ** 31 - 1], fixed(16, 16, 'nearest', 'saturate')).buffer))).toEqual([-(2 ** 31), 2 ** 31 - 1]);
    expect(() => packCodes([128], fixed(4, 4))).toThrow(/8-bit lane/);
  });

  it.each([fixed(1, 1), fixed(3, 5, 'floor', 'saturate'), fixed(6, 6), fixed(8, 8, 'nearest', 'wrap'), fixed(12, 12), fixed(1, 31, 'nearest', 'saturate')])(
    'round-trips every boundary and random code of %o',
    (t: FixedType) => {
      const { kmin, kmax } = codeRange(t);
      const codes = [kmin, kmax, 0, -1, 1, kmin + 1, kmax - 1];
      for (let i = 0; i < 50; i++) codes.push(kmin + Math.floor(((i * 2654435761) % 4294967296) / 4294967296 * (kmax - kmin + 1)));
      for (const n of [codes.length, codes.length - 1, codes.length - 2, codes.length - 3]) {
        const part = codes.slice(0, n);
        expect(Array.from(unpackCodes(packCodes(part, t), t, n))).toEqual(part);
      }
    },
  );

  it('encodes values with the reference quantizer, keeping exact codes even beyond f32 precision', () => {
    const t = fixed(16, 16, 'nearest', 'saturate');
    const exact = (2 ** 31 - 1) * 2 ** -16; // a code of t, but not an f32
    const stats = emptyQuantizeStats();
    const codes = quantizeToCodes([exact, 0.1, 1e12, NaN, -1e12], t, undefined, stats);
    expect(Array.from(codes)).toEqual([2 ** 31 - 1, quantizeCode(0.1, t), 2 ** 31 - 1, 0, -(2 ** 31)]);
    expect(stats).toEqual({ saturated: 2, nan: 1 });
    const s = fixed(4, 4, 'stochastic');
    expect(Array.from(quantizeToCodes([0.03], s, () => 0))).toEqual([1]);
    expect(Array.from(quantizeToCodes([0.03], s))).toEqual([0]);
  });

  it('encodes and decodes f32, i32 and fixed tensors', () => {
    const f = [1.5, -0.1, 3e38];
    expect(Array.from(decodeValues(encodeValues(f, F32), F32, 3))).toEqual(f.map(Math.fround));
    expect(Array.from(decodeValues(encodeValues([3, -7, 2 ** 31 - 1], I32), I32, 3))).toEqual([3, -7, 2 ** 31 - 1]);
    expect(() => encodeValues([1.5], I32)).toThrow(/32-bit integer/);
    const t = fixed(3, 5);
    const v = [0.5, -3.96875, 3.96875, 0.03125, 1];
    expect(Array.from(decodeValues(encodeValues(v, t), t, v.length))).toEqual(v);
    expect(codesInRange([-127, 127], fixed(3, 5))).toBe(true);
    expect(codesInRange([-128], fixed(3, 5))).toBe(false);
    expect(codesInRange([-128], fixed(3, 5, 'nearest', 'wrap'))).toBe(true);
  });

  it.each([fixed(2, 2), fixed(8, 8), fixed(9, 7, 'nearest', 'wrap'), fixed(4, 4, 'stochastic'), fixed(16, 16, 'nearest', 'saturate')])(
    'encodes %o straight into the lanes exactly as quantize-then-pack does, with the same statistics',
    (t: FixedType) => {
      const values: number[] = [NaN, Infinity, -Infinity, 1e9, -1e9, 0, -0];
      for (let i = 0; i < 200; i++) values.push(Math.sin(i * 12.9898) * 2 ** (t.intBits + 1));
      const draw = (i: number) => ((i * 2654435761) % 4294967296) / 4294967296;
      const [s1, s2] = [emptyQuantizeStats(), emptyQuantizeStats()];
      const words = encodeValues(values, t, draw, s1);
      expect(Array.from(words)).toEqual(Array.from(packCodes(quantizeToCodes(values, t, draw, s2), t)));
      expect(s1).toEqual(s2);
      expect(s1.nan).toBe(1);
    },
  );

  it('refuses codes that are not integers', () => {
    expect(() => packCodes([1.5], fixed(4, 4))).toThrow(/8-bit lane/);
    expect(() => packCodes([2 ** 31], fixed(16, 16))).toThrow(/32-bit lane/);
  });
});
