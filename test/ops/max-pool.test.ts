import { describe, expect, it } from 'vitest';
import { maxPoolOp } from '../../src/ops/max-pool.js';
import { getOp } from '../../src/ops/registry.js';
import { F32, fixed } from '../../src/numeric/number-type.js';
import { tensorFrom } from '../../src/numeric/tensor.js';
import type { Attrs } from '../../src/ir/graph.js';
import { gradCheck, testRandom } from '../helpers/gradcheck.js';
import { backward, forward, shapeOf, values } from '../helpers/run-op.js';

/** A tensor of distinct values spaced 0.1 apart in shuffled order, so no window has a near-tie. */
function distinctTensor(shape: number[], seed: number) {
  const n = shape.reduce((a, b) => a * b, 1);
  const rand = testRandom(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(((rand() + 1) / 2) * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return tensorFrom(
    shape,
    order.map((k) => Math.fround(k * 0.1 - n * 0.05)),
  );
}

const spatial = (r: ReturnType<typeof shapeOf>) => (r.ok ? r.shape.slice(2) : r.message);

describe('max_pool', () => {
  it('is registered and keeps the input number type', () => {
    expect(getOp('max_pool')).toBe(maxPoolOp);
    const a8 = fixed(4, 4, 'stochastic');
    expect(maxPoolOp.inferType!([{ dtype: a8, shape: [1, 1, 2, 2] }], { kernel: 2 })).toEqual(a8);
    expect(maxPoolOp.inferType!([{ dtype: F32, shape: [1, 1, 2, 2] }], { kernel: 2 })).toEqual(F32);
  });

  describe("shapes (Caffe's ceil rule)", () => {
    it('in 6, kernel 3, stride 2, pad 1: 4 (floor mode: 3)', () => {
      expect(spatial(shapeOf(maxPoolOp, [[1, 1, 6, 6]], { kernel: 3, stride: 2, pad: 1 }))).toEqual([4, 4]);
      expect(spatial(shapeOf(maxPoolOp, [[1, 1, 6, 6]], { kernel: 3, stride: 2, pad: 1, ceil_mode: false }))).toEqual([3, 3]);
    });

    it('clips the last window when it would start in the padding (in 5, k 2, s 2, pad 1: 3)', () => {
      expect(spatial(shapeOf(maxPoolOp, [[1, 1, 5, 5]], { kernel: 2, stride: 2, pad: 1 }))).toEqual([3, 3]);
    });

    it('rounds up without padding (in 7, k 2, s 2: 4; AlexNet 55, k 3, s 2: 27; LeNet 24, k 2, s 2: 12)', () => {
      expect(spatial(shapeOf(maxPoolOp, [[1, 1, 7, 7]], { kernel: 2, stride: 2 }))).toEqual([4, 4]);
      expect(spatial(shapeOf(maxPoolOp, [[1, 1, 7, 7]], { kernel: 2, stride: 2, ceil_mode: false }))).toEqual([3, 3]);
      expect(spatial(shapeOf(maxPoolOp, [[1, 96, 55, 55]], { kernel: 3, stride: 2 }))).toEqual([27, 27]);
      expect(spatial(shapeOf(maxPoolOp, [[64, 20, 24, 24]], { kernel: 2, stride: 2 }))).toEqual([12, 12]);
    });

    it('handles rectangular kernels and strides', () => {
      expect(spatial(shapeOf(maxPoolOp, [[1, 1, 9, 8]], { kernel: [3, 2], stride: [2, 3] }))).toEqual([4, 3]);
    });

    it('global pooling gives 1 x 1 per channel', () => {
      expect(shapeOf(maxPoolOp, [[2, 3, 5, 7]], { global: true })).toEqual({ ok: true, shape: [2, 3, 1, 1] });
    });

    it('reports bad windows with the attribute to blame', () => {
      const cases: [number[], Attrs, string, string][] = [
        [[1, 1, 3, 3], { kernel: 5 }, 'kernel 5 x 5 does not fit input 3 x 3 with pad 0', 'kernel'],
        [[1, 1, 8, 8], {}, 'max_pool needs a kernel unless global: true', 'kernel'],
        [
          [1, 1, 8, 8],
          { global: true, kernel: 2 },
          'max_pool with global: true takes its window from the input; kernel must not be given',
          'kernel',
        ],
        [[1, 1, 8, 8], { global: true, stride: 2 }, 'max_pool with global: true needs pad 0 and stride 1', 'stride'],
        [[1, 1, 8, 8], { kernel: 2, pad: 2 }, 'max_pool pad 2 must be smaller than the kernel 2', 'pad'],
        [
          [1, 1, 5, 5],
          { kernel: 1, stride: 3 },
          'max_pool kernel 1 with stride 3 leaves the last window outside the 5 x 5 input',
          'stride',
        ],
        [[1, 8, 8], { kernel: 2 }, 'max_pool expects a 4-D input [batch, channels, height, width], got shape [1, 8, 8]', 'x'],
      ];
      for (const [shape, attrs, message, blame] of cases) {
        expect(shapeOf(maxPoolOp, [shape], attrs)).toMatchObject({ ok: false, message, blame });
      }
    });
  });

  describe('forward', () => {
    it('takes the maximum of each window', () => {
      const x = tensorFrom(
        [1, 1, 4, 4],
        Array.from({ length: 16 }, (_, i) => i),
      );
      expect(values(forward(maxPoolOp, [x], { kernel: 2, stride: 2 }))).toEqual([5, 7, 13, 15]);
    });

    it('pools partial windows at the ceil edge', () => {
      const x = tensorFrom([1, 1, 3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(values(forward(maxPoolOp, [x], { kernel: 2, stride: 2 }))).toEqual([5, 6, 8, 9]);
    });

    it('never lets padding win over negative inputs', () => {
      const x = tensorFrom([1, 1, 2, 2], [-4, -3, -2, -1]);
      expect(values(forward(maxPoolOp, [x], { kernel: 2, stride: 1, pad: 1 }))).toEqual([-4, -3, -3, -2, -1, -1, -2, -1, -1]);
    });

    it('pools globally and per channel', () => {
      const x = tensorFrom([1, 2, 2, 2], [1, 8, 3, 2, -1, -5, -2, -3]);
      expect(values(forward(maxPoolOp, [x], { global: true }))).toEqual([8, -1]);
    });

    it('passes wide fixed-point values through exactly', () => {
      const wide = fixed(32, 0);
      const big = 2 ** 30 + 1;
      const x = tensorFrom([1, 1, 1, 2], [big, 3]);
      expect(values(forward(maxPoolOp, [x], { kernel: [1, 2] }, { dtypes: [wide] }))).toEqual([big]);
    });
  });

  describe('backward', () => {
    it('routes each gradient to the first maximum of its window', () => {
      const x = tensorFrom([1, 1, 2, 3], [1, 5, 5, 0, 2, 5]);
      const g = backward(maxPoolOp, [x], tensorFrom([1, 1, 1, 2], [10, 20]), { kernel: 2, stride: 1 });
      // window 0 covers cols 0-1: first 5 at (0,1); window 1 covers cols 1-2: first 5 at (0,1) as well
      expect(values(g.inputs[0])).toEqual([0, 30, 0, 0, 0, 0]);
    });

    const cases: [string, number[], Attrs][] = [
      ['kernel 2 stride 2', [2, 2, 4, 4], { kernel: 2, stride: 2 }],
      ['overlapping, ceil rule, pad 1', [1, 2, 6, 5], { kernel: 3, stride: 2, pad: 1 }],
      ['odd size, ceil edge windows', [1, 1, 7, 7], { kernel: 2, stride: 2 }],
      ['global', [2, 3, 3, 4], { global: true }],
    ];
    for (const [name, shape, attrs] of cases) {
      it(`matches finite differences: ${name}`, () => {
        const x = distinctTensor(
          shape,
          shape.reduce((a, b) => a * 7 + b, 1),
        );
        expect(gradCheck({ op: maxPoolOp, inputs: [x], attrs })).toEqual([]);
      });
    }
  });
});
