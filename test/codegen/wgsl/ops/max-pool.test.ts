import { describe, expect, it } from 'vitest';
import { F32, fixed } from '../../../../src/numeric/number-type.js';
import { maxPoolOp } from '../../../../src/ops/max-pool.js';
import { poolGeometryOrThrow } from '../../../../src/ops/pooling.js';
import { quantizeOp } from '../../../../src/ops/quantize.js';
import { reluOp } from '../../../../src/ops/relu.js';
import { gpuHarness } from '../gpu-harness.js';
import { expectExact, parity, tensorSpec } from './op-parity.js';
import { GEOMETRIES, POOL_TYPES } from './pool-cases.js';

/** max_pool against the reference: exact, on f32 and packed inputs, every geometry, with fused epilogues. */
describe('max_pool kernel', () => {
  it('the ceil-rule cases really differ from floor', () => {
    const ceil = poolGeometryOrThrow('max_pool', [1, 3, 13, 7], { kernel: [2, 3], stride: [2, 1] });
    const floor = poolGeometryOrThrow('max_pool', [1, 3, 13, 7], { kernel: [2, 3], stride: [2, 1], ceil_mode: false });
    expect([ceil.hout, floor.hout]).toEqual([7, 6]);
    expect(poolGeometryOrThrow('max_pool', [1, 2, 5, 5], { kernel: [2, 2], stride: [2, 2], pad: [1, 1] }).hout).toBe(3);
  });

  it.for(POOL_TYPES)('over %s: the reference values, every geometry', async ([, t], ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const [k, g] of GEOMETRIES.entries()) {
      const { gpu, cpu } = await parity(h, { op: maxPoolOp, inputs: [tensorSpec(t, g.shape, 100 + k)], attrs: g.attrs });
      expectExact(gpu, cpu.data, g.name);
    }
  });

  it('NaN and signed zeros follow the reference comparisons', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const values = [NaN, 1, -0, 0, 0, -0, -1, NaN, 2, NaN, -3, -2, -0, -0, 0, 0];
    const { gpu, cpu } = await parity(h, { op: maxPoolOp, inputs: [{ type: F32, shape: [1, 1, 4, 4], values }], attrs: { kernel: [2, 2], stride: [2, 2] } });
    expectExact(gpu, cpu.data);
    expect(gpu.map((v) => (Object.is(v, -0) ? 1 : 0))).toEqual(cpu.data.map((v) => (Object.is(v, -0) ? 1 : 0)));
  });

  it('hosts a fused relu + quantize epilogue (16-bit input, packed 8-bit output): codes equal', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const epilogue = [{ op: reluOp }, { op: quantizeOp, attrs: { to: fixed(4, 4) } }];
    for (const [k, g] of GEOMETRIES.entries()) {
      const m = await parity(h, { op: maxPoolOp, inputs: [tensorSpec(fixed(5, 7), g.shape, 300 + k)], attrs: g.attrs, epilogue });
      expectExact(m.gpu, m.cpu.data, g.name);
      expect(m.dispatches).toHaveLength(1);
    }
  });
});
