import { describe, expect, it } from 'vitest';
import { F32, fixed, type NumberType } from '../../../../src/numeric/number-type.js';
import { addOp } from '../../../../src/ops/add.js';
import { quantizeOp } from '../../../../src/ops/quantize.js';
import { reluOp } from '../../../../src/ops/relu.js';
import { gpuHarness } from '../gpu-harness.js';
import { expectExact, parity, tensorSpec } from './op-parity.js';

/** add: f32 sums in input order, bit for bit; packed inputs; many inputs; fused epilogues. */
describe('add kernel', () => {
  const types: NumberType[] = [F32, fixed(3, 5), fixed(5, 11, 'nearest', 'saturate'), fixed(16, 8)];

  it('sums 2 to 4 inputs of f32 and packed 8/16/32-bit types in input order', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const n of [2, 3, 4]) {
      for (const shape of [[1], [3], [7, 13], [1, 65]]) {
        const inputs = types.slice(0, n).map((t, k) => tensorSpec(t, shape, 7 * n + k, 100, 2 ** 20));
        const { gpu, cpu } = await parity(h, { op: addOp, inputs });
        expectExact(gpu, cpu.data, `${n} inputs, shape ${shape.join('x')}`);
      }
    }
  });

  it('folds 9 inputs over several dispatches when a shader binds fewer', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const inputs = Array.from({ length: 9 }, (_, k) => tensorSpec(types[k % 4], [3, 13], 50 + k, 10, 2 ** 20));
    const capabilities = { ...h.wgsl, maxStorageBuffersPerShaderStage: 5 };
    const { gpu, cpu, dispatches } = await parity(h, { op: addOp, inputs, capabilities });
    expectExact(gpu, cpu.data);
    expect(dispatches.length).toBe(3);
  });

  it('a residual add hosting relu + quantize, stored packed at 8 and 16 bits', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const to of [fixed(4, 4), fixed(6, 10, 'even', 'saturate')]) {
      const inputs = [tensorSpec(to, [2, 3, 5, 5], 1), tensorSpec(to, [2, 3, 5, 5], 2)];
      const { gpu, cpu, dispatches } = await parity(h, { op: addOp, inputs, epilogue: [{ op: reluOp }, { op: quantizeOp, attrs: { to } }] });
      expectExact(gpu, cpu.data);
      expect(dispatches).toHaveLength(1);
    }
  });
});
