import { describe, expect, it } from 'vitest';
import { F32, fixed, I32, type NumberType } from '../../../../src/numeric/number-type.js';
import { concatOp } from '../../../../src/ops/concat.js';
import { quantizeOp } from '../../../../src/ops/quantize.js';
import { gpuHarness } from '../gpu-harness.js';
import { expectExact, parity, tensorSpec } from './op-parity.js';

/**
 * concat against the reference: codes copied exactly (8, 16, 32-bit and i32), packed words that
 * straddle two inputs, every axis, mixed types through f32, and inputs split over several
 * dispatches that each keep the lanes they do not own.
 */
const SHAPES: { axis: number; shapes: number[][] }[] = [
  { axis: 1, shapes: [[2, 3, 5, 5], [2, 1, 5, 5], [2, 5, 5, 5]] },
  { axis: 0, shapes: [[1, 3, 7], [3, 3, 7]] },
  { axis: -1, shapes: [[3, 7, 1], [3, 7, 13], [3, 7, 3]] },
  { axis: 2, shapes: [[1, 2, 65], [1, 2, 1]] },
  { axis: 1, shapes: [[2, 13]] },
];

describe('concat kernel', () => {
  const types: [string, NumberType][] = [
    ['f32', F32],
    ['fixed<3, 5>', fixed(3, 5)],
    ['fixed<7, 9, saturate>', fixed(7, 9, 'nearest', 'saturate')],
    ['fixed<10, 20>', fixed(10, 20)],
    ['i32', I32],
  ];
  it.for(types)('copies %s inputs exactly along every axis', async ([, t], ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const [n, c] of SHAPES.entries()) {
      const inputs = c.shapes.map((s, k) => tensorSpec(t, s, 10 * n + k));
      const { gpu, cpu, dispatches } = await parity(h, { op: concatOp, inputs, attrs: { axis: c.axis } });
      expectExact(gpu, cpu.data, `axis ${c.axis}`);
      expect(dispatches).toHaveLength(1);
    }
  });

  it('joins mixed types as f32 values', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const inputs = [tensorSpec(fixed(3, 5), [2, 3, 5], 1), tensorSpec(F32, [2, 2, 5], 2), tensorSpec(fixed(8, 8), [2, 1, 5], 3)];
    const { gpu, cpu } = await parity(h, { op: concatOp, inputs, attrs: { axis: 1 } });
    expectExact(gpu, cpu.data);
  });

  it.for([
    ['packed 8-bit', fixed(3, 5)],
    ['16-bit', fixed(4, 12)],
    ['f32', F32],
  ] as [string, NumberType][])('over more inputs than a shader binds (%s): each dispatch keeps the lanes it does not own', async ([, t], ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    // channel slices of 5 elements: words straddle inputs of different dispatches
    const inputs = [1, 2, 1, 3, 1, 1, 2].map((c, k) => tensorSpec(t, [3, c, 5], 40 + k));
    const capabilities = { ...h.wgsl, maxStorageBuffersPerShaderStage: 3 };
    const { gpu, cpu, dispatches } = await parity(h, { op: concatOp, inputs, attrs: { axis: 1 }, capabilities });
    expectExact(gpu, cpu.data);
    expect(dispatches).toHaveLength(4);
  });

  it('hosts a quantize epilogue to a narrower packed type', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const inputs = [tensorSpec(fixed(6, 10), [2, 3, 3], 5), tensorSpec(fixed(6, 10), [2, 2, 3], 6)];
    const { gpu, cpu } = await parity(h, { op: concatOp, inputs, attrs: { axis: 1 }, epilogue: [{ op: quantizeOp, attrs: { to: fixed(2, 5, 'even', 'wrap') } }] });
    expectExact(gpu, cpu.data);
  });
});
