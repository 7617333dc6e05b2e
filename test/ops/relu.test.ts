import { describe, expect, it } from 'vitest';
import { reluOp } from '../../src/ops/relu.js';
import { getOp } from '../../src/ops/registry.js';
import { F32, fixed } from '../../src/numeric/number-type.js';
import { tensorFrom } from '../../src/numeric/tensor.js';
import { gradCheck, randomTensor, testRandom } from '../helpers/gradcheck.js';
import { backward, forward, shapeOf, values } from '../helpers/run-op.js';

/** Random inputs kept at least `gap` away from 0, where relu's derivative jumps. */
function awayFromZero(shape: number[], seed: number, gap: number) {
  const t = randomTensor(shape, testRandom(seed));
  for (let i = 0; i < t.data.length; i++) if (Math.abs(t.data[i]) < gap) t.data[i] = t.data[i] < 0 ? -gap - 0.1 : gap + 0.1;
  return t;
}

describe('relu', () => {
  it('is registered', () => {
    expect(getOp('relu')).toBe(reluOp);
  });

  it('zeroes negatives and keeps positives', () => {
    const y = forward(reluOp, [tensorFrom([2, 3], [-2, -0.5, 0, 0.25, 1, 3])]);
    expect(y.shape).toEqual([2, 3]);
    expect(values(y)).toEqual([0, 0, 0, 0.25, 1, 3]);
  });

  it('scales negatives by negative_slope (leaky relu), rounding to f32', () => {
    const y = forward(reluOp, [tensorFrom([4], [-2, -1, 0.5, 2])], { negative_slope: 0.1 });
    expect(values(y)).toEqual([Math.fround(-0.2), Math.fround(-0.1), 0.5, 2]);
  });

  it('keeps a fixed-point input type with slope 0, and f32 otherwise', () => {
    const a8 = fixed(4, 4);
    const t = [{ dtype: a8, shape: [2] }];
    expect(reluOp.inferType?.(t, { negative_slope: 0 })).toEqual(a8);
    expect(reluOp.inferType?.(t, { negative_slope: 0.25 })).toEqual(F32);
    expect(reluOp.inferType?.([{ dtype: F32, shape: [2] }], { negative_slope: 0 })).toEqual(F32);
  });

  it('passes wide fixed-point codes through exactly (no f32 rounding)', () => {
    const wide = fixed(32, 0);
    const big = 2 ** 30 + 1; // not representable in f32
    const y = forward(reluOp, [tensorFrom([2], [big, -big])], { negative_slope: 0 }, { dtypes: [wide] });
    expect(values(y)).toEqual([big, 0]);
  });

  it('keeps the shape of any rank', () => {
    expect(shapeOf(reluOp, [[2, 3, 4, 5]])).toEqual({ ok: true, shape: [2, 3, 4, 5] });
    expect(shapeOf(reluOp, [[]])).toEqual({ ok: true, shape: [] });
  });

  it('passes the gradient where x > 0 and slope * gradient elsewhere (including at 0)', () => {
    const g = backward(reluOp, [tensorFrom([3], [-1, 0, 2])], tensorFrom([3], [5, 7, 9]), { negative_slope: 0.5 });
    expect(values(g.inputs[0])).toEqual([2.5, 3.5, 9]);
    expect(g.params).toEqual([]);
  });

  it('matches finite differences (plain and leaky)', () => {
    for (const slope of [0, 0.2]) {
      const x = awayFromZero([2, 3, 5], 7 + slope * 10, 0.05);
      expect(gradCheck({ op: reluOp, inputs: [x], attrs: { negative_slope: slope } })).toEqual([]);
    }
  });
});
