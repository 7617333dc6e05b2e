import { describe, expect, it } from 'vitest';
import { scaleOp } from '../../src/ops/scale.js';
import { getOp } from '../../src/ops/registry.js';
import { tensorFrom } from '../../src/numeric/tensor.js';
import { gradCheck, randomTensor, testRandom } from '../helpers/gradcheck.js';
import { backwardLayer, forwardLayer, paramCount } from '../helpers/run-layer.js';
import { shapeOf, values } from '../helpers/run-op.js';

const f32 = { kind: 'f32' as const };

describe('scale', () => {
  it('is registered; gamma starts at 1, beta (bias_term only) at 0', () => {
    expect(getOp('scale')).toBe(scaleOp);
    const input = [{ dtype: f32, shape: [2, 16, 4, 4] }];
    expect(scaleOp.params!({}, input)).toEqual([{ slot: 'gamma', shape: [16], filler: { kind: 'constant', value: 1 } }]);
    expect(scaleOp.params!({ bias_term: true }, input).map((p) => [p.slot, p.shape, p.filler])).toEqual([
      ['gamma', [16], { kind: 'constant', value: 1 }],
      ['beta', [16], { kind: 'constant', value: 0 }],
    ]);
    expect(paramCount(scaleOp, [[2, 5, 3]], { axis: 2, bias_term: true })).toBe(6);
  });

  it('keeps the shape; rejects an axis out of range', () => {
    expect(shapeOf(scaleOp, [[2, 3, 4, 4]], {})).toEqual({ ok: true, shape: [2, 3, 4, 4] });
    expect(shapeOf(scaleOp, [[2, 3]], { axis: 3 })).toMatchObject({ ok: false, blame: 'axis' });
  });

  it('multiplies by gamma and adds beta per channel', () => {
    const x = tensorFrom([1, 2, 1, 2], [1, 2, 3, 4]);
    const y = forwardLayer(scaleOp, [x], [tensorFrom([2], [2, -1]), tensorFrom([2], [0.5, 1])], { bias_term: true });
    expect(values(y)).toEqual([2.5, 4.5, -2, -3]);
    expect(values(forwardLayer(scaleOp, [x], [tensorFrom([2], [2, -1])], {}))).toEqual([2, 4, -3, -4]);
  });

  it('runs along another axis', () => {
    const x = tensorFrom([2, 3], [1, 1, 1, 2, 2, 2]);
    expect(values(forwardLayer(scaleOp, [x], [tensorFrom([3], [1, 2, 3])], { axis: -1 }))).toEqual([1, 2, 3, 2, 4, 6]);
  });

  it('computes dx = dy gamma, dgamma = sum dy x, dbeta = sum dy', () => {
    const x = tensorFrom([2, 1], [3, 4]);
    const g = backwardLayer(scaleOp, [x], [tensorFrom([1], [2]), tensorFrom([1], [0])], tensorFrom([2, 1], [1, -1]), { bias_term: true });
    expect(values(g.inputs[0])).toEqual([2, -2]);
    expect(values(g.params[0])).toEqual([-1]);
    expect(values(g.params[1])).toEqual([0]);
  });

  it('matches finite differences with and without bias', () => {
    const rand = testRandom(21);
    for (const bias_term of [true, false]) {
      const params = [randomTensor([3], rand)];
      if (bias_term) params.push(randomTensor([3], rand));
      expect(gradCheck({ op: scaleOp, inputs: [randomTensor([2, 3, 2, 3], rand)], params, attrs: { bias_term } })).toEqual([]);
    }
  });
});
