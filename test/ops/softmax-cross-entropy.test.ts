import { describe, expect, it } from 'vitest';
import { softmaxCrossEntropyOp } from '../../src/ops/softmax-cross-entropy.js';
import { LabelRangeError } from '../../src/ops/labels.js';
import { getOp } from '../../src/ops/registry.js';
import { F32, I32 } from '../../src/numeric/number-type.js';
import { tensorFrom } from '../../src/numeric/tensor.js';
import { gradCheck, randomTensor, testRandom } from '../helpers/gradcheck.js';
import { backward, forward, shapeOf, values } from '../helpers/run-op.js';

const op = softmaxCrossEntropyOp;
const labelTypes = { dtypes: [F32, I32] };

describe('softmax_cross_entropy', () => {
  it('is registered as a differentiable loss', () => {
    expect(getOp('softmax_cross_entropy')).toBe(op);
    expect(op.isLoss).toBe(true);
    expect(op.differentiable).toBe(true);
  });

  it('is the batch mean of -log p[label]', () => {
    // Row 0: uniform over 4 classes -> ln 4. Row 1: p = (1, 3)/4 at label 1 -> ln(4/3).
    const logits = tensorFrom([2, 4], [0, 0, 0, 0, 0, Math.log(3), -Infinity, -Infinity]);
    const label = tensorFrom([2], [2, 1]);
    const y = forward(op, [logits, label], {}, labelTypes);
    expect(y.shape).toEqual([]);
    expect(y.data[0]).toBe(Math.fround((Math.log(4) + Math.log(4 / 3)) / 2));
  });

  it('averages over positions for NCHW logits with [N, H, W] labels', () => {
    // [1, 2, 1, 2]: pixel 0 logits (0, 0) label 0 -> ln 2; pixel 1 logits (ln 3, 0) label 0 -> ln(4/3).
    const logits = tensorFrom([1, 2, 1, 2], [0, Math.log(3), 0, 0]);
    const y = forward(op, [logits, tensorFrom([1, 1, 2], [0, 0])]);
    expect(y.data[0]).toBe(Math.fround((Math.log(2) + Math.log(4 / 3)) / 2));
  });

  it('is stable for huge logits', () => {
    const y = forward(op, [tensorFrom([1, 2], [1000, 0]), tensorFrom([1], [1])]);
    expect(y.data[0]).toBe(1000);
    const z = forward(op, [tensorFrom([1, 2], [1000, 0]), tensorFrom([1], [0])]);
    expect(z.data[0]).toBe(0);
  });

  it('skips ignored labels in the loss, the count and the gradient', () => {
    const logits = tensorFrom([3, 2], [0, 0, 5, -5, 0, Math.log(3)]);
    const label = tensorFrom([3], [0, 255, 1]);
    const y = forward(op, [logits, label], { ignore_label: 255 });
    expect(y.data[0]).toBe(Math.fround((Math.log(2) + Math.log(4 / 3)) / 2));
    const g = backward(op, [logits, label], tensorFrom([], [1]), { ignore_label: 255 });
    expect(values(g.inputs[0]).slice(2, 4)).toEqual([0, 0]);
    const all = forward(op, [logits, tensorFrom([3], [255, 255, 255])], { ignore_label: 255 });
    expect(all.data[0]).toBe(0);
  });

  it('has gradient (softmax - onehot) * dy / N for the logits and none for the label', () => {
    const logits = tensorFrom([2, 2], [0, 0, 0, Math.log(3)]);
    const g = backward(op, [logits, tensorFrom([2], [0, 1])], tensorFrom([], [2]));
    expect(values(g.inputs[0])).toEqual([(0.5 - 1) * 1, 0.5 * 1, 0.25 * 1, (0.75 - 1) * 1]);
    expect(g.inputs[1]).toBeUndefined();
  });

  it('rejects labels that are not class indices', () => {
    const logits = tensorFrom([1, 3], [0, 0, 0]);
    expect(() => forward(op, [logits, tensorFrom([1], [3])])).toThrow(LabelRangeError);
    expect(() => forward(op, [logits, tensorFrom([1], [-1])])).toThrow(/not a class index in 0..2/);
    expect(() => forward(op, [logits, tensorFrom([1], [0.5])])).toThrow(LabelRangeError);
  });

  it('checks the label count against the predictions and the logits rank', () => {
    const r = shapeOf(op, [[4, 10], [5]]);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.blame).toBe('label');
      expect(r.message).toContain('logits [4, 10] make 4 predictions');
      expect(r.hint).toContain('[4]');
    }
    const dense = shapeOf(op, [[2, 3, 4, 5], [2, 4]]);
    expect(dense.ok).toBe(false);
    if (!dense.ok) expect(dense.hint).toContain('[2, 4, 5]');
    const rank = shapeOf(op, [[10], [10]]);
    expect(rank.ok).toBe(false);
    if (!rank.ok) expect(rank.blame).toBe('logits');
    expect(shapeOf(op, [[4, 10], [4]])).toEqual({ ok: true, shape: [] });
    expect(shapeOf(op, [[4, 10], [4, 1]])).toEqual({ ok: true, shape: [] });
    expect(shapeOf(op, [[2, 3, 4, 5], [2, 4, 5]])).toEqual({ ok: true, shape: [] });
  });

  it('matches finite differences for the logits ([N, C], NCHW, with an ignored label)', () => {
    const rand = testRandom(31);
    const flat = { op, inputs: [randomTensor([4, 5], rand, 2), tensorFrom([4], [0, 4, 2, 2])], attrs: {}, checkInputs: [0] };
    expect(gradCheck(flat)).toEqual([]);
    const nchw = {
      op,
      inputs: [randomTensor([2, 3, 2, 2], rand, 2), tensorFrom([2, 2, 2], [0, 1, 2, 1, 2, 2, 0, 9])],
      attrs: { ignore_label: 9 },
      checkInputs: [0],
    };
    expect(gradCheck(nchw)).toEqual([]);
  });
});
