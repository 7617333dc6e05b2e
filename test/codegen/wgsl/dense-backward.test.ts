import { describe, expect, it } from 'vitest';
import { fixed } from '../../../src/numeric/number-type.js';
import { denseOp } from '../../../src/ops/dense.js';
import { denseBackward } from '../../../src/ops/dense.wgsl-backward.js';
import { quantizeOp } from '../../../src/ops/quantize.js';
import { reluOp } from '../../../src/ops/relu.js';
import { testRandom } from '../../helpers/gradcheck.js';
import { gpuHarness } from './gpu-harness.js';
import { checkBackward, elementsOf, randomBackwardCase, randomValues, runCpuBackward, type BackwardCase, type LayerShape } from './gemm-backward-case.js';

/**
 * The dense backward kernels (dense is a 1 x 1 convolution of the rows flattened from `axis`,
 * src/ops/dense.wgsl-backward.ts) against the CPU reference, f32 gradients within SEMANTICS.md's
 * tolerance |a - b| <= 1e-5 * max(1, |b|). These shapes sum at most 13 terms per input gradient
 * and 600 per weight gradient; the long reduction states its own tolerance.
 */

const SHAPES: Record<string, LayerShape> = {
  'size 1': { x: [1, 1], attrs: { units: 1 } },
  '3 x 7 -> 5': { x: [3, 7], attrs: { units: 5 } },
  '7 x 13 -> 3, transposed weights': { x: [7, 13], attrs: { units: 3, transpose: true } },
  'axis 2 of [2, 3, 5] (6 rows of 5) -> 4': { x: [2, 3, 5], attrs: { units: 4, axis: 2 } },
  '[3, 2, 3, 3] flattened -> 7, no bias': { x: [3, 2, 3, 3], attrs: { units: 7, bias_term: false } },
  '13 x 1 -> 13, transposed': { x: [13, 1], attrs: { units: 13, transpose: true } },
};

describe('dense WGSL backward', () => {
  it('is the op facet', () => {
    expect(denseOp.wgsl?.backward).toBe(denseBackward);
  });

  for (const [name, shape] of Object.entries(SHAPES)) {
    it(`matches the CPU reference: ${name}`, async (ctx) => {
      const h = await gpuHarness();
      if (!h) return ctx.skip();
      await checkBackward(h, randomBackwardCase(denseOp, shape, 41));
    });
  }

  it('every register tile and a split weight-gradient reduction give the same gradients', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const shape = SHAPES['7 x 13 -> 3, transposed weights'];
    for (const config of [
      { bw_dx_tc: 1, bw_dx_tn: 1, bw_dw_tr: 1, bw_dw_tf: 1, bw_dw_slices: 1 },
      { bw_dx_tc: 3, bw_dx_tn: 5, bw_dw_tr: 3, bw_dw_tf: 5, bw_dw_slices: 3 },
    ]) {
      await checkBackward(h, randomBackwardCase(denseOp, shape, 42, { config }));
    }
  });

  it('reads fixed-point (packed 8-bit and 16-bit) activations', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    await checkBackward(h, randomBackwardCase(denseOp, SHAPES['3 x 7 -> 5'], 43, {}, 1, fixed(4, 4)));
    await checkBackward(h, randomBackwardCase(denseOp, SHAPES['3 x 7 -> 5'], 44, {}, 1, fixed(6, 9)));
  });

  it('fused epilogues: relu, then quantize with STE identity and clipped (stochastic, redrawn)', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const shape = SHAPES['axis 2 of [2, 3, 5] (6 rows of 5) -> 4'];
    await checkBackward(h, randomBackwardCase(denseOp, shape, 45, { epilogue: [{ op: reluOp }] }));
    const to = fixed(2, 2, 'stochastic');
    const cases = (['identity', 'clipped'] as const).map((ste) =>
      // weights in [-3, 3): pre-activations often leave fixed<2, 2>'s range [-2, 2)
      randomBackwardCase(denseOp, shape, 46, { epilogue: [{ op: reluOp }, { op: quantizeOp, attrs: { to, ste } }], seed: 3, step: 7, nodeIndex: 2 }, 3),
    );
    expect(runCpuBackward(cases[0]).dx).not.toEqual(runCpuBackward(cases[1]).dx);
    for (const c of cases) await checkBackward(h, c);
    // the chain applied inline at each load (no scratch pass) gives the same values
    await checkBackward(h, { ...cases[1], config: { bw_inline_epilogue: 1 } });
  });

  it('quantized weights: dX uses Q(W) (also transposed), the clipped STE reaches the masters', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const extra: Partial<BackwardCase> = {
      paramQuantizers: [fixed(2, 5, 'stochastic', 'saturate'), fixed(3, 4, 'nearest', 'wrap')],
      paramSte: ['clipped', 'clipped'],
      seed: 4,
      step: 11,
      nodeIndex: 6,
    };
    // Q(W) prepared in scratch for one layout, rounded inline at each load for the other
    await checkBackward(h, randomBackwardCase(denseOp, SHAPES['3 x 7 -> 5'], 47, extra, 3));
    await checkBackward(h, randomBackwardCase(denseOp, SHAPES['7 x 13 -> 3, transposed weights'], 47, { ...extra, config: { bw_inline_weights: 1 } }, 3));
  });

  it('chunked weights and weight gradient (bindings split in 32-element chunks)', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const shape = { x: [5, 13], attrs: { units: 7 } };
    const c = randomBackwardCase(denseOp, shape, 48, { weightChunkElements: 32, paramQuantizers: [fixed(2, 6), undefined] });
    await checkBackward(h, c);
    await checkBackward(h, { ...c, config: { bw_inline_weights: 1, bw_dw_slices: 2 } });
  });

  it('accumulates into the input gradient (fan-out) and computes only the gradients asked for', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const shape = SHAPES['3 x 7 -> 5'];
    await checkBackward(h, randomBackwardCase(denseOp, shape, 49, { accumulateInto: randomValues(elementsOf(shape.x), testRandom(5), 2) }));
    await checkBackward(h, randomBackwardCase(denseOp, shape, 50, { wantInput: false, wantParams: [false, true] }));
    await checkBackward(h, randomBackwardCase(denseOp, shape, 51, { wantParams: [true, false] }));
  });
});

describe('dense WGSL backward, long reductions', () => {
  it('4096 rows: the weight gradient sums 4096 products', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    // 4096 = 32 slices of 128 (gemm-backward-plan.ts): measured on lavapipe, the worst element is
    // 0.14 of the tolerance, so the contract's tolerance holds unwidened.
    const worst = await checkBackward(h, randomBackwardCase(denseOp, { x: [4096, 5], attrs: { units: 3 } }, 52));
    if (process.env.LPC_REPORT_ERRORS) console.log(`dense 4096 rows: worst ${worst.toFixed(3)} x the f32 tolerance`);
  });
});
