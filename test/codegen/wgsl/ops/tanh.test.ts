import { describe, it } from 'vitest';
import { F32, fixed } from '../../../../src/numeric/number-type.js';
import { addOp } from '../../../../src/ops/add.js';
import { quantizeOp } from '../../../../src/ops/quantize.js';
import { tanhOp } from '../../../../src/ops/tanh.js';
import { gpuHarness } from '../gpu-harness.js';
import { expectClose, expectCodesNear, expectExact, parity, tensorSpec } from './op-parity.js';

/**
 * tanh: an f32 path from one exp, within |a - b| <= 1e-6 * max(1, |b|) of Math.tanh (tighter than
 * the contract's 1e-5; measured on lavapipe: at most 1.5e-7), also for |x| where sinh / cosh overflow.
 */
describe('tanh kernel', () => {
  it('f32 values from 0 to beyond overflow, specials, and packed inputs', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const x = tensorSpec(F32, [7, 13], 1, 6);
    const values = Float64Array.from(x.values);
    values.set([NaN, -0, 0, Infinity, -Infinity, 100, -100, 1e-30, -1e-7, 20, 0.5]);
    const { gpu, cpu } = await parity(h, { op: tanhOp, inputs: [{ ...x, values }] });
    expectClose(gpu, cpu.data, 1e-6);
    expectExact(gpu.slice(0, 5), cpu.data.slice(0, 5));
    for (const t of [fixed(4, 4), fixed(8, 8)]) {
      const r = await parity(h, { op: tanhOp, inputs: [tensorSpec(t, [65], 2)] });
      expectClose(r.gpu, r.cpu.data, 1e-6);
    }
  });

  it('as an epilogue stage: add + tanh + quantize', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const to = fixed(1, 7, 'nearest', 'saturate');
    const inputs = [tensorSpec(F32, [3, 5, 5], 3, 2), tensorSpec(F32, [3, 5, 5], 4, 2)];
    const { gpu, cpu, beforeLast } = await parity(h, { op: addOp, inputs, epilogue: [{ op: tanhOp }, { op: quantizeOp, attrs: { to } }] });
    expectCodesNear(gpu, cpu.data, beforeLast.data, to);
  });
});
