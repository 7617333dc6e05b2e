import { describe, expect, it } from 'vitest';
import { denseOp } from '../../src/ops/dense.js';
import { getOp } from '../../src/ops/registry.js';
import { tensorFrom } from '../../src/numeric/tensor.js';
import type { Attrs } from '../../src/ir/graph.js';
import { gradCheck, randomTensor, testRandom } from '../helpers/gradcheck.js';
import { backwardLayer, forwardLayer, paramCount } from '../helpers/run-layer.js';
import { shapeOf, values } from '../helpers/run-op.js';

const f32 = { kind: 'f32' as const };

describe('dense', () => {
  it('is registered as an anchor with weights/bias/acc type slots', () => {
    expect(getOp('dense')).toBe(denseOp);
    expect(denseOp.fusion).toBe('anchor');
    expect(denseOp.typeSlots).toEqual(['weights', 'bias', 'acc']);
  });

  describe('parameters', () => {
    it('LeNet ip1 (50x4x4 -> 500) has 500*800 + 500 = 400,500 and ip2 5,010 parameters', () => {
      expect(paramCount(denseOp, [[64, 50, 4, 4]], { units: 500 })).toBe(400500);
      expect(paramCount(denseOp, [[64, 500]], { units: 10 })).toBe(5010);
    });

    it('stores weights as [units, K], or [K, units] with transpose; bias only with bias_term', () => {
      const input = [{ dtype: f32, shape: [8, 3, 4] }];
      expect(denseOp.params!({ units: 5 }, input).map((p) => p.shape)).toEqual([[5, 12], [5]]);
      expect(denseOp.params!({ units: 5, transpose: true }, input).map((p) => p.shape)).toEqual([[12, 5], [5]]);
      expect(denseOp.params!({ units: 5, axis: 2 }, input).map((p) => p.shape)).toEqual([[5, 4], [5]]);
      expect(denseOp.params!({ units: 5, bias_term: false }, input).map((p) => p.slot)).toEqual(['weights']);
    });
  });

  describe('shapes', () => {
    it('keeps the dims before axis and appends units', () => {
      expect(shapeOf(denseOp, [[2, 3, 4]], { units: 5 })).toEqual({ ok: true, shape: [2, 5] });
      expect(shapeOf(denseOp, [[2, 3, 4]], { units: 5, axis: 2 })).toEqual({ ok: true, shape: [2, 3, 5] });
      expect(shapeOf(denseOp, [[2, 3, 4]], { units: 5, axis: -1 })).toEqual({ ok: true, shape: [2, 3, 5] });
      expect(shapeOf(denseOp, [[6]], { units: 2, axis: 0 })).toEqual({ ok: true, shape: [2] });
    });

    it('reports an axis out of range, blaming axis', () => {
      expect(shapeOf(denseOp, [[2, 3]], { units: 5, axis: 2 })).toMatchObject({
        ok: false,
        message: 'dense axis 2 is out of range for an input of rank 2 (shape [2, 3]); valid axes are -2..1',
        blame: 'axis',
      });
    });

    it('reports an input with no features', () => {
      expect(shapeOf(denseOp, [[2, 0, 3]], { units: 5 })).toMatchObject({ ok: false, blame: 'x' });
    });

    it('counts M*K*units multiply-accumulates', () => {
      expect(denseOp.macs!([{ dtype: f32, shape: [64, 50, 4, 4] }], [64, 500], { units: 500 })).toBe(64 * 800 * 500);
    });
  });

  describe('forward', () => {
    const x = tensorFrom([2, 2], [1, 2, 3, 4]);
    const b = tensorFrom([3], [0, 1, -1]);

    it('computes x W^T + b', () => {
      const w = tensorFrom([3, 2], [1, 0, 0, 1, 1, 1]);
      const y = forwardLayer(denseOp, [x], [w, b], { units: 3 });
      expect(y.shape).toEqual([2, 3]);
      expect(values(y)).toEqual([1, 3, 2, 3, 5, 6]);
    });

    it('reads [K, units] weights with transpose', () => {
      const wt = tensorFrom([2, 3], [1, 0, 1, 0, 1, 1]);
      expect(values(forwardLayer(denseOp, [x], [wt, b], { units: 3, transpose: true }))).toEqual([1, 3, 2, 3, 5, 6]);
    });

    it('flattens from axis', () => {
      const x3 = tensorFrom([1, 2, 2], [1, 2, 3, 4]);
      const w = tensorFrom([1, 2], [1, -1]);
      expect(values(forwardLayer(denseOp, [x3], [w], { units: 1, axis: 2, bias_term: false }))).toEqual([-1, -1]);
      expect(values(forwardLayer(denseOp, [x3], [tensorFrom([1, 4], [1, 1, 1, 1])], { units: 1, bias_term: false }))).toEqual([10]);
    });

    it('sums in f32 with the bias last, unless accumulate is exact', () => {
      const big = tensorFrom([1, 3], [2 ** 24, 1, 1]);
      const w = tensorFrom([1, 3], [1, 1, 1]);
      expect(values(forwardLayer(denseOp, [big], [w], { units: 1, bias_term: false }))).toEqual([2 ** 24]);
      expect(values(forwardLayer(denseOp, [big], [w], { units: 1, bias_term: false }, { accumulate: 'exact' }))).toEqual([2 ** 24 + 2]);
      expect(
        values(forwardLayer(denseOp, [tensorFrom([1, 1], [2 ** 24])], [tensorFrom([1, 1], [1]), tensorFrom([1], [1])], { units: 1 })),
      ).toEqual([2 ** 24]);
    });
  });

  describe('backward', () => {
    it('computes dx = dy W, dW = dy^T x, db = sum dy', () => {
      const x = tensorFrom([1, 2], [1, 2]);
      const w = tensorFrom([2, 2], [1, 2, 3, 4]);
      const g = backwardLayer(denseOp, [x], [w, tensorFrom([2], [0, 0])], tensorFrom([1, 2], [1, -1]), { units: 2 });
      expect(values(g.inputs[0])).toEqual([-2, -2]);
      expect(values(g.params[0])).toEqual([1, 2, -1, -2]);
      expect(values(g.params[1])).toEqual([1, -1]);
    });

    const cases: [string, number[], Attrs, number[]][] = [
      ['axis 1 over NCHW', [3, 2, 3, 1], { units: 4 }, [4, 6]],
      ['axis 2', [2, 3, 5], { units: 3, axis: 2 }, [3, 5]],
      ['transpose, no bias', [3, 7], { units: 5, transpose: true, bias_term: false }, [7, 5]],
    ];
    for (const [name, shape, attrs, wShape] of cases) {
      it(`matches finite differences: ${name}`, () => {
        const rand = testRandom(wShape[0] * 100 + wShape[1]);
        const params = [randomTensor(wShape, rand)];
        if (attrs.bias_term !== false) params.push(randomTensor([attrs.units as number], rand));
        expect(gradCheck({ op: denseOp, inputs: [randomTensor(shape, rand)], params, attrs })).toEqual([]);
      });
    }
  });
});
