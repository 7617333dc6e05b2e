/**
 * The WebGPU training backend (src/runtime/webgpu/train/gpu-backend.ts) against the CPU reference
 * backend on small nets: whole training steps (forward, backward, solver, batch-norm running
 * statistics) from the same weights, data, seed and step indices; non-finite steps; solver state
 * handed over; evaluation with statistics computed on the GPU.
 *
 * Tolerance of parameters after a few steps: |gpu - cpu| <= 1e-5 * max(1, |cpu|). The forward of
 * each step agrees within f32 rounding (f32 paths) or exactly (codes of deterministic fixed-point
 * paths, stochastic draws included); gradients are summed in another order than the reference
 * (f32 partial sums on the GPU, f64 in places on the CPU), a few ulps per step, which the update
 * multiplies by the rate; over 6 steps the differences measured stay below 3e-7.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultTransform, evalBatch, shuffledOrder, trainBatch } from '../../../../src/runtime/data/batches.js';
import type { DataBatch } from '../../../../src/runtime/data/dataset.js';
import { initWeights } from '../../../../src/runtime/cpu/init-weights.js';
import type { TrainBackend } from '../../../../src/runtime/train/backend.js';
import { createTrainBackend, trainBackendNames } from '../../../../src/runtime/train/backend-registry.js';
import { createCpuBackend } from '../../../../src/runtime/train/cpu-backend.js';
import type { TensorStats } from '../../../../src/runtime/train/layer-stats.js';
import { solverSpec } from '../../../../src/runtime/train/solver-spec.js';
import { storedWeights } from '../../../../src/runtime/train/stored-weights.js';
import { acquireDevice, type LpcDevice } from '../../../../src/runtime/webgpu/device.js';
import { PipelineCache } from '../../../../src/runtime/webgpu/pipeline-cache.js';
import { createWebgpuTrainBackend } from '../../../../src/runtime/webgpu/train/gpu-backend.js';
import type { Tensor } from '../../../../src/numeric/tensor.js';
import { getTestDevice } from '../../../helpers/webgpu.js';
import { EXPLODING_NET, separableDataset, STATEFUL_NET, TINY_NET } from '../../train/helpers.js';
import { prepare, sameBits, type Prepared } from '../../train/loop-helpers.js';

/** Scale, relu + output quantizer, batch norm, tanh, pooling, eltwise, concat, dropout, lrn: every non-GEMM backward. */
export const NO_GEMM_NET = `
type A = fixed<4, 4, round: stochastic>
net NoGemm(batch: int = 6, classes: int = 3) {
  input image: f32[batch, 1, 4, 4]
  input label: i32[batch]
  s = scale(image, bias_term: true)
  r = relu(s) -> A
  n = batch_norm(r)
  t = tanh(scale(n, bias_term: true))
  a = avg_pool(t, global: true)
  m = max_pool(t, global: true)
  e = eltwise(a, m, operation: prod)
  c = concat(a, m, e, axis: 1)
  d = dropout(c, ratio: 0.2)
  l = lrn(d, local_size: 3)
  logits = scale(flatten(l), bias_term: true)
  output probs = softmax(logits)
  loss xent = softmax_cross_entropy(logits, label)
}
train NoGemm { optimizer sgd(lr: 0.1, momentum: 0.9, weight_decay: 1e-3); batch 6; seed 3 }
`;

const data = separableDataset(36, 12);
const t = defaultTransform('u8');
let device: LpcDevice | undefined;
const cache: { c?: PipelineCache } = {};

beforeAll(async () => {
  if (!(await getTestDevice())) return;
  device = await acquireDevice({ label: 'gpu-backend test' });
  cache.c = new PipelineCache(device.device);
});
afterAll(() => device?.destroy());

async function gpuBackend(p: Prepared): Promise<TrainBackend> {
  const r = await createWebgpuTrainBackend(p.setup, { device, cache: cache.c });
  if (!r.backend) throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n'));
  return r.backend;
}

function maxRelativeDiff(a: Map<string, Tensor>, b: Map<string, Tensor>): number {
  let worst = 0;
  for (const [id, x] of a) {
    const y = b.get(id)!;
    for (let i = 0; i < x.data.length; i++) worst = Math.max(worst, Math.abs(x.data[i] - y.data[i]) / Math.max(1, Math.abs(x.data[i])));
  }
  return worst;
}

/** Runs `steps` training steps on both backends from the same start; returns both and their step results. */
async function trainBoth(p: Prepared, steps: number, lr = 0.05) {
  const cpu = createCpuBackend(p.setup);
  const gpu = await gpuBackend(p);
  const start = initWeights(p.setup.graph, p.settings.seed);
  await cpu.setParams(start);
  await gpu.setParams(start);
  const order = shuffledOrder(data.train.count, p.settings.seed, 0);
  const batch = p.setup.net.batch;
  const results = [];
  for (let s = 0; s < steps; s++) {
    const b = trainBatch(data.train, order, s % Math.floor(data.train.count / batch), batch, t);
    const c = await cpu.trainStep(b, { step: s, lr });
    const g = await gpu.trainStep(b, { step: s, lr });
    results.push({ c, g });
  }
  return { cpu, gpu, results };
}

describe('training steps against the CPU backend', () => {
  it('every non-GEMM op: scale, fused relu + stochastic quantizer, batch norm, pooling, eltwise, concat, dropout, lrn', async (ctx) => {
    if (!device) ctx.skip();
    const p = prepare(NO_GEMM_NET);
    const { cpu, gpu, results } = await trainBoth(p, 6, 0.1);
    for (const { c, g } of results) {
      expect(g.correct).toBe(c.correct);
      expect(Math.abs(g.loss - c.loss)).toBeLessThanOrEqual(1e-5 * Math.max(1, c.loss));
      expect(g.nonFinite).toBeUndefined();
    }
    // the batch-norm running statistics moved, as the CPU's
    const a = await cpu.getParams();
    const b = await gpu.getParams();
    expect(b.get('n.scale_factor')!.data[0]).toBeGreaterThan(5);
    expect(maxRelativeDiff(a, b)).toBeLessThanOrEqual(1e-5);
    await gpu.dispose();
  });

  it('conv, stochastic weights and activations, batch norm, dropout, Nesterov with clipping (the resume test net)', async (ctx) => {
    if (!device) ctx.skip();
    const base = prepare(STATEFUL_NET);
    // Not the net's Adam: c.bias feeds a batch norm with batch statistics, so its exact gradient
    // is 0 and both backends compute round-off (~1e-9) of either sign; Adam divides by sqrt(v) and
    // turns that noise into steps of the full rate (measured: 2.6e-3 apart after one step). The
    // solver kernels are compared with Adam on their own (solver.test.ts).
    const p: Prepared = { ...base, setup: { ...base.setup, solver: solverSpec({ kind: 'nesterov', lr: 0.01, momentum: 0.9, weightDecay: 1e-4, clipGradients: 0.1 }) } };
    const { cpu, gpu } = await trainBoth(p, 6, 0.01);
    expect(maxRelativeDiff(await cpu.getParams(), await gpu.getParams())).toBeLessThanOrEqual(1e-5);
    expect(maxRelativeDiff((await cpu.getSolverState()).tensors, (await gpu.getSolverState()).tensors)).toBeLessThanOrEqual(1e-5);
    await gpu.dispose();
  });

  it('stored low-precision weights (master weights off): every stored value stays on its grid', async (ctx) => {
    if (!device) ctx.skip();
    const p = prepare(STATEFUL_NET, { masterWeights: false });
    const { cpu, gpu } = await trainBoth(p, 4, 0.05);
    const a = await cpu.getParams();
    const b = await gpu.getParams();
    for (const w of storedWeights(p.setup.graph).values()) {
      const scale = 2 ** w.type.fracBits;
      expect(b.get(w.id)!.data.every((x) => Number.isInteger(x * scale))).toBe(true);
      // same updates rounded with the same draws: codes equal except where w' was within its
      // f32 difference of a rounding boundary
      const differ = b.get(w.id)!.data.filter((x, i) => x !== a.get(w.id)!.data[i]).length;
      expect(differ).toBeLessThanOrEqual(Math.max(1, a.get(w.id)!.data.length / 100));
    }
    await gpu.dispose();
  });
});

describe('non-finite steps change nothing and say where', () => {
  it('an exploding forward names the first non-finite layer, as the CPU does', async (ctx) => {
    if (!device) ctx.skip();
    const p = prepare(EXPLODING_NET);
    const exploding = separableDataset(30, 6);
    const order = shuffledOrder(30, 2, 0);
    const cpu = createCpuBackend(p.setup);
    const gpu = await gpuBackend(p);
    const start = initWeights(p.setup.graph, 2);
    await cpu.setParams(start);
    await gpu.setParams(start);
    for (const be of [cpu, gpu]) expect((await be.trainStep(trainBatch(exploding.train, order, 0, 6, t), { step: 0, lr: 1e20 })).nonFinite).toBeUndefined();
    const before = await gpu.getParams();
    const state = await gpu.getSolverState();
    const second = trainBatch(exploding.train, order, 1, 6, t);
    const want = (await cpu.trainStep(second, { step: 1, lr: 1e20 })).nonFinite;
    const got = await gpu.trainStep(second, { step: 1, lr: 1e20 });
    expect(want).toBeDefined();
    expect(got.nonFinite).toEqual(want);
    expect(sameBits(await gpu.getParams(), before)).toBe(true);
    expect(sameBits((await gpu.getSolverState()).tensors, state.tensors)).toBe(true);
    await gpu.dispose();
  });

  it('an update that overflows is refused before it is stored (where: update, with the parameter)', async (ctx) => {
    if (!device) ctx.skip();
    const base = prepare(TINY_NET);
    // a finite gradient, and an L2 decay so large that lr * (decay * w + g) overflows f32
    const p: Prepared = { ...base, setup: { ...base.setup, solver: solverSpec({ kind: 'sgd', lr: 1000, weightDecay: 1e38 }) } };
    const cpu = createCpuBackend(p.setup);
    const gpu = await gpuBackend(p);
    const start = initWeights(p.setup.graph, 3);
    await cpu.setParams(start);
    await gpu.setParams(start);
    const b = trainBatch(data.train, shuffledOrder(36, 3, 0), 0, 6, t);
    const want = await cpu.trainStep(b, { step: 0, lr: 1000 });
    const got = await gpu.trainStep(b, { step: 0, lr: 1000 });
    expect(want.nonFinite?.where).toBe('update');
    expect(got.nonFinite).toEqual(want.nonFinite);
    expect(sameBits(await gpu.getParams(), await cpu.getParams())).toBe(true);
    await gpu.dispose();
  });
});

describe('the registry', () => {
  it('offers the backend as `webgpu` (lpc train / eval / quantize --backend webgpu), acquiring its own device', async (ctx) => {
    if (!device) ctx.skip();
    expect(trainBackendNames()).toContain('webgpu');
    const made = await createTrainBackend('webgpu', prepare(TINY_NET).setup);
    expect(made.backend?.name).toBe('webgpu');
    expect(made.backend?.device).toMatch(/^WebGPU: /);
    await made.backend?.dispose();
  });
});

describe('state crosses the interface', () => {
  it('parameters and solver state handed to a new backend continue the run exactly', async (ctx) => {
    if (!device) ctx.skip();
    const p = prepare(TINY_NET);
    const order = shuffledOrder(36, 3, 0);
    const a = await gpuBackend(p);
    await a.setParams(initWeights(p.setup.graph, 3));
    for (let s = 0; s < 2; s++) await a.trainStep(trainBatch(data.train, order, s, 6, t), { step: s, lr: 0.1 });
    const b = await gpuBackend(p);
    await b.setParams(await a.getParams());
    await b.setSolverState(await a.getSolverState());
    const third = trainBatch(data.train, order, 2, 6, t);
    await a.trainStep(third, { step: 2, lr: 0.1 });
    await b.trainStep(third, { step: 2, lr: 0.1 });
    expect(sameBits(await a.getParams(), await b.getParams())).toBe(true);
    expect(sameBits((await a.getSolverState()).tensors, (await b.getSolverState()).tensors)).toBe(true);
    await a.dispose();
    await b.dispose();
  });
});

describe('evaluation and statistics on the GPU', () => {
  it('accuracy, loss and per-layer statistics (with histograms) as the CPU computes them, padded rows excluded', async (ctx) => {
    if (!device) ctx.skip();
    const p = prepare(TINY_NET);
    const cpu = createCpuBackend(p.setup);
    const gpu = await gpuBackend(p);
    const start = initWeights(p.setup.graph, 3);
    await cpu.setParams(start);
    await gpu.setParams(start);
    // 12 test items in batches of 6, then a padded batch: 4 valid rows
    const batches: DataBatch[] = [0, 1].map((k) => evalBatch(data.test, k, 6, t));
    batches.push({ ...evalBatch(data.test, 0, 6, t), valid: 4 });
    for (const b of batches) {
      const c = await cpu.evaluate(b, { collectStats: true, histograms: true });
      const g = await gpu.evaluate(b, { collectStats: true, histograms: true });
      expect(g.correct).toBe(c.correct);
      expect(g.counted).toBe(c.counted);
      expect(Math.abs(g.loss - c.loss)).toBeLessThanOrEqual(1e-5 * Math.max(1, c.loss));
    }
    const want = await cpu.takeStats();
    const got = await gpu.takeStats();
    expect(got.map((s) => s.tensor)).toEqual(want.map((s) => s.tensor));
    got.forEach((g, k) => expectStatsClose(g, want[k]));
    // taken: the counters start again
    expect(await gpu.takeStats()).toHaveLength(p.setup.graph.params.length);
    await gpu.dispose();
  });

  it('fixed-point output quantizers report saturation from the value before them', async (ctx) => {
    if (!device) ctx.skip();
    const net = TINY_NET.replace('h = relu(dense(image, units: 8, weights: W))', 'h = relu(dense(image, units: 8, weights: W)) -> fixed<2, 2>');
    const p = prepare(net);
    const cpu = createCpuBackend(p.setup);
    const gpu = await gpuBackend(p);
    // large weights so the hidden layer saturates fixed<2, 2>
    const start = new Map([...initWeights(p.setup.graph, 3)].map(([id, x]) => [id, { shape: x.shape, data: x.data.map((v) => v * 40) }] as const));
    await cpu.setParams(start);
    await gpu.setParams(start);
    const b = evalBatch(data.test, 0, 6, t);
    await cpu.evaluate(b, { collectStats: true });
    await gpu.evaluate(b, { collectStats: true });
    const want = await cpu.takeStats();
    const got = await gpu.takeStats();
    const h = want.find((s) => s.tensor === 'h')!;
    expect(h.saturated).toBeGreaterThan(0);
    got.forEach((g, k) => expectStatsClose(g, want[k]));
    await gpu.dispose();
  });
});

/**
 * Counts equal; min, max and max |x| within the f32 tolerance; the exponent and histogram bins
 * equal except for values that moved across a bin edge by their f32 difference (none measured).
 */
function expectStatsClose(g: TensorStats, c: TensorStats): void {
  const what = `${c.tensor}`;
  expect({ count: g.count, zeros: g.zeros, saturated: g.saturated, nan: g.nan, infinite: g.infinite }, what).toEqual({
    count: c.count,
    zeros: c.zeros,
    saturated: c.saturated,
    nan: c.nan,
    infinite: c.infinite,
  });
  for (const k of ['min', 'max', 'maxAbs'] as const) expect(Math.abs(g[k] - c[k]), `${what} ${k}`).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(c[k])));
  const l1 = (a: readonly number[], b: readonly number[]) => a.reduce((s, x, i) => s + Math.abs(x - b[i]), 0);
  expect(l1(g.exponents, c.exponents), `${what} exponents`).toBeLessThanOrEqual(2);
  if (c.histogram) expect(l1(g.histogram!, c.histogram), `${what} histogram`).toBeLessThanOrEqual(2);
  expect(g.type).toBe(c.type);
}
