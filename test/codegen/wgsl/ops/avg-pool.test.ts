import { describe, expect, it } from 'vitest';
import { F32, fixed } from '../../../../src/numeric/number-type.js';
import { avgPoolOp } from '../../../../src/ops/avg-pool.js';
import { quantizeOp } from '../../../../src/ops/quantize.js';
import { reluOp } from '../../../../src/ops/relu.js';
import { gpuHarness } from '../gpu-harness.js';
import { expectClose, expectCodesNear, F32_EXACT_CODES, parity, tensorSpec } from './op-parity.js';
import { GEOMETRIES, POOL_TYPES } from './pool-cases.js';

/**
 * avg_pool against the reference: the same f32 operations in the same order (row-major window sum,
 * then one division by Caffe's pool size), so equal wherever f32 division is correctly rounded
 * (lavapipe); WGSL promises 2.5 ulp, far inside the f32 tolerance, so the test allows 1e-6.
 */
describe('avg_pool kernel', () => {
  it.for(POOL_TYPES)('over %s: the reference sums and divisors, every geometry', async ([, t], ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const [k, g] of GEOMETRIES.entries()) {
      // Codes past 2^24 are rounded to f32 on load (an f32 path), while the reference adds the
      // exact value, so its inputs stay within f32's exact range here.
      const { gpu, cpu } = await parity(h, { op: avgPoolOp, inputs: [tensorSpec(t, g.shape, 200 + k, 4, F32_EXACT_CODES)], attrs: g.attrs });
      expectClose(gpu, cpu.data, 1e-6, g.name);
    }
  });

  it('hosts a fused relu + quantize epilogue (packed 8-bit output): codes equal but at rounding boundaries', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const a8 = fixed(4, 4);
    const epilogue = [{ op: reluOp }, { op: quantizeOp, attrs: { to: a8 } }];
    for (const [k, g] of GEOMETRIES.entries()) {
      const a = await parity(h, { op: avgPoolOp, inputs: [tensorSpec(F32, g.shape, 400 + k)], attrs: g.attrs, epilogue });
      expectCodesNear(a.gpu, a.cpu.data, a.beforeLast.data, a8);
      expect(a.dispatches).toHaveLength(1);
    }
  });
});
