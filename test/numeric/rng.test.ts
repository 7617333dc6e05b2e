import { describe, expect, it } from 'vitest';
import { RNG_UNIFORM_STEP, rngDrawWithKeys, rngKeys, rngMix, rngU32, rngUniform, uniformStream } from '../../src/numeric/rng.js';

/** Pearson correlation of two equally long samples. */
function correlation(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

function draws(seed: number, step: number, stream: number, n: number): number[] {
  const draw = uniformStream(seed, step, stream);
  return Array.from({ length: n }, (_, i) => draw(i));
}

describe('rng', () => {
  it('keeps its exact bits (golden values the WGSL port must reproduce)', () => {
    expect(rngMix(0)).toBe(0);
    expect(rngMix(1)).toBe(1364076727);
    expect([rngU32(0, 0, 0, 0), rngU32(1, 0, 0, 0), rngU32(0, 0, 0, 1)]).toEqual([4123510015, 486227514, 2524177701]);
    expect(rngUniform(0, 0, 0, 0)).toBe((4123510015 >>> 8) * 2 ** -24);
  });

  it('mix is a bijection (no collisions on a sample of inputs)', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 100_000; i++) seen.add(rngMix(i * 40503));
    expect(seen.size).toBe(100_000);
  });

  it('returns u32 values and uniforms on the 2^-24 grid in [0, 1)', () => {
    for (let i = 0; i < 2000; i++) {
      const x = rngU32(3, 1, 4, i);
      expect(Number.isInteger(x) && x >= 0 && x < 2 ** 32).toBe(true);
      const u = rngUniform(3, 1, 4, i);
      expect(u).toBe((x >>> 8) * RNG_UNIFORM_STEP);
      expect(u >= 0 && u < 1).toBe(true);
      expect(Number.isInteger(u * 2 ** 24)).toBe(true);
      expect(Math.fround(u)).toBe(u);
    }
  });

  it('is stateless: any order, same bits; uniformStream and precomputed keys agree', () => {
    const forward = draws(9, 8, 7, 100);
    const backward = Array.from({ length: 100 }, (_, k) => rngUniform(9, 8, 7, 99 - k)).reverse();
    expect(backward).toEqual(forward);
    const { keyA, keyB } = rngKeys(9, 8, 7);
    expect(rngDrawWithKeys(keyA, keyB, 42)).toBe(rngU32(9, 8, 7, 42));
  });

  it('passes a bucket (chi-square) test of uniformity', () => {
    const buckets = 64;
    const n = 200_000;
    const counts = new Array<number>(buckets).fill(0);
    const draw = uniformStream(1, 0, 0);
    for (let i = 0; i < n; i++) counts[Math.floor(draw(i) * buckets)]++;
    const expected = n / buckets;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // 63 degrees of freedom: P(chi2 > 103.4) = 0.001
    expect(chi2).toBeLessThan(103.4);
    // and each of the 32 bits is set about half the time
    for (let bit = 0; bit < 32; bit++) {
      let ones = 0;
      for (let i = 0; i < 20_000; i++) ones += (rngU32(2, 0, 0, i) >>> bit) & 1;
      expect(Math.abs(ones / 20_000 - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / 20_000));
    }
  });

  it('gives independent sequences for different seeds, steps and streams', () => {
    const n = 20_000;
    const bound = 4 / Math.sqrt(n);
    const base = draws(1, 0, 0, n);
    const others = [draws(2, 0, 0, n), draws(1, 1, 0, n), draws(1, 0, 1, n), draws(0, 1, 0, n), draws(0, 0, 1, n)];
    for (const other of others) {
      expect(other).not.toEqual(base);
      expect(Math.abs(correlation(base, other))).toBeLessThan(bound);
      // index-wise equal values would betray a shared sequence
      expect(base.filter((v, i) => v === other[i]).length).toBeLessThan(5);
    }
    // neighbouring counters are uncorrelated too
    expect(Math.abs(correlation(base.slice(0, -1), base.slice(1)))).toBeLessThan(bound);
  });

  it('is sensitive to the order of its key (seed, step, stream are not interchangeable)', () => {
    expect(rngU32(1, 2, 3, 0)).not.toBe(rngU32(2, 1, 3, 0));
    expect(rngU32(1, 2, 3, 0)).not.toBe(rngU32(1, 3, 2, 0));
    expect(rngU32(1, 2, 3, 0)).not.toBe(rngU32(3, 2, 1, 0));
  });

  it('reduces arguments to u32 the way WGSL would receive them', () => {
    expect(rngU32(2 ** 32 + 5, 0, 0, 3)).toBe(rngU32(5, 0, 0, 3));
    expect(rngU32(-1, 0, 0, 3)).toBe(rngU32(0xffffffff, 0, 0, 3));
    expect(rngU32(1, 0, 0, 2 ** 32 + 3)).toBe(rngU32(1, 0, 0, 3));
  });
});
