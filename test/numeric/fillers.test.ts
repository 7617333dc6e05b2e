import { describe, expect, it } from 'vitest';
import { FILLER_STEP, fanIn, fillTensor, standardNormals, type FillerSpec } from '../../src/numeric/fillers.js';
import { uniformStream } from '../../src/numeric/rng.js';
import type { Filler } from '../../src/ir/graph.js';

function stats(v: Float64Array): { mean: number; variance: number; min: number; max: number } {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of v) {
    sum += x;
    min = Math.min(min, x);
    max = Math.max(max, x);
  }
  const mean = sum / v.length;
  let sq = 0;
  for (const x of v) sq += (x - mean) ** 2;
  return { mean, variance: sq / v.length, min, max };
}

function allF32(v: Float64Array): boolean {
  return v.every((x) => Math.fround(x) === x);
}

describe('fillers', () => {
  it('computes Caffe fan-in as size / shape[0]', () => {
    expect(fanIn([20, 1, 5, 5])).toBe(25);
    expect(fanIn([500, 800])).toBe(800);
    expect(fanIn([10])).toBe(1);
    expect(fanIn([])).toBe(1);
  });

  it('accepts the IR Filler type as is', () => {
    const f: Filler = { kind: 'constant', value: 0.1 };
    const spec: FillerSpec = f;
    expect(Array.from(fillTensor(spec, [3], 1, 0))).toEqual([Math.fround(0.1), Math.fround(0.1), Math.fround(0.1)]);
  });

  it('constant fills one f32 value; empty shapes give empty tensors', () => {
    expect(Array.from(fillTensor({ kind: 'constant', value: 2 }, [2, 2], 1, 0))).toEqual([2, 2, 2, 2]);
    expect(fillTensor({ kind: 'xavier' }, [0, 4], 1, 0).length).toBe(0);
  });

  it('uniform stays in [min, max) with the right mean and variance', () => {
    const v = fillTensor({ kind: 'uniform', min: -0.5, max: 1.5 }, [200, 500], 3, 1);
    const s = stats(v);
    const n = v.length;
    expect(s.min).toBeGreaterThanOrEqual(-0.5);
    expect(s.max).toBeLessThanOrEqual(1.5);
    expect(Math.abs(s.mean - 0.5)).toBeLessThan(4 * Math.sqrt(4 / 12 / n));
    expect(Math.abs(s.variance - 4 / 12)).toBeLessThan(0.01);
    expect(allF32(v)).toBe(true);
  });

  it('gaussian has the requested mean and std (odd lengths included)', () => {
    const v = fillTensor({ kind: 'gaussian', mean: 1, std: 0.5 }, [100_001], 4, 2);
    const s = stats(v);
    expect(Math.abs(s.mean - 1)).toBeLessThan(4 * (0.5 / Math.sqrt(v.length)));
    expect(Math.abs(Math.sqrt(s.variance) - 0.5)).toBeLessThan(0.005);
    expect(Number.isFinite(v[v.length - 1])).toBe(true);
    expect(allF32(v)).toBe(true);
  });

  it('standard normals have Gaussian tails (about 4.55% beyond 2 sigma)', () => {
    const z = standardNormals(200_000, 1, 0);
    const beyond = z.filter((x) => Math.abs(x) > 2).length / z.length;
    expect(Math.abs(beyond - 0.0455)).toBeLessThan(0.003);
    const s = stats(z);
    expect(Math.abs(s.mean)).toBeLessThan(4 / Math.sqrt(z.length));
    expect(Math.abs(s.variance - 1)).toBeLessThan(0.01);
  });

  it('xavier is uniform on +-sqrt(3 / fan_in): variance 1 / fan_in', () => {
    const shape = [500, 8, 10, 10]; // fan_in 800
    const v = fillTensor({ kind: 'xavier' }, shape, 5, 3);
    const bound = Math.sqrt(3 / 800);
    const s = stats(v);
    expect(s.max).toBeLessThanOrEqual(bound);
    expect(s.min).toBeGreaterThanOrEqual(-bound);
    expect(s.max).toBeGreaterThan(0.99 * bound);
    expect(Math.abs(s.variance * 800 - 1)).toBeLessThan(0.02);
    // LeNet conv1: fan_in 25
    const c1 = fillTensor({ kind: 'xavier' }, [20, 1, 5, 5], 1, 0);
    expect(stats(c1).max).toBeLessThanOrEqual(Math.sqrt(3 / 25));
  });

  it('msra is gaussian with std sqrt(2 / fan_in)', () => {
    const v = fillTensor({ kind: 'msra' }, [400, 50, 3, 3], 6, 4); // fan_in 450
    const s = stats(v);
    expect(Math.abs(s.mean)).toBeLessThan(4 * Math.sqrt(2 / 450 / v.length));
    expect(Math.abs(Math.sqrt(s.variance) / Math.sqrt(2 / 450) - 1)).toBeLessThan(0.01);
  });

  it('is deterministic for (seed, stream) and differs across seeds and streams', () => {
    for (const filler of [
      { kind: 'xavier' },
      { kind: 'msra' },
      { kind: 'gaussian', mean: 0, std: 1 },
      { kind: 'uniform', min: 0, max: 1 },
    ] as FillerSpec[]) {
      const a = Array.from(fillTensor(filler, [7, 3], 11, 2));
      expect(Array.from(fillTensor(filler, [7, 3], 11, 2))).toEqual(a);
      expect(Array.from(fillTensor(filler, [7, 3], 12, 2))).not.toEqual(a);
      expect(Array.from(fillTensor(filler, [7, 3], 11, 3))).not.toEqual(a);
    }
  });

  it('draws from its own step, apart from the draws of training steps on the same stream', () => {
    const v = fillTensor({ kind: 'uniform', min: 0, max: 1 }, [64], 1, 5);
    const step0 = uniformStream(1, 0, 5);
    const init = uniformStream(1, FILLER_STEP, 5);
    expect(Array.from(v)).not.toEqual(Array.from({ length: 64 }, (_, i) => Math.fround(step0(i))));
    expect(Array.from(v)).toEqual(Array.from({ length: 64 }, (_, i) => Math.fround(init(i))));
  });
});
