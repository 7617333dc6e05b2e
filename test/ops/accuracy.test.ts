import { describe, expect, it } from 'vitest';
import { accuracyOp } from '../../src/ops/accuracy.js';
import { LabelRangeError } from '../../src/ops/labels.js';
import { getOp } from '../../src/ops/registry.js';
import { tensorFrom } from '../../src/numeric/tensor.js';
import { forward, shapeOf } from '../helpers/run-op.js';

const op = accuracyOp;
// Three samples, four classes. Sample ranks (best first): 0: [2, 1, 0, 3], 1: [0, 3, 1, 2], 2: [3, 2, 1, 0].
const logits = tensorFrom([3, 4], [0.1, 0.5, 0.9, 0, 0.9, 0.3, 0.1, 0.5, 0, 0.1, 0.2, 0.3]);

describe('accuracy', () => {
  it('is registered as a non-differentiable metric', () => {
    expect(getOp('accuracy')).toBe(op);
    expect(op.isLoss).toBe(true);
    expect(op.differentiable).toBe(false);
    expect(op.cpu.backward).toBeUndefined();
  });

  it('counts top-1 hits', () => {
    const y = forward(op, [logits, tensorFrom([3], [2, 3, 3])]);
    expect(y.shape).toEqual([]);
    expect(y.data[0]).toBe(Math.fround(2 / 3));
  });

  it('counts top-k hits', () => {
    const label = tensorFrom([3], [1, 1, 1]); // rank 2, 3, 3
    expect(forward(op, [logits, label], { top_k: 1 }).data[0]).toBe(0);
    expect(forward(op, [logits, label], { top_k: 2 }).data[0]).toBe(Math.fround(1 / 3));
    expect(forward(op, [logits, label], { top_k: 3 }).data[0]).toBe(1);
  });

  it('counts ties in favour of the label, as Caffe does', () => {
    const tied = tensorFrom([1, 3], [1, 1, 0]);
    expect(forward(op, [tied, tensorFrom([1], [0])]).data[0]).toBe(1);
    expect(forward(op, [tied, tensorFrom([1], [1])]).data[0]).toBe(1);
  });

  it('scores every position of NCHW logits', () => {
    // [1, 2, 1, 2]: pixel 0 best class 1, pixel 1 best class 0.
    const y = forward(op, [tensorFrom([1, 2, 1, 2], [0, 1, 1, 0]), tensorFrom([1, 1, 2], [1, 1])]);
    expect(y.data[0]).toBe(0.5);
  });

  it('skips ignored labels, and is 0 when all are ignored', () => {
    expect(forward(op, [logits, tensorFrom([3], [2, -1, 0])], { ignore_label: -1 }).data[0]).toBe(0.5);
    expect(forward(op, [logits, tensorFrom([3], [-1, -1, -1])], { ignore_label: -1 }).data[0]).toBe(0);
  });

  it('rejects labels outside the classes', () => {
    expect(() => forward(op, [logits, tensorFrom([3], [0, 4, 0])])).toThrow(LabelRangeError);
  });

  it('rejects top_k above the class count, blaming top_k', () => {
    const r = shapeOf(op, [[3, 4], [3]], { top_k: 5 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.blame).toBe('top_k');
      expect(r.message).toContain('between 1 and the number of classes (4)');
    }
    const label = shapeOf(op, [[3, 4], [2]]);
    expect(label.ok).toBe(false);
    if (!label.ok) expect(label.blame).toBe('label');
    expect(shapeOf(op, [[3, 4], [3]], { top_k: 4 })).toEqual({ ok: true, shape: [] });
  });
});
