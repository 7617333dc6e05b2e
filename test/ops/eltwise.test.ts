import { describe, expect, it } from 'vitest';
import { eltwiseOp } from '../../src/ops/eltwise.js';
import { getOp } from '../../src/ops/registry.js';
import { tensorFrom } from '../../src/numeric/tensor.js';
import { gradCheck, randomTensor, testRandom } from '../helpers/gradcheck.js';
import { backward, forward, shapeOf, values } from '../helpers/run-op.js';

const a = tensorFrom([4], [1, -2, 3, 0]);
const b = tensorFrom([4], [2, 5, -1, 0]);

describe('eltwise', () => {
  it('is registered', () => {
    expect(getOp('eltwise')).toBe(eltwiseOp);
  });

  it('sums by default and weights by coeffs', () => {
    expect(values(forward(eltwiseOp, [a, b]))).toEqual([3, 3, 2, 0]);
    expect(values(forward(eltwiseOp, [a, b], { operation: 'sum', coeffs: [1, -1] }))).toEqual([-1, -7, 4, 0]);
    expect(values(forward(eltwiseOp, [a, b], { coeffs: [0.5, 2] }))).toEqual([4.5, 9, -0.5, 0]);
  });

  it('multiplies with operation: prod', () => {
    const c = tensorFrom([4], [3, 1, 2, 7]);
    expect(values(forward(eltwiseOp, [a, b, c], { operation: 'prod' }))).toEqual([6, -10, -6, 0]);
  });

  it('takes the maximum with operation: max', () => {
    expect(values(forward(eltwiseOp, [a, b], { operation: 'max' }))).toEqual([2, 5, 3, 0]);
  });

  it('rejects coeffs with the wrong count or with prod/max, blaming coeffs', () => {
    const count = shapeOf(eltwiseOp, [[4], [4], [4]], { coeffs: [1, 2] });
    expect(count.ok).toBe(false);
    if (!count.ok) {
      expect(count.blame).toBe('coeffs');
      expect(count.message).toBe('eltwise coeffs must have one entry per input: 3 inputs but 2 coeffs');
      expect(count.hint).toContain('coeffs: [1, 1, 1]');
    }
    const prod = shapeOf(eltwiseOp, [[4], [4]], { operation: 'prod', coeffs: [1, 2] });
    expect(prod.ok).toBe(false);
    if (!prod.ok) {
      expect(prod.blame).toBe('coeffs');
      expect(prod.message).toContain('operation is prod');
    }
  });

  it('rejects mismatched shapes and a single input', () => {
    const r = shapeOf(eltwiseOp, [[2, 4], [4, 2]]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain('input 1 is [2, 4] but input 2 is [4, 2]');
    expect(shapeOf(eltwiseOp, [[2, 4]]).ok).toBe(false);
  });

  it('routes the max gradient to the first input holding the maximum on ties', () => {
    const x = tensorFrom([2], [1, 4]);
    const y = tensorFrom([2], [1, 6]);
    const g = backward(eltwiseOp, [x, y], tensorFrom([2], [10, 20]), { operation: 'max' });
    expect(g.inputs.map(values)).toEqual([
      [10, 0],
      [0, 20],
    ]);
  });

  it('gives prod a finite gradient when another input is zero', () => {
    const g = backward(eltwiseOp, [tensorFrom([1], [0]), tensorFrom([1], [3])], tensorFrom([1], [2]), { operation: 'prod' });
    expect(g.inputs.map(values)).toEqual([[6], [0]]);
  });

  it('matches finite differences for sum with coeffs, prod and max', () => {
    const rand = testRandom(9);
    const three = () => [randomTensor([2, 3, 3], rand), randomTensor([2, 3, 3], rand), randomTensor([2, 3, 3], rand)];
    expect(gradCheck({ op: eltwiseOp, inputs: three(), attrs: { operation: 'sum', coeffs: [0.5, -2, 1.5] } })).toEqual([]);
    expect(gradCheck({ op: eltwiseOp, inputs: three(), attrs: { operation: 'prod' } })).toEqual([]);
    // max: inputs 0.5 apart at every element so a step of h never changes the winner.
    const base = randomTensor([2, 5], rand);
    const shifted = (k: number) => ({ shape: base.shape, data: base.data.map((v, i) => v + (((i + k) % 3) - 1) * 0.5) });
    expect(gradCheck({ op: eltwiseOp, inputs: [shifted(0), shifted(1), shifted(2)], attrs: { operation: 'max' } })).toEqual([]);
  });
});
