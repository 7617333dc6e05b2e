import { describe, it } from 'vitest';
import { F32, fixed } from '../../../../src/numeric/number-type.js';
import { maxPoolOp } from '../../../../src/ops/max-pool.js';
import { quantizeOp } from '../../../../src/ops/quantize.js';
import { sigmoidOp } from '../../../../src/ops/sigmoid.js';
import { gpuHarness } from '../gpu-harness.js';
import { expectClose, expectCodesNear, expectExact, parity, tensorSpec } from './op-parity.js';

/** sigmoid: an f32 path in the reference's stable form, within 1e-6 * max(1, |b|). */
describe('sigmoid kernel', () => {
  it('f32 values of both signs, large magnitudes, specials, and packed inputs', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const x = tensorSpec(F32, [7, 13], 1, 12);
    const values = Float64Array.from(x.values);
    values.set([NaN, -0, 0, Infinity, -Infinity, 200, -200, 1e-30, -90]);
    const { gpu, cpu } = await parity(h, { op: sigmoidOp, inputs: [{ ...x, values }] });
    expectClose(gpu, cpu.data, 1e-6);
    expectExact(gpu.slice(0, 5), cpu.data.slice(0, 5));
    for (const t of [fixed(4, 4), fixed(12, 12)]) {
      const r = await parity(h, { op: sigmoidOp, inputs: [tensorSpec(t, [3, 13], 2)] });
      expectClose(r.gpu, r.cpu.data, 1e-6);
    }
  });

  it('as an epilogue stage: max_pool + sigmoid + quantize to 16 bits', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const to = fixed(1, 15, 'even', 'saturate');
    const { gpu, cpu, beforeLast } = await parity(h, { op: maxPoolOp, inputs: [tensorSpec(F32, [2, 3, 7, 7], 5, 5)], attrs: { kernel: [3, 3], stride: [2, 2] }, epilogue: [{ op: sigmoidOp }, { op: quantizeOp, attrs: { to } }] });
    expectCodesNear(gpu, cpu.data, beforeLast.data, to);
  });
});
