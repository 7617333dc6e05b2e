import { describe, expect, it } from 'vitest';
import { batchNormOp, updatedBatchNormStats } from '../../src/ops/batch-norm.js';
import { getOp } from '../../src/ops/registry.js';
import { tensorFrom } from '../../src/numeric/tensor.js';
import { gradCheck, randomTensor, testRandom } from '../helpers/gradcheck.js';
import { forwardLayer } from '../helpers/run-layer.js';
import { shapeOf, values } from '../helpers/run-op.js';

const f32 = { kind: 'f32' as const };
const training = { ctx: { training: true } };

/** Caffe's three blobs: running mean sum, running variance sum, scale factor. */
function stored(mean: number[], variance: number[], s: number) {
  return [tensorFrom([mean.length], mean), tensorFrom([variance.length], variance), tensorFrom([1], [s])];
}

describe('batch_norm', () => {
  it("is registered with Caffe's three untrained blobs", () => {
    expect(getOp('batch_norm')).toBe(batchNormOp);
    const specs = batchNormOp.params!({}, [{ dtype: f32, shape: [2, 16, 4, 4] }]);
    expect(specs.map((p) => [p.slot, p.shape, p.trainable, p.filler])).toEqual([
      ['mean', [16], false, { kind: 'constant', value: 0 }],
      ['variance', [16], false, { kind: 'constant', value: 0 }],
      ['scale_factor', [1], false, { kind: 'constant', value: 0 }],
    ]);
  });

  it('keeps the shape and needs a channel axis', () => {
    expect(shapeOf(batchNormOp, [[2, 3, 4, 4]])).toEqual({ ok: true, shape: [2, 3, 4, 4] });
    expect(shapeOf(batchNormOp, [[5]])).toMatchObject({ ok: false, blame: 'x' });
  });

  const x = tensorFrom([2, 1, 1, 2], [1, 2, 3, 4]);

  it('normalises with batch statistics when training', () => {
    const y = forwardLayer(batchNormOp, [x], stored([0], [0], 0), {}, training);
    const inv = 1 / Math.sqrt(1.25 + 1e-5);
    expect(values(y)).toEqual([-1.5, -0.5, 0.5, 1.5].map((d) => Math.fround(d * inv)));
  });

  it('normalises with the stored statistics divided by the scale factor at inference', () => {
    const y = forwardLayer(batchNormOp, [x], stored([5], [2], 2), { eps: 0 });
    // mean 2.5, variance 1
    expect(values(y)).toEqual([-1.5, -0.5, 0.5, 1.5]);
  });

  it('treats a scale factor of 0 as a factor of 0 (an untrained layer), as Caffe', () => {
    const y = forwardLayer(batchNormOp, [x], stored([5], [2], 0), { eps: 1 });
    expect(values(y)).toEqual([1, 2, 3, 4]);
  });

  it('use_global_stats overrides the training flag either way', () => {
    const params = stored([5], [2], 2);
    expect(values(forwardLayer(batchNormOp, [x], params, { eps: 0, use_global_stats: true }, training))).toEqual([-1.5, -0.5, 0.5, 1.5]);
    const batch = values(forwardLayer(batchNormOp, [x], stored([0], [1], 1), { use_global_stats: false }));
    expect(batch[0]).toBe(Math.fround(-1.5 / Math.sqrt(1.25 + 1e-5)));
  });

  it('updates the running blobs like Caffe (unbiased variance, moving average)', () => {
    const first = updatedBatchNormStats(
      x,
      { mean: tensorFrom([1], [0]), variance: tensorFrom([1], [0]), scaleFactor: tensorFrom([1], [0]) },
      0.999,
    );
    expect(values(first.scaleFactor)).toEqual([1]);
    expect(values(first.mean)).toEqual([2.5]);
    expect(values(first.variance)).toEqual([Math.fround(1.25 * (4 / 3))]);
    const second = updatedBatchNormStats(x, first, 0.5);
    expect(values(second.scaleFactor)).toEqual([1.5]);
    expect(values(second.mean)).toEqual([3.75]);
    // inference after the update normalises with the batch mean it saw
    const y = forwardLayer(batchNormOp, [x], [second.mean, second.variance, second.scaleFactor], {});
    expect(y.data[0] + y.data[3]).toBeCloseTo(0, 6);
  });

  it('matches finite differences with batch statistics (stored blobs get no gradient)', () => {
    const rand = testRandom(31);
    const failures = gradCheck({
      op: batchNormOp,
      inputs: [randomTensor([3, 2, 2, 3], rand)],
      params: stored([0.1, 0.2], [1, 1], 1),
      attrs: {},
    });
    expect(failures).toEqual([]);
  });

  it('matches finite differences with stored statistics, including the blobs', () => {
    const rand = testRandom(32);
    const failures = gradCheck({
      op: batchNormOp,
      inputs: [randomTensor([2, 3, 2, 2], rand)],
      params: stored([0.4, -0.6, 0.2], [2.2, 1.4, 3.0], 2),
      attrs: { use_global_stats: true },
    });
    expect(failures).toEqual([]);
  });
});
