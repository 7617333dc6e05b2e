import { describe, expect, it } from 'vitest';
import { defaultTransform, evalBatch, evalBatchCount, shuffledOrder, stepsPerEpoch, trainBatch } from '../../../src/runtime/data/batches.js';
import { getItem, limitSplit } from '../../../src/runtime/data/dataset.js';
import { memorySplit } from '../train/helpers.js';

describe('shuffling', () => {
  it('is a permutation, reproducible from (seed, epoch), and differs between epochs and seeds', () => {
    const a = shuffledOrder(1000, 7, 0);
    expect([...a].sort((x, y) => x - y)).toEqual([...Array(1000).keys()]);
    expect([...shuffledOrder(1000, 7, 0)]).toEqual([...a]);
    expect([...shuffledOrder(1000, 7, 1)]).not.toEqual([...a]);
    expect([...shuffledOrder(1000, 8, 0)]).not.toEqual([...a]);
    // a shuffle moves almost everything
    const fixedPoints = [...a].filter((v, i) => v === i).length;
    expect(fixedPoints).toBeLessThan(10);
  });

  it('is stable: golden orders (a change here changes every run\'s data order)', () => {
    expect([...shuffledOrder(8, 1, 0)]).toEqual([3, 7, 2, 5, 6, 4, 0, 1]);
    expect([...shuffledOrder(8, 1, 1)]).toEqual([5, 0, 7, 1, 6, 4, 3, 2]);
    expect(shuffledOrder(1, 1, 0)[0]).toBe(0);
    expect(shuffledOrder(0, 1, 0).length).toBe(0);
  });

  it('spreads positions evenly (each item lands in each half about equally often)', () => {
    let firstHalf = 0;
    for (let e = 0; e < 400; e++) if (shuffledOrder(10, 3, e).indexOf(0) < 5) firstHalf++;
    expect(firstHalf).toBeGreaterThan(160);
    expect(firstHalf).toBeLessThan(240);
  });
});

describe('batches and the input transform', () => {
  const images = Float32Array.from({ length: 5 * 2 * 2 * 2 }, (_, i) => i);
  const split = memorySplit(images, [0, 1, 2, 0, 1], [2, 2, 2]);

  it('applies (x - mean[c]) * scale per channel, in f32', () => {
    const b = trainBatch(split, Uint32Array.from([4, 3, 2, 1, 0]), 0, 2, { scale: 0.5, mean: [1, 2] });
    expect(b.size).toBe(2);
    expect(b.valid).toBe(2);
    expect([...b.labels]).toEqual([1, 0]);
    // item 4: values 32..39, channel 0 = 32..35 (mean 1), channel 1 = 36..39 (mean 2)
    expect([...b.images.subarray(0, 8)]).toEqual([15.5, 16, 16.5, 17, 17, 17.5, 18, 18.5]);
  });

  it('defaults to 1/255 for u8 pixels', () => {
    expect(defaultTransform('u8')).toEqual({ scale: 1 / 255, mean: [0] });
    expect(defaultTransform('f32')).toEqual({ scale: 1, mean: [0] });
  });

  it('drops the last partial training batch and pads the last evaluation batch', () => {
    expect(stepsPerEpoch(5, 2)).toBe(2);
    expect(evalBatchCount(5, 2)).toBe(3);
    const last = evalBatch(split, 2, 2, { scale: 1, mean: [0] });
    expect(last.valid).toBe(1);
    expect([...last.labels]).toEqual([1, 0]); // item 4, then item 0 as padding
    expect(last.images[8]).toBe(0);
  });

  it('limits a split to its first items', () => {
    const s = limitSplit(split, 3);
    expect(s.count).toBe(3);
    expect(getItem(s, 2).label).toBe(2);
    expect(limitSplit(split, 99)).toBe(split);
  });
});
