import { describe, expect, it } from 'vitest';
import { F32, fixed } from '../../../../src/numeric/number-type.js';
import { batchNormOp } from '../../../../src/ops/batch-norm.js';
import { quantizeOp } from '../../../../src/ops/quantize.js';
import { reluOp } from '../../../../src/ops/relu.js';
import { gpuHarness } from '../gpu-harness.js';
import { expectClose, expectCodesNear, parity, tensorSpec, type TensorSpec } from './op-parity.js';

/**
 * batch_norm: stored statistics (Caffe's running sums and scale factor, including s = 0) at
 * inference, batch statistics (a reduction dispatch, then the normalisation) in training or with
 * use_global_stats: false. An f32 path: within |a - b| <= 1e-5 * max(1, |b|).
 */
function stored(c: number, seed: number, s: number): TensorSpec[] {
  const mean = tensorSpec(F32, [c], seed, 3);
  const variance = tensorSpec(F32, [c], seed + 1, 1);
  // running sums of variances are positive
  return [mean, { ...variance, values: Array.from(variance.values, (v) => Math.fround(Math.abs(v) * s + 0.1)) }, { type: F32, shape: [1], values: [s] }];
}

const SHAPES = [
  [2, 3, 7, 13],
  [5, 7],
  [1, 65, 1, 1],
  [3, 1, 3],
];

describe('batch_norm kernel', () => {
  it('normalises with the stored statistics at inference (scale factor 2.5, and 0)', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const [n, shape] of SHAPES.entries()) {
      for (const s of [2.5, 0]) {
        for (const t of [F32, fixed(4, 4)]) {
          const { gpu, cpu, dispatches } = await parity(h, { op: batchNormOp, inputs: [tensorSpec(t, shape, n)], params: stored(shape[1], 10 + n, s) });
          expectClose(gpu, cpu.data, 1e-5, `[${shape.join(', ')}] s ${s}`);
          expect(dispatches).toHaveLength(1);
        }
      }
    }
  });

  it('normalises with batch statistics in training (two dispatches)', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const [n, shape] of SHAPES.entries()) {
      const { gpu, cpu, dispatches } = await parity(h, { op: batchNormOp, inputs: [tensorSpec(F32, shape, 20 + n)], params: stored(shape[1], 30 + n, 1), training: true });
      expectClose(gpu, cpu.data, 1e-5, `[${shape.join(', ')}]`);
      expect(dispatches).toHaveLength(2);
    }
  });

  it('use_global_stats overrides the mode either way', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const shape = [4, 3, 5];
    const base = { op: batchNormOp, inputs: [tensorSpec(fixed(3, 5), shape, 40)], params: stored(3, 41, 3) };
    const batch = await parity(h, { ...base, attrs: { use_global_stats: false } });
    expectClose(batch.gpu, batch.cpu.data);
    expect(batch.dispatches).toHaveLength(2);
    const global = await parity(h, { ...base, attrs: { use_global_stats: true }, training: true });
    expectClose(global.gpu, global.cpu.data);
    expect(global.dispatches).toHaveLength(1);
  });

  it('a larger reduction (3366 values per channel) stays within the tolerance', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const { gpu, cpu } = await parity(h, { op: batchNormOp, inputs: [tensorSpec(F32, [6, 4, 33, 17], 50, 8)], params: stored(4, 51, 1), training: true });
    expectClose(gpu, cpu.data);
  });

  it('hosts relu + quantize (packed 8-bit output)', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const to = fixed(3, 5);
    for (const training of [false, true]) {
      const { gpu, cpu, beforeLast } = await parity(h, {
        op: batchNormOp,
        inputs: [tensorSpec(F32, [3, 5, 7], 60)],
        params: stored(5, 61, 2),
        training,
        epilogue: [{ op: reluOp }, { op: quantizeOp, attrs: { to } }],
      });
      expectCodesNear(gpu, cpu.data, beforeLast.data, to);
    }
  });
});
