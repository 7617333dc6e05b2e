import { describe, expect, it } from 'vitest';
import { flattenOp } from '../../src/ops/flatten.js';
import { getOp } from '../../src/ops/registry.js';
import { fixed } from '../../src/numeric/number-type.js';
import { tensorFrom } from '../../src/numeric/tensor.js';
import { gradCheck, randomTensor, testRandom } from '../helpers/gradcheck.js';
import { backward, forward, shapeOf, values } from '../helpers/run-op.js';

describe('flatten', () => {
  it('is registered', () => {
    expect(getOp('flatten')).toBe(flattenOp);
  });

  it('merges everything after the batch axis by default', () => {
    expect(shapeOf(flattenOp, [[2, 3, 4, 5]])).toEqual({ ok: true, shape: [2, 60] });
  });

  it('merges a chosen range of axes, inclusive, with negative indices', () => {
    expect(shapeOf(flattenOp, [[2, 3, 4, 5]], { axis: 1, end_axis: 2 })).toEqual({ ok: true, shape: [2, 12, 5] });
    expect(shapeOf(flattenOp, [[2, 3, 4, 5]], { axis: 0, end_axis: -3 })).toEqual({ ok: true, shape: [6, 4, 5] });
    expect(shapeOf(flattenOp, [[2, 3, 4, 5]], { axis: 2, end_axis: 2 })).toEqual({ ok: true, shape: [2, 3, 4, 5] });
    expect(shapeOf(flattenOp, [[7]], { axis: 0 })).toEqual({ ok: true, shape: [7] });
  });

  it('rejects out-of-range axes and end_axis before axis', () => {
    const start = shapeOf(flattenOp, [[2, 3]], { axis: 2 });
    expect(start.ok).toBe(false);
    if (!start.ok) expect(start.blame).toBe('axis');
    const end = shapeOf(flattenOp, [[2, 3]], { axis: 0, end_axis: 5 });
    expect(end.ok).toBe(false);
    if (!end.ok) expect(end.blame).toBe('end_axis');
    const order = shapeOf(flattenOp, [[2, 3, 4]], { axis: 2, end_axis: 1 });
    expect(order.ok).toBe(false);
    if (!order.ok) {
      expect(order.blame).toBe('end_axis');
      expect(order.message).toContain('comes before axis');
    }
  });

  it('keeps values, order and number type', () => {
    const a8 = fixed(4, 4);
    expect(flattenOp.inferType?.([{ dtype: a8, shape: [1, 2, 2] }], {})).toEqual(a8);
    const y = forward(flattenOp, [tensorFrom([1, 2, 2], [0.0625, 2, 3, 4])], {}, { dtypes: [a8] });
    expect(y.shape).toEqual([1, 4]);
    expect(values(y)).toEqual([0.0625, 2, 3, 4]);
  });

  it('gives the gradient back in the input shape', () => {
    const g = backward(flattenOp, [tensorFrom([1, 2, 2], [0, 0, 0, 0])], tensorFrom([1, 4], [1, 2, 3, 4]));
    expect(g.inputs[0]?.shape).toEqual([1, 2, 2]);
    expect(values(g.inputs[0])).toEqual([1, 2, 3, 4]);
  });

  it('matches finite differences', () => {
    expect(gradCheck({ op: flattenOp, inputs: [randomTensor([2, 3, 2, 2], testRandom(2))], attrs: { axis: 1, end_axis: -1 } })).toEqual([]);
  });
});
