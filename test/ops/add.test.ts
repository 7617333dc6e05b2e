import { describe, expect, it } from 'vitest';
import { addOp } from '../../src/ops/add.js';
import { getOp } from '../../src/ops/registry.js';
import { fixed } from '../../src/numeric/number-type.js';
import { tensorFrom } from '../../src/numeric/tensor.js';
import { gradCheck, randomTensor, testRandom } from '../helpers/gradcheck.js';
import { backward, forward, shapeOf, values } from '../helpers/run-op.js';

describe('add', () => {
  it('is registered', () => {
    expect(getOp('add')).toBe(addOp);
  });

  it('sums two or three tensors elementwise', () => {
    const a = tensorFrom([2, 2], [1, 2, 3, 4]);
    const b = tensorFrom([2, 2], [10, 20, 30, 40]);
    const c = tensorFrom([2, 2], [-1, -1, 0.5, 0.25]);
    expect(values(forward(addOp, [a, b]))).toEqual([11, 22, 33, 44]);
    expect(values(forward(addOp, [a, b, c]))).toEqual([10, 21, 33.5, 44.25]);
  });

  it('sums in f32, rounding after each add in input order', () => {
    // 1 + 2^-24 rounds back to 1 in f32, twice; a single f64 sum would keep 1 + 2^-23.
    const tiny = 2 ** -24;
    const y = forward(addOp, [tensorFrom([1], [1]), tensorFrom([1], [tiny]), tensorFrom([1], [tiny])]);
    expect(values(y)).toEqual([1]);
  });

  it('outputs f32 by default even for fixed-point inputs (the sum may leave their range)', () => {
    const t = fixed(2, 2);
    expect(addOp.inferType).toBeUndefined();
    const y = forward(addOp, [tensorFrom([1], [1.75]), tensorFrom([1], [1.75])], {}, { dtypes: [t, t] });
    expect(values(y)).toEqual([3.5]);
  });

  it('rejects one input and mismatched shapes, blaming inputs', () => {
    const one = shapeOf(addOp, [[2, 3]]);
    expect(one.ok).toBe(false);
    if (!one.ok) {
      expect(one.message).toBe('add needs at least 2 inputs, got 1');
      expect(one.blame).toBe('inputs');
    }
    const bad = shapeOf(addOp, [[2, 3], [2, 3], [3, 2]]);
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.message).toContain('input 1 is [2, 3] but input 3 is [3, 2]');
      expect(bad.blame).toBe('inputs');
    }
    expect(shapeOf(addOp, [[2, 3], [2, 3]])).toEqual({ ok: true, shape: [2, 3] });
  });

  it('gives every input the output gradient', () => {
    const x = tensorFrom([2], [1, 2]);
    const g = backward(addOp, [x, x, x], tensorFrom([2], [0.5, -3]));
    expect(g.inputs.map(values)).toEqual([
      [0.5, -3],
      [0.5, -3],
      [0.5, -3],
    ]);
  });

  it('matches finite differences', () => {
    const rand = testRandom(5);
    const inputs = [randomTensor([2, 3, 3], rand), randomTensor([2, 3, 3], rand), randomTensor([2, 3, 3], rand)];
    expect(gradCheck({ op: addOp, inputs, attrs: {} })).toEqual([]);
  });
});
