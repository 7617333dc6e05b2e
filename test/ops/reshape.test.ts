import { describe, expect, it } from 'vitest';
import { reshapeOp } from '../../src/ops/reshape.js';
import { getOp } from '../../src/ops/registry.js';
import { fixed } from '../../src/numeric/number-type.js';
import { tensorFrom } from '../../src/numeric/tensor.js';
import { gradCheck, randomTensor, testRandom } from '../helpers/gradcheck.js';
import { backward, forward, shapeOf, values } from '../helpers/run-op.js';

describe('reshape', () => {
  it('is registered', () => {
    expect(getOp('reshape')).toBe(reshapeOp);
  });

  it('takes explicit sizes', () => {
    expect(shapeOf(reshapeOp, [[2, 3, 4]], { shape: [6, 4] })).toEqual({ ok: true, shape: [6, 4] });
    expect(shapeOf(reshapeOp, [[2, 3, 4]], { shape: [24] })).toEqual({ ok: true, shape: [24] });
  });

  it('copies input dimensions for 0 and infers one -1 (Caffe rules)', () => {
    expect(shapeOf(reshapeOp, [[2, 3, 4, 5]], { shape: [0, -1] })).toEqual({ ok: true, shape: [2, 60] });
    expect(shapeOf(reshapeOp, [[2, 3, 4, 5]], { shape: [0, 0, -1, 2] })).toEqual({ ok: true, shape: [2, 3, 10, 2] });
    expect(shapeOf(reshapeOp, [[8, 10]], { shape: [-1, 2, 5] })).toEqual({ ok: true, shape: [8, 2, 5] });
  });

  it('rejects two -1 entries', () => {
    const r = shapeOf(reshapeOp, [[2, 6]], { shape: [-1, -1] });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.blame).toBe('shape');
      expect(r.message).toContain('more than one -1 (entries 0 and 1)');
    }
  });

  it('rejects a 0 past the input rank and entries below -1', () => {
    const zero = shapeOf(reshapeOp, [[12]], { shape: [3, 0] });
    expect(zero.ok).toBe(false);
    if (!zero.ok) expect(zero.message).toContain('has only 1 dimensions');
    const neg = shapeOf(reshapeOp, [[12]], { shape: [-2, 6] });
    expect(neg.ok).toBe(false);
    if (!neg.ok) expect(neg.message).toContain('entry 0 is -2');
  });

  it('rejects a count that changes or that -1 cannot fill', () => {
    const count = shapeOf(reshapeOp, [[2, 3, 4]], { shape: [5, 5] });
    expect(count.ok).toBe(false);
    if (!count.ok) expect(count.message).toBe('reshape to [5, 5] needs 25 elements, but the input [2, 3, 4] has 24');
    const infer = shapeOf(reshapeOp, [[2, 3, 4]], { shape: [5, -1] });
    expect(infer.ok).toBe(false);
    if (!infer.ok) expect(infer.message).toContain('cannot infer the -1');
  });

  it('keeps values and the number type; the gradient goes back to the input shape', () => {
    const t = fixed(3, 5);
    expect(reshapeOp.inferType?.([{ dtype: t, shape: [4] }], { shape: [2, 2] })).toEqual(t);
    const y = forward(reshapeOp, [tensorFrom([4], [1, 2, 3, 4])], { shape: [2, -1] });
    expect(y.shape).toEqual([2, 2]);
    expect(values(y)).toEqual([1, 2, 3, 4]);
    const g = backward(reshapeOp, [tensorFrom([4], [1, 2, 3, 4])], tensorFrom([2, 2], [5, 6, 7, 8]), { shape: [2, -1] });
    expect(g.inputs[0]?.shape).toEqual([4]);
    expect(values(g.inputs[0])).toEqual([5, 6, 7, 8]);
  });

  it('matches finite differences', () => {
    expect(gradCheck({ op: reshapeOp, inputs: [randomTensor([2, 3, 2], testRandom(4))], attrs: { shape: [0, -1] } })).toEqual([]);
  });
});
