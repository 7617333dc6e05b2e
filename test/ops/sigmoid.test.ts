import { describe, expect, it } from 'vitest';
import { logistic, sigmoidOp } from '../../src/ops/sigmoid.js';
import { getOp } from '../../src/ops/registry.js';
import { tensorFrom } from '../../src/numeric/tensor.js';
import { gradCheck, randomTensor, testRandom } from '../helpers/gradcheck.js';
import { backward, forward, shapeOf, values } from '../helpers/run-op.js';

describe('sigmoid', () => {
  it('is registered', () => {
    expect(getOp('sigmoid')).toBe(sigmoidOp);
  });

  it('computes 1 / (1 + e^-x) rounded to f32', () => {
    const y = forward(sigmoidOp, [tensorFrom([3], [0, 2, -2])]);
    expect(values(y)).toEqual([0.5, Math.fround(1 / (1 + Math.exp(-2))), Math.fround(1 / (1 + Math.exp(2)))]);
  });

  it('stays finite and correct for huge inputs', () => {
    expect(logistic(-1000)).toBe(0);
    expect(logistic(1000)).toBe(1);
    expect(logistic(-40)).toBeGreaterThan(0);
    expect(logistic(-40)).toBeCloseTo(Math.exp(-40), 30);
  });

  it('keeps the shape', () => {
    expect(shapeOf(sigmoidOp, [[5]])).toEqual({ ok: true, shape: [5] });
  });

  it('backward is dy * y * (1 - y)', () => {
    const g = backward(sigmoidOp, [tensorFrom([1], [0])], tensorFrom([1], [4]));
    expect(values(g.inputs[0])).toEqual([1]);
  });

  it('matches finite differences', () => {
    const x = randomTensor([2, 3, 3], testRandom(11), 3);
    expect(gradCheck({ op: sigmoidOp, inputs: [x], attrs: {} })).toEqual([]);
  });
});
