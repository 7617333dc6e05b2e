import { describe, expect, it } from 'vitest';
import { F32, fixed } from '../../../../src/numeric/number-type.js';
import { rngUniform } from '../../../../src/numeric/rng.js';
import { quantizeOp } from '../../../../src/ops/quantize.js';
import { softmaxOp } from '../../../../src/ops/softmax.js';
import { gpuHarness } from '../gpu-harness.js';
import { expectClose, expectCodesNear, parity, tensorSpec } from './op-parity.js';

/**
 * softmax in one dispatch, against the f64 reference within |a - b| <= 1e-5 * max(1, |b|):
 * contiguous rows ([N, C], axis -1) and strided rows (the channels of NCHW), large logits (the
 * max is subtracted), and quantized outputs whose packed words straddle rows.
 */
describe('softmax kernel', () => {
  const cases: { shape: number[]; axis: number }[] = [
    { shape: [64, 10], axis: 1 },
    { shape: [3, 1000], axis: 1 },
    { shape: [7, 1], axis: 1 },
    { shape: [5, 3], axis: -1 },
    { shape: [2, 13, 3, 5], axis: 1 },
    { shape: [2, 3, 7], axis: 0 },
    { shape: [65], axis: 0 },
  ];
  it('f32 logits of every layout', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const [n, c] of cases.entries()) {
      for (const scale of [4, 80]) {
        const { gpu, cpu, dispatches } = await parity(h, { op: softmaxOp, inputs: [tensorSpec(F32, c.shape, n, scale)], attrs: { axis: c.axis } });
        expectClose(gpu, cpu.data, 1e-5, `[${c.shape.join(', ')}] axis ${c.axis} scale ${scale}`);
        expect(dispatches).toHaveLength(1);
      }
    }
  });

  it('packed fixed-point inputs', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const t of [fixed(3, 5), fixed(8, 8, 'nearest', 'saturate')]) {
      const { gpu, cpu } = await parity(h, { op: softmaxOp, inputs: [tensorSpec(t, [3, 7], 7)] });
      expectClose(gpu, cpu.data);
    }
  });

  it('quantized to 8 and 16 bits: words straddling rows of 1, 3, 7 and 13 classes', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    for (const to of [fixed(1, 7, 'nearest', 'saturate'), fixed(2, 14, 'stochastic')]) {
      for (const [n, shape] of [
        [5, 1],
        [7, 3],
        [3, 7],
        [5, 13],
        [2, 3, 3],
      ].entries()) {
        for (const training of [false, true]) {
          const c = { op: softmaxOp, inputs: [tensorSpec(F32, shape, 20 + n, 3)], epilogue: [{ op: quantizeOp, attrs: { to } }], training, seed: 2, step: 1 };
          const { gpu, cpu, beforeLast } = await parity(h, c);
          expectCodesNear(gpu, cpu.data, beforeLast.data, to, 1e-5, training && to.round === 'stochastic' ? (i) => rngUniform(2, 1, 0, i) : undefined);
        }
      }
    }
  });
});
