import { describe, expect, it } from 'vitest';
import { softmaxOp } from '../../src/ops/softmax.js';
import { getOp } from '../../src/ops/registry.js';
import { tensorFrom } from '../../src/numeric/tensor.js';
import { gradCheck, randomTensor, testRandom } from '../helpers/gradcheck.js';
import { forward, shapeOf, values } from '../helpers/run-op.js';

describe('softmax', () => {
  it('is registered', () => {
    expect(getOp('softmax')).toBe(softmaxOp);
  });

  it('normalises each row of [N, C] over the classes', () => {
    const y = forward(softmaxOp, [tensorFrom([2, 3], [0, 0, 0, 0, Math.log(2), Math.log(5)])]);
    expect(values(y)).toEqual([1 / 3, 1 / 3, 1 / 3, 1 / 8, 2 / 8, 5 / 8].map(Math.fround));
  });

  it('normalises over channels at every pixel of NCHW', () => {
    // [1, 2, 1, 2]: pixel 0 has channels (0, ln 3), pixel 1 has (ln 4, 0).
    const y = forward(softmaxOp, [tensorFrom([1, 2, 1, 2], [0, Math.log(4), Math.log(3), 0])]);
    expect(values(y)).toEqual([1 / 4, 4 / 5, 3 / 4, 1 / 5].map(Math.fround));
  });

  it('honours a negative axis', () => {
    const y = forward(softmaxOp, [tensorFrom([1, 2, 2], [0, Math.log(3), 0, 0])], { axis: -1 });
    expect(values(y)).toEqual([1 / 4, 3 / 4, 1 / 2, 1 / 2].map(Math.fround));
  });

  it('does not overflow on huge logits', () => {
    const y = forward(softmaxOp, [tensorFrom([1, 3], [1000, 1000, -1000])]);
    expect(values(y)).toEqual([0.5, 0.5, 0]);
  });

  it('rejects an axis outside the input rank, blaming axis', () => {
    const r = shapeOf(softmaxOp, [[4, 10]], { axis: 2 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.blame).toBe('axis');
      expect(r.message).toContain('out of range for an input of rank 2');
      expect(r.message).toContain('-2..1');
    }
    expect(shapeOf(softmaxOp, [[4, 10]], { axis: -3 }).ok).toBe(false);
    expect(shapeOf(softmaxOp, [[4, 10]], { axis: 1 })).toEqual({ ok: true, shape: [4, 10] });
  });

  it('matches finite differences on [N, C] and NCHW and along the last axis', () => {
    const rand = testRandom(21);
    expect(gradCheck({ op: softmaxOp, inputs: [randomTensor([3, 5], rand, 2)], attrs: { axis: 1 } })).toEqual([]);
    expect(gradCheck({ op: softmaxOp, inputs: [randomTensor([2, 3, 2, 3], rand, 2)], attrs: { axis: 1 } })).toEqual([]);
    expect(gradCheck({ op: softmaxOp, inputs: [randomTensor([2, 3, 4], rand, 2)], attrs: { axis: -1 } })).toEqual([]);
  });
});
