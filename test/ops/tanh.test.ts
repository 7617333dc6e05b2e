import { describe, expect, it } from 'vitest';
import { tanhOp } from '../../src/ops/tanh.js';
import { getOp } from '../../src/ops/registry.js';
import { tensorFrom } from '../../src/numeric/tensor.js';
import { gradCheck, randomTensor, testRandom } from '../helpers/gradcheck.js';
import { backward, forward, shapeOf, values } from '../helpers/run-op.js';

describe('tanh', () => {
  it('is registered', () => {
    expect(getOp('tanh')).toBe(tanhOp);
  });

  it('computes tanh rounded to f32', () => {
    const y = forward(tanhOp, [tensorFrom([4], [0, 1, -2, 30])]);
    expect(values(y)).toEqual([0, Math.fround(Math.tanh(1)), Math.fround(Math.tanh(-2)), 1]);
  });

  it('keeps the shape', () => {
    expect(shapeOf(tanhOp, [[3, 1, 2]])).toEqual({ ok: true, shape: [3, 1, 2] });
  });

  it('backward is dy * (1 - y^2) from the saved output', () => {
    const g = backward(tanhOp, [tensorFrom([2], [0, 1])], tensorFrom([2], [2, 1]));
    const y1 = Math.fround(Math.tanh(1));
    expect(values(g.inputs[0])).toEqual([2, Math.fround(1 - y1 * y1)]);
  });

  it('matches finite differences', () => {
    const x = randomTensor([3, 7], testRandom(3), 2);
    expect(gradCheck({ op: tanhOp, inputs: [x], attrs: {} })).toEqual([]);
  });
});
