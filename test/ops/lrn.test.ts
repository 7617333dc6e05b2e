import { describe, expect, it } from 'vitest';
import { lrnOp } from '../../src/ops/lrn.js';
import { getOp } from '../../src/ops/registry.js';
import { tensorFrom } from '../../src/numeric/tensor.js';
import type { Attrs } from '../../src/ir/graph.js';
import { gradCheck, randomTensor, testRandom } from '../helpers/gradcheck.js';
import { forward, shapeOf, values } from '../helpers/run-op.js';

describe('lrn', () => {
  it('is registered and keeps the shape', () => {
    expect(getOp('lrn')).toBe(lrnOp);
    expect(shapeOf(lrnOp, [[2, 96, 55, 55]], { local_size: 5 })).toEqual({ ok: true, shape: [2, 96, 55, 55] });
    expect(shapeOf(lrnOp, [[4, 10]], {})).toEqual({ ok: true, shape: [4, 10] });
  });

  it('needs an odd local_size and a channel axis', () => {
    expect(shapeOf(lrnOp, [[1, 4, 2, 2]], { local_size: 4 })).toMatchObject({
      ok: false,
      message: 'lrn local_size 4 must be odd, so the window is centred on each channel',
      blame: 'local_size',
    });
    expect(shapeOf(lrnOp, [[7]], {})).toMatchObject({ ok: false, blame: 'x' });
  });

  it('normalises by the centred window of squares, clipped at the edge channels', () => {
    // n = 3, alpha = 3, beta = 1, k = 1: scale = 1 + (sum of squares in the window)
    const x = tensorFrom([1, 3, 1, 1], [1, 2, 3]);
    const y = forward(lrnOp, [x], { local_size: 3, alpha: 3, beta: 1, k: 1 });
    expect(values(y)).toEqual([Math.fround(1 / 6), Math.fround(2 / 15), Math.fround(3 / 14)]);
  });

  it('applies beta as an exponent and k as an offset, per position', () => {
    const x = tensorFrom([1, 2, 1, 2], [1, 2, 3, 4]);
    const y = forward(lrnOp, [x], { local_size: 1, alpha: 1, beta: 0.5, k: 2 });
    // window of one channel: scale = 2 + x^2
    expect(values(y)).toEqual([1, 2, 3, 4].map((v) => Math.fround(v / Math.sqrt(2 + v * v))));
  });

  const cases: [string, number[], Attrs][] = [
    ['local_size 3', [2, 4, 2, 3], { local_size: 3, alpha: 0.5, beta: 0.75, k: 1 }],
    ['local_size 5 wider than the channels', [1, 3, 3, 2], { local_size: 5, alpha: 1, beta: 0.75, k: 2 }],
    ['AlexNet settings, rank 2', [3, 7], { local_size: 5, alpha: 1e-4 * 1e3, beta: 0.75, k: 1 }],
  ];
  for (const [name, shape, attrs] of cases) {
    it(`matches finite differences: ${name}`, () => {
      const x = randomTensor(shape, testRandom(shape.length * 13 + shape[1]), 2);
      expect(gradCheck({ op: lrnOp, inputs: [x], attrs })).toEqual([]);
    });
  }
});
