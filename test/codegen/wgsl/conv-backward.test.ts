import { describe, expect, it } from 'vitest';
import { fixed } from '../../../src/numeric/number-type.js';
import { convOp } from '../../../src/ops/conv.js';
import { convBackward } from '../../../src/ops/conv.wgsl-backward.js';
import { quantizeOp } from '../../../src/ops/quantize.js';
import { reluOp } from '../../../src/ops/relu.js';
import { testRandom } from '../../helpers/gradcheck.js';
import { gpuHarness } from './gpu-harness.js';
import { checkBackward, elementsOf, randomBackwardCase, randomValues, runCpuBackward, runGpuBackward, type BackwardCase, type LayerShape } from './gemm-backward-case.js';

/**
 * The conv backward kernels against the CPU reference (test/codegen/wgsl/gemm-backward-case.ts),
 * f32 gradients within SEMANTICS.md's tolerance |a - b| <= 1e-5 * max(1, |b|). On these shapes
 * (at most 36 terms per dX element, 338 per dW element) the largest error measured on lavapipe was
 * below 0.05 of that tolerance; the long reduction below states its own.
 */

/**
 * Long reductions get a wider tolerance. An f32 sum of T products of typical size s errs by about
 * 2^-24 * s * T^(3/4) in the template's sqrt(T) slices (gemm-backward-plan.ts, reductionSlices),
 * while the reference sums in f64; an element whose terms cancel to |b| < 1 is judged against
 * 1e-5 absolute. For T = 36864 and s = 1/3 that is about 5e-5, i.e. several times the tolerance,
 * whatever the order of an f32 sum. Measured on lavapipe for this data: 2.04 (the same layer with
 * one sequential sum per element: 16-22). The bound leaves 2.5x for another adapter's rounding
 * (fused multiply-adds) on the same data.
 */
const LONG_REDUCTION_FACTOR = 5;

const SHAPES: Record<string, LayerShape> = {
  'size 1': { x: [1, 1, 1, 1], attrs: { filters: 1, kernel: 1 } },
  '3x3 pad 1 stride 2 on 7x7': { x: [2, 3, 7, 7], attrs: { filters: 5, kernel: 3, pad: 1, stride: 2 } },
  'non-square 3x5, stride [2, 1], pad [1, 2], dilation [2, 1], 2 groups, 13x13': {
    x: [1, 4, 13, 13],
    attrs: { filters: 6, kernel: [3, 5], stride: [2, 1], pad: [1, 2], dilation: [2, 1], group: 2 },
  },
  '2x3, stride [1, 3], pad [0, 1], dilation 2, 3 groups, 7x9': {
    x: [3, 6, 7, 9],
    attrs: { filters: 9, kernel: [2, 3], stride: [1, 3], pad: [0, 1], dilation: 2, group: 3 },
  },
  'depthwise 3x3 stride 2 on 13x7': { x: [2, 3, 13, 7], attrs: { filters: 3, kernel: 3, stride: 2, pad: 1, group: 3 } },
  'no bias, 5x5 on 13x13': { x: [2, 3, 13, 13], attrs: { filters: 4, kernel: 5, bias_term: false } },
};

describe('conv WGSL backward', () => {
  it('is the op facet', () => {
    expect(convOp.wgsl?.backward).toBe(convBackward);
  });

  for (const [name, shape] of Object.entries(SHAPES)) {
    it(`matches the CPU reference: ${name}`, async (ctx) => {
      const h = await gpuHarness();
      if (!h) return ctx.skip();
      await checkBackward(h, randomBackwardCase(convOp, shape, 11));
    });
  }

  it('every register tile and a split weight-gradient reduction give the same gradients', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const shape = SHAPES['non-square 3x5, stride [2, 1], pad [1, 2], dilation [2, 1], 2 groups, 13x13'];
    const configs = [
      { bw_dx_tc: 1, bw_dx_tn: 1, bw_dx_tx: 1, bw_dw_tr: 1, bw_dw_tf: 1, bw_dw_slices: 1 },
      { bw_dx_tc: 2, bw_dx_tn: 1, bw_dx_tx: 3, bw_dw_tr: 3, bw_dw_tf: 5, bw_dw_slices: 4 },
      { bw_dx_tc: 1, bw_dx_tn: 1, bw_dx_tx: 8, bw_dw_tr: 2, bw_dw_tf: 8, bw_dw_slices: 7 },
    ];
    for (const config of configs) await checkBackward(h, randomBackwardCase(convOp, shape, 12, { config }));
    // The last config splits the 1 x 7 x 13 = 91 positions into 7 slices: a partial-sum pass and a second one.
    const c = randomBackwardCase(convOp, shape, 12, { config: configs[2] });
    expect((await runGpuBackward(h, c)).dispatches.map((d) => d.label)).toEqual([
      'n (conv backward: input gradient)',
      'n (conv backward: weight gradient, partial sums)',
      'n (conv backward: weight gradient, sum of 7 slices)',
    ]);
  });

  it('reads fixed-point (packed 8-bit) activations', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    await checkBackward(h, randomBackwardCase(convOp, SHAPES['3x3 pad 1 stride 2 on 7x7'], 13, {}, 1, fixed(4, 4)));
  });

  it('fused relu epilogue: the gradient is masked where the saved pre-activation was not positive', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const c = randomBackwardCase(convOp, SHAPES['3x3 pad 1 stride 2 on 7x7'], 14, { epilogue: [{ op: reluOp }] });
    await checkBackward(h, c);
    // inline (no scratch pass) computes the same values
    await checkBackward(h, { ...c, config: { bw_inline_epilogue: 1 } });
  });

  it('fused relu + quantize epilogues, STE identity and clipped, stochastic rounding redrawn', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const shape = SHAPES['2x3, stride [1, 3], pad [0, 1], dilation 2, 3 groups, 7x9'];
    // fixed<2, 3> holds [-2, 2): pre-activations of 3 x 3 x 2 random products often saturate
    const to = fixed(2, 3, 'stochastic');
    const cases = (['identity', 'clipped'] as const).map((ste) =>
      randomBackwardCase(convOp, shape, 15, { epilogue: [{ op: reluOp }, { op: quantizeOp, attrs: { to, ste } }], seed: 5, step: 3, nodeIndex: 4 }),
    );
    // the data saturates the quantizer somewhere: clipped and identity differ
    expect(runCpuBackward(cases[0]).dx).not.toEqual(runCpuBackward(cases[1]).dx);
    for (const c of cases) await checkBackward(h, c);
    // the chain applied inline at each load (no scratch pass) gives the same values
    await checkBackward(h, { ...cases[1], config: { bw_inline_epilogue: 1 } });
  });

  it('quantized weights: dX uses Q(W) with the forward draws, and the clipped STE reaches the masters', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const shape = SHAPES['non-square 3x5, stride [2, 1], pad [1, 2], dilation [2, 1], 2 groups, 13x13'];
    // masters in [-3, 3): fixed<2, 6> (range [-2, 2)) saturates about a third of them
    const extra: Partial<BackwardCase> = {
      paramQuantizers: [fixed(2, 6, 'stochastic'), fixed(2, 4)],
      paramSte: ['clipped', 'clipped'],
      seed: 9,
      step: 2,
      nodeIndex: 3,
    };
    const c = randomBackwardCase(convOp, shape, 16, extra, 3);
    const cpu = runCpuBackward(c);
    // the clipped STE zeroed some master gradients: the test exercises it
    expect(cpu.dparams[0]?.some((v, i) => v === 0 && Math.abs(c.params[0][i]) >= 2)).toBe(true);
    await checkBackward(h, c);
    await checkBackward(h, { ...c, config: { bw_inline_weights: 1 } });
    await checkBackward(h, { ...c, paramSte: ['identity', undefined] });
  });

  it('accumulates into the input gradient (fan-out) and computes only the gradients asked for', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const shape = SHAPES['3x3 pad 1 stride 2 on 7x7'];
    const prior = randomValues(elementsOf(shape.x), testRandom(3), 2);
    await checkBackward(h, randomBackwardCase(convOp, shape, 17, { accumulateInto: prior }));
    await checkBackward(h, randomBackwardCase(convOp, shape, 18, { wantInput: false }));
    await checkBackward(h, randomBackwardCase(convOp, shape, 19, { wantParams: [true, false] }));
    await checkBackward(h, randomBackwardCase(convOp, shape, 20, { wantInput: false, wantParams: [false, true] }));
    const none = randomBackwardCase(convOp, shape, 21, { wantInput: false, wantParams: [false, false] });
    expect((await runGpuBackward(h, none)).dispatches).toEqual([]);
  });
});

describe('conv WGSL backward, long reductions', () => {
  it("LeNet's conv1 at batch 64: 36864 products per weight gradient", async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const c = randomBackwardCase(convOp, { x: [64, 1, 28, 28], attrs: { filters: 20, kernel: 5 } }, 31, {}, 0.3);
    const worst = await checkBackward(h, c, LONG_REDUCTION_FACTOR);
    if (process.env.LPC_REPORT_ERRORS) console.log(`conv1 b64: worst ${worst.toFixed(3)} x the f32 tolerance`);
  });
});
