import { describe, expect, it } from 'vitest';
import type { Attrs } from '../../../../src/ir/graph.js';
import { F32, fixed, type NumberType } from '../../../../src/numeric/number-type.js';
import { avgPoolOp } from '../../../../src/ops/avg-pool.js';
import { maxPoolOp } from '../../../../src/ops/max-pool.js';
import { poolGeometryOrThrow } from '../../../../src/ops/pooling.js';
import { quantizeOp } from '../../../../src/ops/quantize.js';
import { reluOp } from '../../../../src/ops/relu.js';
import { gpuHarness } from '../gpu-harness.js';
import { expectClose, expectCodesNear, expectExact, F32_EXACT_CODES, parity, tensorSpec } from './op-parity.js';

/**
 * max_pool and avg_pool kernels against the CPU reference: odd sizes, non-square windows, stride,
 * padding, Caffe's ceil rule (with its padding clip) and floor mode, global pooling; f32 and
 * packed fixed-point inputs; relu + quantize epilogues fused onto a pooling node.
 */
const GEOMETRIES: { name: string; shape: number[]; attrs: Attrs }[] = [
  { name: '3x3 stride 2 pad 1', shape: [2, 3, 7, 13], attrs: { kernel: [3, 3], stride: [2, 2], pad: [1, 1] } },
  { name: 'non-square 2x3, stride [2, 1], ceil rule leaves a clipped last window', shape: [1, 3, 13, 7], attrs: { kernel: [2, 3], stride: [2, 1] } },
  { name: 'same, floor mode', shape: [1, 3, 13, 7], attrs: { kernel: [2, 3], stride: [2, 1], ceil_mode: false } },
  { name: 'ceil rule with the padding clip', shape: [1, 2, 5, 5], attrs: { kernel: [2, 2], stride: [2, 2], pad: [1, 1] } },
  { name: 'global', shape: [2, 5, 7, 3], attrs: { global: true } },
  { name: '1x1 input', shape: [1, 1, 1, 1], attrs: { kernel: [1, 1] } },
  { name: 'wide row of 65', shape: [1, 2, 3, 65], attrs: { kernel: [1, 3], stride: [1, 2], pad: [0, 1] } },
];

describe('pooling kernels', () => {
  it('the ceil-rule cases really differ from floor', () => {
    const ceil = poolGeometryOrThrow('max_pool', [1, 3, 13, 7], { kernel: [2, 3], stride: [2, 1] });
    const floor = poolGeometryOrThrow('max_pool', [1, 3, 13, 7], { kernel: [2, 3], stride: [2, 1], ceil_mode: false });
    expect([ceil.hout, floor.hout]).toEqual([7, 6]);
    expect(poolGeometryOrThrow('max_pool', [1, 2, 5, 5], { kernel: [2, 2], stride: [2, 2], pad: [1, 1] }).hout).toBe(3);
  });

  const types: [string, NumberType][] = [
    ['f32', F32],
    ['fixed<3, 5> (8-bit)', fixed(3, 5)],
    ['fixed<4, 9, saturate> (16-bit)', fixed(4, 9, 'nearest', 'saturate')],
    ['fixed<12, 16> (32-bit)', fixed(12, 16)],
  ];
  it.for(types)('max_pool over %s: the reference values, every geometry', async ([, t], ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const [k, g] of GEOMETRIES.entries()) {
      const { gpu, cpu } = await parity(h, { op: maxPoolOp, inputs: [tensorSpec(t, g.shape, 100 + k)], attrs: g.attrs });
      expectExact(gpu, cpu.data, g.name);
    }
  });

  it.for(types)('avg_pool over %s: the reference sums and divisors', async ([, t], ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const [k, g] of GEOMETRIES.entries()) {
      // Codes past 2^24 are rounded to f32 on load (an f32 path), while the reference adds the
      // exact value, so its inputs stay within f32's exact range here.
      const { gpu, cpu } = await parity(h, { op: avgPoolOp, inputs: [tensorSpec(t, g.shape, 200 + k, 4, F32_EXACT_CODES)], attrs: g.attrs });
      // The same f32 operations in the same order: equal wherever f32 division is correctly
      // rounded (lavapipe); WGSL promises 2.5 ulp, far inside the f32 tolerance.
      expectClose(gpu, cpu.data, 1e-6, g.name);
    }
  });

  it('max_pool of NaN and signed zeros follows the reference comparisons', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const values = [NaN, 1, -0, 0, 0, -0, -1, NaN, 2, NaN, -3, -2, -0, -0, 0, 0];
    const { gpu, cpu } = await parity(h, { op: maxPoolOp, inputs: [{ type: F32, shape: [1, 1, 4, 4], values }], attrs: { kernel: [2, 2], stride: [2, 2] } });
    expectExact(gpu, cpu.data);
    expect(gpu.map((v) => (Object.is(v, -0) ? 1 : 0))).toEqual(cpu.data.map((v) => (Object.is(v, -0) ? 1 : 0)));
  });

  it('hosts a fused relu + quantize epilogue (packed 8-bit output)', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const a8 = fixed(4, 4);
    const epilogue = [{ op: reluOp }, { op: quantizeOp, attrs: { to: a8 } }];
    for (const [k, g] of GEOMETRIES.entries()) {
      // max_pool of a 16-bit fixed input: an exact path, codes equal
      const m = await parity(h, { op: maxPoolOp, inputs: [tensorSpec(fixed(5, 7), g.shape, 300 + k)], attrs: g.attrs, epilogue });
      expectExact(m.gpu, m.cpu.data, `max ${g.name}`);
      expect(m.dispatches).toHaveLength(1);
      // avg_pool of f32: an f32 path, codes equal except within the tolerance of a rounding boundary
      const a = await parity(h, { op: avgPoolOp, inputs: [tensorSpec(F32, g.shape, 400 + k)], attrs: g.attrs, epilogue });
      expectCodesNear(a.gpu, a.cpu.data, a.beforeLast.data, a8);
    }
  });
});
