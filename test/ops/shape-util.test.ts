import { describe, expect, it } from 'vitest';
import { canonicalAxis, formatShape, productOf, sameShapeInputs, splitAtAxis } from '../../src/ops/shape-util.js';
import { F32 } from '../../src/numeric/number-type.js';

describe('shape helpers', () => {
  it('canonicalise axes like Caffe', () => {
    expect(canonicalAxis(1, 4)).toBe(1);
    expect(canonicalAxis(-1, 4)).toBe(3);
    expect(canonicalAxis(-4, 4)).toBe(0);
    expect(canonicalAxis(4, 4)).toBeUndefined();
    expect(canonicalAxis(-5, 4)).toBeUndefined();
  });

  it('split a shape around an axis', () => {
    expect(splitAtAxis([2, 3, 4, 5], 1)).toEqual({ outer: 2, dim: 3, inner: 20 });
    expect(splitAtAxis([2, 3], 1)).toEqual({ outer: 2, dim: 3, inner: 1 });
    expect(splitAtAxis([7], 0)).toEqual({ outer: 1, dim: 7, inner: 1 });
  });

  it('format and multiply shapes', () => {
    expect(formatShape([2, 3])).toBe('[2, 3]');
    expect(formatShape([])).toBe('[]');
    expect(productOf([])).toBe(1);
    expect(productOf([2, 3, 4])).toBe(24);
  });

  it('check variadic inputs for count and equal shapes', () => {
    const t = (shape: number[]) => ({ dtype: F32, shape });
    expect(sameShapeInputs('add', 'inputs', [t([2]), t([2])], 2)).toEqual({ ok: true, shape: [2] });
    const few = sameShapeInputs('add', 'inputs', [t([2])], 2);
    expect(few.ok).toBe(false);
    const diff = sameShapeInputs('add', 'inputs', [t([2]), t([3])], 2);
    expect(diff.ok).toBe(false);
    if (!diff.ok) expect(diff.message).toContain('input 1 is [2] but input 2 is [3]');
  });
});
