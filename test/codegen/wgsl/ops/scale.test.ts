import { describe, expect, it } from 'vitest';
import { F32, fixed } from '../../../../src/numeric/number-type.js';
import { quantizeOp } from '../../../../src/ops/quantize.js';
import { scaleOp } from '../../../../src/ops/scale.js';
import { gpuHarness } from '../gpu-harness.js';
import { expectClose, expectCodesNear, expectExact, parity, tensorSpec } from './op-parity.js';

/** scale: y = x * gamma (+ beta) along an axis; parameter quantizers applied while loading. */
describe('scale kernel', () => {
  const cases: { shape: number[]; axis: number }[] = [
    { shape: [2, 3, 7, 13], axis: 1 },
    { shape: [3, 5, 2], axis: -1 },
    { shape: [65, 1], axis: 0 },
  ];

  it('without a shift: one f32 multiply, the reference exactly (f32 and packed inputs)', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const [n, c] of cases.entries()) {
      for (const t of [F32, fixed(3, 5), fixed(5, 11)]) {
        const dim = c.shape.at(c.axis) as number;
        const { gpu, cpu } = await parity(h, { op: scaleOp, inputs: [tensorSpec(t, c.shape, n)], params: [tensorSpec(F32, [dim], 50 + n, 2)], attrs: { axis: c.axis } });
        expectExact(gpu, cpu.data, `axis ${c.axis}`);
      }
    }
  });

  it('with a shift: x * gamma + beta rounded once (within one ulp of the reference)', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const [n, c] of cases.entries()) {
      const dim = c.shape.at(c.axis) as number;
      const params = [tensorSpec(F32, [dim], 60 + n, 2), tensorSpec(F32, [dim], 70 + n, 1)];
      const { gpu, cpu } = await parity(h, { op: scaleOp, inputs: [tensorSpec(F32, c.shape, n)], params, attrs: { axis: c.axis, bias_term: true } });
      expectClose(gpu, cpu.data, 2 ** -22, `axis ${c.axis}`);
    }
  });

  it('rounds gamma with a stochastic parameter quantizer in training, drawing from the parameter stream', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const q = fixed(2, 4, 'stochastic');
    const c = { op: scaleOp, inputs: [tensorSpec(F32, [2, 13, 3], 1)], params: [tensorSpec(F32, [13], 2, 1.5)], paramQuantizers: [q], attrs: {}, training: true, seed: 9, step: 2, nodeIndex: 6 };
    const { gpu, cpu, dispatches } = await parity(h, c);
    expectExact(gpu, cpu.data);
    expect(dispatches[0].rng).toEqual([{ prefix: 'param0_q', stream: (6 | (1 << 24)) >>> 0 }]);
  });

  it('hosts an output quantizer (f32 path: codes equal up to rounding-boundary cases)', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const to = fixed(4, 4);
    const params = [tensorSpec(F32, [3], 3, 2), tensorSpec(F32, [3], 4, 1)];
    const { gpu, cpu, beforeLast } = await parity(h, { op: scaleOp, inputs: [tensorSpec(F32, [4, 3, 5], 5)], params, attrs: { bias_term: true }, epilogue: [{ op: quantizeOp, attrs: { to } }] });
    expectCodesNear(gpu, cpu.data, beforeLast.data, to);
  });
});
