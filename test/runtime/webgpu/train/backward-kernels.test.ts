/**
 * Every WGSL backward except conv and dense (src/ops/*.wgsl-backward.ts, the derivatives of the
 * elementwise stages) against the op's CPU backward, on small odd shapes, standalone and with
 * fused epilogues, with accumulation into an existing gradient.
 *
 * Tolerances: elementwise gradients |a - b| <= 1e-5 * max(1, |b|) (SEMANTICS.md section 4; the
 * reference rounds its f64 result to f32 once, the kernel rounds each f32 operation). Gradients
 * that are sums over the batch (scale's gamma and beta, batch_norm's dx through its batch sums)
 * are compared relative to the sum of the terms' magnitudes, 1e-5 * max(1, sum |terms|): the
 * kernel's f32 partial sums carry about (n / 64 + 64) roundings of the terms' size, which cancelling
 * terms do not shrink (measured below 1e-6 on these shapes). Copies and masks are exact.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Attrs } from '../../../../src/ir/graph.js';
import { fixed, F32, I32, type FixedType } from '../../../../src/numeric/number-type.js';
import { uniformStream } from '../../../../src/numeric/rng.js';
import { quantizeCodeCounted, emptyQuantizeStats } from '../../../../src/numeric/quantize.js';
import { addOp } from '../../../../src/ops/add.js';
import { avgPoolOp } from '../../../../src/ops/avg-pool.js';
import { batchNormOp } from '../../../../src/ops/batch-norm.js';
import { concatOp } from '../../../../src/ops/concat.js';
import { dropoutOp } from '../../../../src/ops/dropout.js';
import { eltwiseOp } from '../../../../src/ops/eltwise.js';
import { flattenOp } from '../../../../src/ops/flatten.js';
import { lrnOp } from '../../../../src/ops/lrn.js';
import { maxPoolOp } from '../../../../src/ops/max-pool.js';
import { quantizeOp } from '../../../../src/ops/quantize.js';
import { reluOp } from '../../../../src/ops/relu.js';
import { reshapeOp } from '../../../../src/ops/reshape.js';
import { scaleOp } from '../../../../src/ops/scale.js';
import { sigmoidOp } from '../../../../src/ops/sigmoid.js';
import { softmaxCrossEntropyOp } from '../../../../src/ops/softmax-cross-entropy.js';
import { softmaxOp } from '../../../../src/ops/softmax.js';
import { tanhOp } from '../../../../src/ops/tanh.js';
import { gpuHarness, type GpuHarness } from '../../../codegen/wgsl/gpu-harness.js';
import { expectClose, expectExact, labels, tensorSpec } from '../../../codegen/wgsl/ops/op-parity.js';
import { expectReductionClose, runBackwardParity, signedRandom, type BackwardCase } from './backward-parity.js';

let h: GpuHarness | undefined;
beforeAll(async () => {
  h = await gpuHarness();
});

async function check(ctx: { skip: () => void }, c: BackwardCase, tol = 1e-5): Promise<Awaited<ReturnType<typeof runBackwardParity>>> {
  if (!h) ctx.skip();
  const r = await runBackwardParity(h!, c);
  r.inputs.forEach((g, k) => g && expectClose(g.gpu, g.cpu, tol, `input ${k}`));
  r.params.forEach((g, k) => g && expectClose(g.gpu, g.cpu, tol, `param ${k}`));
  return r;
}

/** f32 values in [-2, 2) at least `gap` away from 0 (relu's kink). */
function awayFromZero(shape: number[], seed: number, gap = 1e-3): { type: typeof F32; shape: number[]; values: Float64Array } {
  const v = signedRandom(shape.reduce((a, d) => a * d, 1), seed).map((x) => Math.fround(x * 2 + (x >= 0 ? gap : -gap)));
  return { type: F32, shape, values: v };
}

const A8: FixedType = fixed(4, 4);
const A8S: FixedType = fixed(4, 4, 'stochastic');
const clipped = { ste: 'clipped' };

describe('elementwise ops standalone and their stage derivatives', () => {
  it('relu, leaky relu, relu of a fixed input', async (ctx) => {
    await check(ctx, { op: reluOp, inputs: [awayFromZero([3, 5, 7], 1)] });
    await check(ctx, { op: reluOp, inputs: [awayFromZero([13], 2)], attrs: { negative_slope: 0.1 } });
    await check(ctx, { op: reluOp, inputs: [tensorSpec(A8, [2, 3, 5], 3)] });
  });

  it('tanh and sigmoid (derivative from the output)', async (ctx) => {
    await check(ctx, { op: tanhOp, inputs: [tensorSpec(F32, [7, 3], 4)] });
    await check(ctx, { op: sigmoidOp, inputs: [tensorSpec(F32, [7, 3], 5)] });
  });

  it('quantize: identity STE, and clipped STE zeroing the saturated elements with the forward draws', async (ctx) => {
    await check(ctx, { op: quantizeOp, inputs: [tensorSpec(F32, [5, 13], 6, 12)], attrs: { to: A8 } });
    const x = tensorSpec(F32, [5, 13], 7, 12);
    const r = await check(ctx, { op: quantizeOp, inputs: [x], attrs: { to: A8S, ste: 'clipped' }, training: true, seed: 9, step: 4, nodeIndex: 3 });
    // the case exercises both sides of the clip, with the stochastic draws of the forward
    const draw = uniformStream(9, 4, 3);
    let zeroed = 0;
    for (let i = 0; i < x.values.length; i++) {
      const s = emptyQuantizeStats();
      quantizeCodeCounted(x.values[i], A8S, draw(i), s);
      if (s.saturated > 0) zeroed++;
    }
    expect(zeroed).toBeGreaterThan(5);
    expect(r.inputs[0]!.gpu.filter((v) => v === 0).length).toBe(zeroed);
  });
});

describe('epilogue derivatives on a fused node', () => {
  it('max_pool + relu + quantize (stochastic, clipped) pulls dy back through the recomputed stages', async (ctx) => {
    await check(ctx, {
      op: maxPoolOp,
      inputs: [tensorSpec(F32, [2, 3, 7, 5], 10, 20)],
      attrs: { kernel: [3, 3], stride: [2, 2], pad: [1, 1] },
      epilogue: [{ op: reluOp }, { op: quantizeOp, attrs: { to: A8S, ...clipped } }],
      training: true,
      seed: 3,
      step: 11,
      nodeIndex: 5,
    });
  });

  it('add + tanh, and softmax + sigmoid (the own output is the saved pre-epilogue value)', async (ctx) => {
    await check(ctx, { op: addOp, inputs: [tensorSpec(F32, [3, 7], 11), tensorSpec(F32, [3, 7], 12)], epilogue: [{ op: tanhOp }] });
    await check(ctx, { op: softmaxOp, inputs: [tensorSpec(F32, [3, 5], 13)], epilogue: [{ op: sigmoidOp }] });
  });
});

describe('pooling', () => {
  const geometries: { name: string; shape: number[]; attrs: Attrs }[] = [
    { name: '7x5, kernel 3, stride 2, pad 1', shape: [2, 3, 7, 5], attrs: { kernel: [3, 3], stride: [2, 2], pad: [1, 1] } },
    { name: 'overlapping windows 3x2 stride 1', shape: [1, 2, 6, 7], attrs: { kernel: [3, 2], stride: [1, 1] } },
    { name: 'LeNet 2x2 stride 2', shape: [3, 4, 8, 8], attrs: { kernel: [2, 2], stride: [2, 2] } },
    { name: 'floor mode, 13x13', shape: [1, 1, 13, 13], attrs: { kernel: [3, 3], stride: [2, 2], ceil_mode: false } },
    { name: 'global', shape: [2, 3, 5, 3], attrs: { global: true } },
  ];
  for (const g of geometries) {
    it(`max_pool and avg_pool, ${g.name}`, async (ctx) => {
      // distinct values, so no window has tied maxima
      const n = g.shape.reduce((a, d) => a * d, 1);
      const values = Float64Array.from({ length: n }, (_, i) => Math.fround(((i * 7919) % n) / n - 0.5));
      await check(ctx, { op: maxPoolOp, inputs: [{ type: F32, shape: g.shape, values }], attrs: g.attrs });
      await check(ctx, { op: avgPoolOp, inputs: [tensorSpec(F32, g.shape, 21)], attrs: g.attrs });
    });
  }

  it('max_pool of a fixed-point input (codes compared), accumulating into an existing gradient', async (ctx) => {
    const x = tensorSpec(fixed(2, 6), [2, 2, 5, 5], 22);
    // ties are possible in codes; the reference and the kernel both take the first maximum
    await check(ctx, { op: maxPoolOp, inputs: [x], attrs: { kernel: [2, 2], stride: [2, 2] }, accumulateInto: [signedRandom(100, 23)] });
  });
});

describe('normalisations', () => {
  it('lrn across channels, local_size 5 and 3', async (ctx) => {
    await check(ctx, { op: lrnOp, inputs: [tensorSpec(F32, [2, 7, 3, 3], 30, 2)] });
    await check(ctx, { op: lrnOp, inputs: [tensorSpec(F32, [3, 4, 5], 31, 2)], attrs: { local_size: 3, alpha: 0.5, beta: 0.6, k: 2 } });
  });

  it('softmax over the last axis and over the channels of a map', async (ctx) => {
    await check(ctx, { op: softmaxOp, inputs: [tensorSpec(F32, [4, 10], 32)] });
    await check(ctx, { op: softmaxOp, inputs: [tensorSpec(F32, [2, 5, 3, 3], 33)] });
  });

  it('batch_norm with batch statistics (sums over the batch) and with stored statistics', async (ctx) => {
    if (!h) ctx.skip();
    const shape = [3, 5, 4, 3];
    const x = tensorSpec(F32, shape, 34);
    const dy = signedRandom(180, 37);
    const params = [
      { type: F32, shape: [5], values: signedRandom(5, 35) },
      { type: F32, shape: [5], values: signedRandom(5, 36).map((v) => Math.fround(Math.abs(v) * 3 + 0.5)) },
      { type: F32, shape: [1], values: [2] },
    ];
    const c: BackwardCase = { op: batchNormOp, inputs: [x], params, training: true, wantParams: [false, false, false], gradOutput: dy };
    const r = await runBackwardParity(h!, c);
    // dx = inv * (dy - sum(dy) / m - xhat * sum(dy * xhat) / m): bounded by the magnitudes of its
    // terms, inv * (|dy| + sum|dy| / m + |xhat| * sum|dy * xhat| / m), per channel
    const m = 12;
    const mag = new Float64Array(180);
    for (let ch = 0; ch < 5; ch++) {
      const at = (b: number, i: number) => (b * 5 + ch) * 12 + i;
      let mean = 0;
      for (let b = 0; b < 3; b++) for (let i = 0; i < 12; i++) mean += x.values[at(b, i)] / (3 * m);
      let variance = 0;
      for (let b = 0; b < 3; b++) for (let i = 0; i < 12; i++) variance += (x.values[at(b, i)] - mean) ** 2 / (3 * m);
      const inv = 1 / Math.sqrt(variance + 1e-5);
      let sumDy = 0;
      let sumDyXhat = 0;
      for (let b = 0; b < 3; b++) {
        for (let i = 0; i < 12; i++) {
          sumDy += Math.abs(dy[at(b, i)]);
          sumDyXhat += Math.abs(dy[at(b, i)] * (x.values[at(b, i)] - mean) * inv);
        }
      }
      for (let b = 0; b < 3; b++) {
        for (let i = 0; i < 12; i++) mag[at(b, i)] = inv * (Math.abs(dy[at(b, i)]) + sumDy / (3 * m) + (Math.abs(x.values[at(b, i)] - mean) * inv * sumDyXhat) / (3 * m));
      }
    }
    expect(expectReductionClose(r.inputs[0]!.gpu, r.inputs[0]!.cpu, mag)).toEqual([]);
    await check(ctx, { op: batchNormOp, inputs: [x], params, training: false, wantParams: [false, false, false] });
    await check(ctx, { op: batchNormOp, inputs: [x], params, attrs: { use_global_stats: true }, training: true, wantParams: [false, false, false] });
  });

  it('scale: dx, and dgamma / dbeta summed over the batch and positions', async (ctx) => {
    if (!h) ctx.skip();
    const x = tensorSpec(F32, [3, 4, 5], 40);
    const gamma = tensorSpec(F32, [4], 41);
    const beta = tensorSpec(F32, [4], 42);
    const dy = signedRandom(60, 43);
    const r = await runBackwardParity(h!, { op: scaleOp, inputs: [x], params: [gamma, beta], attrs: { bias_term: true }, gradOutput: dy });
    expectClose(r.inputs[0]!.gpu, r.inputs[0]!.cpu, 1e-5, 'dx');
    const magGamma = [0, 1, 2, 3].map((d) => {
      let s = 0;
      for (let o = 0; o < 3; o++) for (let i = 0; i < 5; i++) s += Math.abs(dy[(o * 4 + d) * 5 + i] * x.values[(o * 4 + d) * 5 + i]);
      return s;
    });
    expect(expectReductionClose(r.params[0]!.gpu, r.params[0]!.cpu, magGamma)).toEqual([]);
    expect(expectReductionClose(r.params[1]!.gpu, r.params[1]!.cpu, [15, 15, 15, 15])).toEqual([]);
    // accumulation into parameter gradients another node wrote
    const acc = await runBackwardParity(h!, {
      op: scaleOp,
      inputs: [x],
      params: [gamma],
      gradOutput: dy,
      accumulateParamsInto: [[1, 2, 3, 4]],
    });
    expect(expectReductionClose(acc.params[0]!.gpu, acc.params[0]!.cpu, magGamma.map((m) => m + 4))).toEqual([]);
  });
});

describe('combining and reshaping ops', () => {
  it('add with three inputs, one gradient accumulating', async (ctx) => {
    const xs = [tensorSpec(F32, [3, 7], 50), tensorSpec(F32, [3, 7], 51), tensorSpec(F32, [3, 7], 52)];
    const r = await check(ctx, { op: addOp, inputs: xs, accumulateInto: [undefined, signedRandom(21, 53), undefined] });
    expect(r.dispatches).toBe(3);
  });

  it('eltwise sum with coeffs, prod and max', async (ctx) => {
    const xs = [tensorSpec(F32, [2, 3, 5], 54), tensorSpec(F32, [2, 3, 5], 55)];
    await check(ctx, { op: eltwiseOp, inputs: xs, attrs: { operation: 'sum', coeffs: [0.5, -1.5] } });
    await check(ctx, { op: eltwiseOp, inputs: [...xs, tensorSpec(F32, [2, 3, 5], 56)], attrs: { operation: 'prod' } });
    await check(ctx, { op: eltwiseOp, inputs: xs, attrs: { operation: 'max' } });
  });

  it('concat along channels and along the last axis (exact copies)', async (ctx) => {
    if (!h) ctx.skip();
    for (const [axis, shapes] of [
      [1, [[2, 3, 4], [2, 1, 4], [2, 5, 4]]],
      [-1, [[3, 2], [3, 7]]],
    ] as const) {
      const r = await runBackwardParity(h!, { op: concatOp, inputs: shapes.map((s, k) => tensorSpec(F32, [...s], 60 + k)), attrs: { axis } });
      r.inputs.forEach((g, k) => expectExact(g!.gpu, g!.cpu, `input ${k}`));
    }
  });

  it('flatten and reshape move the gradient back unchanged', async (ctx) => {
    if (!h) ctx.skip();
    const x = tensorSpec(fixed(2, 6), [2, 3, 2, 2], 65);
    for (const c of [
      { op: flattenOp, inputs: [x] },
      { op: reshapeOp, inputs: [x], attrs: { shape: [0, -1, 2] } },
    ] as BackwardCase[]) {
      const r = await runBackwardParity(h!, c);
      expectExact(r.inputs[0]!.gpu, r.inputs[0]!.cpu);
    }
  });

  it('dropout redraws the forward mask (exact: one f32 multiply)', async (ctx) => {
    if (!h) ctx.skip();
    const r = await runBackwardParity(h!, { op: dropoutOp, inputs: [tensorSpec(F32, [4, 33], 66)], attrs: { ratio: 0.3 }, training: true, seed: 5, step: 7, nodeIndex: 2 });
    expectExact(r.inputs[0]!.gpu, r.inputs[0]!.cpu);
    const dropped = r.inputs[0]!.cpu.filter((v) => v === 0).length;
    expect(dropped).toBeGreaterThan(20);
    expect(dropped).toBeLessThan(70);
  });
});

describe('softmax_cross_entropy', () => {
  it('[N, C] logits with an ignored label, and dense [N, C, H, W] logits', async (ctx) => {
    const logits = tensorSpec(F32, [7, 5], 70, 3);
    const label = labels(7, 5, 71, I32, -1, 3);
    await check(ctx, { op: softmaxCrossEntropyOp, inputs: [logits, label], attrs: { ignore_label: -1 }, gradOutput: [1] });
    await check(ctx, { op: softmaxCrossEntropyOp, inputs: [tensorSpec(F32, [2, 3, 2, 2], 72, 3), labels(8, 3, 73)], gradOutput: [0.5] });
  });
});
