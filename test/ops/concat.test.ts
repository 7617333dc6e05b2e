import { describe, expect, it } from 'vitest';
import { concatOp } from '../../src/ops/concat.js';
import { getOp } from '../../src/ops/registry.js';
import { F32, fixed } from '../../src/numeric/number-type.js';
import { tensorFrom } from '../../src/numeric/tensor.js';
import { gradCheck, randomTensor, testRandom } from '../helpers/gradcheck.js';
import { backward, forward, shapeOf, values } from '../helpers/run-op.js';

describe('concat', () => {
  it('is registered', () => {
    expect(getOp('concat')).toBe(concatOp);
  });

  it('joins NCHW tensors along channels', () => {
    // a: [2, 1, 1, 2], b: [2, 2, 1, 2]
    const a = tensorFrom([2, 1, 1, 2], [1, 2, 3, 4]);
    const b = tensorFrom([2, 2, 1, 2], [10, 11, 12, 13, 20, 21, 22, 23]);
    const y = forward(concatOp, [a, b]);
    expect(y.shape).toEqual([2, 3, 1, 2]);
    expect(values(y)).toEqual([1, 2, 10, 11, 12, 13, 3, 4, 20, 21, 22, 23]);
  });

  it('joins along axis 0 and along a negative axis', () => {
    const a = tensorFrom([1, 2], [1, 2]);
    const b = tensorFrom([2, 2], [3, 4, 5, 6]);
    expect(values(forward(concatOp, [a, b], { axis: 0 }))).toEqual([1, 2, 3, 4, 5, 6]);
    const c = tensorFrom([2, 1], [7, 8]);
    const y = forward(concatOp, [b, c], { axis: -1 });
    expect(y.shape).toEqual([2, 3]);
    expect(values(y)).toEqual([3, 4, 7, 5, 6, 8]);
  });

  it('keeps a shared number type, else gives f32', () => {
    const a8 = fixed(4, 4);
    const s = [2, 3];
    expect(concatOp.inferType?.([{ dtype: a8, shape: s }, { dtype: fixed(4, 4), shape: s }], {})).toEqual(a8);
    expect(concatOp.inferType?.([{ dtype: a8, shape: s }, { dtype: fixed(2, 6), shape: s }], {})).toEqual(F32);
  });

  it('reports rank and dimension mismatches and a bad axis', () => {
    const rank = shapeOf(concatOp, [[2, 3, 4], [2, 3]]);
    expect(rank.ok).toBe(false);
    if (!rank.ok) {
      expect(rank.blame).toBe('inputs');
      expect(rank.message).toContain('same rank');
    }
    const dim = shapeOf(concatOp, [[2, 3, 4, 4], [2, 5, 4, 3]]);
    expect(dim.ok).toBe(false);
    if (!dim.ok) {
      expect(dim.message).toContain('dimension 3 differs: 4 vs 3');
      expect(dim.hint).toContain('only dimension 1 may differ');
    }
    const axis = shapeOf(concatOp, [[2, 3], [2, 3]], { axis: 2 });
    expect(axis.ok).toBe(false);
    if (!axis.ok) expect(axis.blame).toBe('axis');
    expect(shapeOf(concatOp, [[2, 3, 4, 4], [2, 5, 4, 4]])).toEqual({ ok: true, shape: [2, 8, 4, 4] });
  });

  it('splits the output gradient back into slices', () => {
    const a = tensorFrom([1, 1, 2], [0, 0]);
    const b = tensorFrom([1, 2, 2], [0, 0, 0, 0]);
    const g = backward(concatOp, [a, b], tensorFrom([1, 3, 2], [1, 2, 3, 4, 5, 6]));
    expect(g.inputs.map(values)).toEqual([
      [1, 2],
      [3, 4, 5, 6],
    ]);
    expect(g.inputs[1]?.shape).toEqual([1, 2, 2]);
  });

  it('matches finite differences', () => {
    const rand = testRandom(13);
    const inputs = [randomTensor([2, 1, 2, 3], rand), randomTensor([2, 3, 2, 3], rand), randomTensor([2, 2, 2, 3], rand)];
    expect(gradCheck({ op: concatOp, inputs, attrs: { axis: 1 } })).toEqual([]);
    const rows = [randomTensor([3, 2], rand), randomTensor([3, 5], rand)];
    expect(gradCheck({ op: concatOp, inputs: rows, attrs: { axis: -1 } })).toEqual([]);
  });
});
