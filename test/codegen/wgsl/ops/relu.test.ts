import { describe, expect, it } from 'vitest';
import { F32, fixed, type NumberType } from '../../../../src/numeric/number-type.js';
import { maxPoolOp } from '../../../../src/ops/max-pool.js';
import { quantizeOp } from '../../../../src/ops/quantize.js';
import { reluOp } from '../../../../src/ops/relu.js';
import { gpuHarness } from '../gpu-harness.js';
import { expectClose, expectExact, parity, tensorSpec } from './op-parity.js';

/** relu: exact (codes of fixed inputs kept as codes), leaky relu within an f32 ulp, and as an epilogue stage. */
describe('relu kernel', () => {
  const SPECIAL = [NaN, -0, 0, Infinity, -Infinity, 1e-45, -1e-45, 3.5, -3.5];

  it('plain relu of f32 values, specials included: +0 for x <= 0 and NaN', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const x = tensorSpec(F32, [3, 7, 13], 1);
    const values = Float64Array.from(x.values);
    values.set(SPECIAL);
    const { gpu, cpu } = await parity(h, { op: reluOp, inputs: [{ ...x, values }] });
    expectExact(gpu, cpu.data);
    expect(Object.is(gpu[1], 0)).toBe(true);
  });

  const fixedTypes: [string, NumberType][] = [
    ['fixed<3, 5>', fixed(3, 5)],
    ['fixed<1, 15, saturate>', fixed(1, 15, 'nearest', 'saturate')],
    ['fixed<16, 16, wrap>', fixed(16, 16, 'nearest', 'wrap')],
  ];
  it.for(fixedTypes)('keeps the type of a %s input, codes exact', async ([, t], ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const shape of [[1], [65], [2, 3, 7]]) {
      const { gpu, cpu } = await parity(h, { op: reluOp, inputs: [tensorSpec(t, shape, 2)] });
      expectExact(gpu, cpu.data, `shape ${shape.join('x')}`);
    }
  });

  it('leaky relu (slope 0.1) of f32 and fixed inputs: within an f32 ulp of the f64 product', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const t of [F32, fixed(3, 5)]) {
      const { gpu, cpu } = await parity(h, { op: reluOp, inputs: [tensorSpec(t, [5, 13], 3)], attrs: { negative_slope: 0.1 } });
      expectClose(gpu, cpu.data, 2 ** -22);
    }
  });

  it('as a stage after a fixed-typed op it keeps the grid: max_pool + relu stores codes of the input type', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const t = fixed(6, 10, 'stochastic', 'saturate');
    const { gpu, cpu } = await parity(h, { op: maxPoolOp, inputs: [tensorSpec(t, [2, 3, 5, 7], 4)], attrs: { kernel: [2, 2] }, epilogue: [{ op: reluOp }], training: true });
    expectExact(gpu, cpu.data);
  });

  it('its elementwise stage rounds nothing: relu then quantize as the epilogue of a relu', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const { gpu, cpu } = await parity(h, { op: reluOp, inputs: [tensorSpec(F32, [3, 13], 5)], epilogue: [{ op: reluOp, attrs: { negative_slope: 0.5 } }, { op: quantizeOp, attrs: { to: fixed(2, 5) } }] });
    expectExact(gpu, cpu.data);
  });
});
