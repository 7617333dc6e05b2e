import { describe, expect, it } from 'vitest';
import { dropoutMask, dropoutOp, dropoutScale } from '../../src/ops/dropout.js';
import { getOp } from '../../src/ops/registry.js';
import { fixed } from '../../src/numeric/number-type.js';
import { rngUniform } from '../../src/numeric/rng.js';
import type { Tensor } from '../../src/numeric/tensor.js';
import { tensorFrom } from '../../src/numeric/tensor.js';
import { gradCheck, randomTensor, testRandom } from '../helpers/gradcheck.js';
import { backward, forward, shapeOf, values } from '../helpers/run-op.js';

function ones(n: number): Tensor {
  return { shape: [n], data: new Float64Array(n).fill(1) };
}

const training = (seed: number, step: number, stream: number) => ({ ctx: { training: true, seed, step, stream } });

describe('dropout', () => {
  it('is registered', () => {
    expect(getOp('dropout')).toBe(dropoutOp);
  });

  it('is the identity at inference, keeping the number type', () => {
    const a8 = fixed(4, 4);
    expect(dropoutOp.inferType?.([{ dtype: a8, shape: [3] }], {})).toEqual(a8);
    const x = tensorFrom([3], [0.5, -1.25, 3]);
    expect(values(forward(dropoutOp, [x], { ratio: 0.5 }, { dtypes: [a8], ctx: { training: false } }))).toEqual([0.5, -1.25, 3]);
    const g = backward(dropoutOp, [x], tensorFrom([3], [1, 2, 3]), { ratio: 0.5 }, { ctx: { training: false } });
    expect(values(g.inputs[0])).toEqual([1, 2, 3]);
  });

  it('keeps element i exactly when rngUniform(seed, step, stream, i) >= ratio, scaled by 1/(1-ratio)', () => {
    const n = 64;
    const y = forward(dropoutOp, [ones(n)], { ratio: 0.3 }, training(7, 3, 11));
    const scale = Math.fround(1 / 0.7);
    for (let i = 0; i < n; i++) expect(y.data[i]).toBe(rngUniform(7, 3, 11, i) >= 0.3 ? scale : 0);
  });

  it('keeps a fraction close to 1 - ratio', () => {
    const n = 20000;
    for (const ratio of [0.1, 0.5, 0.8]) {
      const keep = dropoutMask({ training: true, seed: 5, step: 1, stream: 2 }, ratio, n);
      const kept = keep.reduce((s, k) => s + k, 0) / n;
      const se = Math.sqrt((ratio * (1 - ratio)) / n);
      expect(Math.abs(kept - (1 - ratio))).toBeLessThan(5 * se);
    }
  });

  it('keeps the mean in expectation (kept units scaled up)', () => {
    const n = 20000;
    const y = forward(dropoutOp, [ones(n)], { ratio: 0.5 }, training(9, 0, 0));
    const mean = y.data.reduce((s, v) => s + v, 0) / n;
    expect(Math.abs(mean - 1)).toBeLessThan(5 * Math.sqrt(1 / n));
  });

  it('is reproducible for the same (seed, step, stream) and differs across steps, streams and seeds', () => {
    const n = 256;
    const run = (seed: number, step: number, stream: number) => values(forward(dropoutOp, [ones(n)], { ratio: 0.5 }, training(seed, step, stream)));
    const base = run(1, 4, 2);
    expect(run(1, 4, 2)).toEqual(base);
    expect(run(1, 5, 2)).not.toEqual(base);
    expect(run(1, 4, 3)).not.toEqual(base);
    expect(run(2, 4, 2)).not.toEqual(base);
  });

  it('uses the forward mask in the backward pass', () => {
    const n = 200;
    const rand = testRandom(17);
    const x = randomTensor([n], rand);
    const dy = randomTensor([n], rand);
    const opts = training(3, 8, 1);
    const y = forward(dropoutOp, [x], { ratio: 0.4 }, opts);
    const g = backward(dropoutOp, [x], dy, { ratio: 0.4 }, opts);
    const scale = dropoutScale(0.4);
    let dropped = 0;
    for (let i = 0; i < n; i++) {
      const kept = y.data[i] !== 0;
      if (!kept) dropped++;
      expect(g.inputs[0]?.data[i]).toBe(kept ? Math.fround(dy.data[i] * scale) : 0);
    }
    expect(dropped).toBeGreaterThan(0);
  });

  it('drops nothing with ratio 0', () => {
    expect(values(forward(dropoutOp, [ones(100)], { ratio: 0 }, training(1, 1, 1)))).toEqual(new Array(100).fill(1));
  });

  it('rejects a ratio of 1 or more, blaming ratio', () => {
    const r = shapeOf(dropoutOp, [[4]], { ratio: 1 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.blame).toBe('ratio');
      expect(r.message).toBe('dropout ratio must satisfy 0 <= ratio < 1, got 1');
    }
    expect(shapeOf(dropoutOp, [[4]], { ratio: -0.1 }).ok).toBe(false);
    expect(shapeOf(dropoutOp, [[2, 4]], { ratio: 0.5 })).toEqual({ ok: true, shape: [2, 4] });
  });

  it('matches finite differences in training (fixed mask)', () => {
    const x = randomTensor([3, 5], testRandom(23));
    expect(gradCheck({ op: dropoutOp, inputs: [x], attrs: { ratio: 0.5 }, ctx: { training: true, seed: 4, step: 2, stream: 6 } })).toEqual([]);
  });
});
