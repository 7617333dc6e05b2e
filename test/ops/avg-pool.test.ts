import { describe, expect, it } from 'vitest';
import { avgPoolOp } from '../../src/ops/avg-pool.js';
import { getOp } from '../../src/ops/registry.js';
import { F32, fixed } from '../../src/numeric/number-type.js';
import { tensorFrom } from '../../src/numeric/tensor.js';
import type { Attrs } from '../../src/ir/graph.js';
import { gradCheck, randomTensor, testRandom } from '../helpers/gradcheck.js';
import { backward, forward, shapeOf, values } from '../helpers/run-op.js';

describe('avg_pool', () => {
  it('is registered and outputs f32', () => {
    expect(getOp('avg_pool')).toBe(avgPoolOp);
    const out = avgPoolOp.inferType?.([{ dtype: fixed(4, 4), shape: [1, 1, 2, 2] }], { kernel: 2 }) ?? F32;
    expect(out).toEqual(F32);
  });

  it('shares the Caffe output-size rule with max_pool', () => {
    expect(shapeOf(avgPoolOp, [[1, 1, 6, 6]], { kernel: 3, stride: 2, pad: 1 })).toEqual({ ok: true, shape: [1, 1, 4, 4] });
    expect(shapeOf(avgPoolOp, [[1, 1, 5, 5]], { kernel: 2, stride: 2, pad: 1 })).toEqual({ ok: true, shape: [1, 1, 3, 3] });
    expect(shapeOf(avgPoolOp, [[2, 4, 8, 8]], { global: true })).toEqual({ ok: true, shape: [2, 4, 1, 1] });
    expect(shapeOf(avgPoolOp, [[1, 1, 3, 3]], { kernel: 4 })).toMatchObject({
      ok: false,
      message: 'kernel 4 x 4 does not fit input 3 x 3 with pad 0',
      blame: 'kernel',
    });
  });

  it('averages each window', () => {
    const x = tensorFrom(
      [1, 1, 4, 4],
      Array.from({ length: 16 }, (_, i) => i),
    );
    expect(values(forward(avgPoolOp, [x], { kernel: 2, stride: 2 }))).toEqual([2.5, 4.5, 10.5, 12.5]);
  });

  it('counts padded zeros in windows that overlap the padding', () => {
    const ones = tensorFrom([1, 1, 2, 2], [1, 1, 1, 1]);
    const y = forward(avgPoolOp, [ones], { kernel: 2, stride: 1, pad: 1 });
    expect(y.shape).toEqual([1, 1, 3, 3]);
    expect(values(y)).toEqual([0.25, 0.5, 0.25, 0.5, 1, 0.5, 0.25, 0.5, 0.25]);
  });

  it('divides by the window clipped to the padded input (Caffe pool_size)', () => {
    // in 6, k 3, s 2, pad 1: window 3 covers [5, 8) but the padded input ends at 7, so its extent is 2
    const ones = tensorFrom([1, 1, 6, 6], new Array(36).fill(1));
    const y = values(forward(avgPoolOp, [ones], { kernel: 3, stride: 2, pad: 1 }));
    expect(y[0]).toBe(Math.fround(4 / 9)); // corner: 2 x 2 real of 3 x 3
    expect(y[5]).toBe(1); // interior (1, 1)
    expect(y[3]).toBe(Math.fround(2 / 6)); // (0, 3): 2 real rows of 3, 1 real column of 2
    expect(y[15]).toBe(0.25); // (3, 3): 1 real of 2 x 2
  });

  it('averages each channel globally', () => {
    const x = tensorFrom([1, 2, 2, 2], [1, 2, 3, 4, -1, -1, -1, 3]);
    expect(values(forward(avgPoolOp, [x], { global: true }))).toEqual([2.5, 0]);
  });

  it('rounds to f32', () => {
    const x = tensorFrom([1, 1, 1, 3], [1, 1, 0]);
    expect(values(forward(avgPoolOp, [x], { kernel: [1, 3] }))).toEqual([Math.fround(2 / 3)]);
  });

  it('shares each gradient equally over its window', () => {
    const x = tensorFrom([1, 1, 2, 2], [1, 2, 3, 4]);
    const g = backward(avgPoolOp, [x], tensorFrom([1, 1, 1, 1], [8]), { kernel: 2 });
    expect(values(g.inputs[0])).toEqual([2, 2, 2, 2]);
  });

  const cases: [string, number[], Attrs][] = [
    ['kernel 2 stride 2', [2, 2, 4, 4], { kernel: 2, stride: 2 }],
    ['pad 1, ceil edge beyond the padding', [1, 2, 6, 6], { kernel: 3, stride: 2, pad: 1 }],
    ['odd sizes, floor mode', [1, 1, 7, 5], { kernel: 3, stride: 2, ceil_mode: false }],
    ['global', [2, 3, 3, 4], { global: true }],
  ];
  for (const [name, shape, attrs] of cases) {
    it(`matches finite differences: ${name}`, () => {
      const x = randomTensor(shape, testRandom(shape.reduce((a, b) => a * 5 + b, 3)));
      expect(gradCheck({ op: avgPoolOp, inputs: [x], attrs })).toEqual([]);
    });
  }
});
