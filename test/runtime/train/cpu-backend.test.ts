import { describe, expect, it } from 'vitest';
import { defaultTransform, evalBatch, shuffledOrder, trainBatch } from '../../../src/runtime/data/batches.js';
import { initWeights } from '../../../src/runtime/cpu/init-weights.js';
import { runForward } from '../../../src/runtime/cpu/executor.js';
import { updatedBatchNormStats } from '../../../src/ops/batch-norm.js';
import { createCpuBackend } from '../../../src/runtime/train/cpu-backend.js';
import { stateKey } from '../../../src/runtime/train/solver-state.js';
import { EXPLODING_NET, separableDataset, STATEFUL_NET, TINY_NET } from './helpers.js';
import { prepare, sameBits } from './loop-helpers.js';

const data = separableDataset(24, 10);
const t = defaultTransform('u8');

describe('the CPU training backend', () => {
  it('updates the batch-norm running statistics after a training step, as Caffe does', async () => {
    const p = prepare(STATEFUL_NET);
    const backend = createCpuBackend(p.setup);
    const start = initWeights(p.setup.graph, 9);
    await backend.setParams(start);
    const batch = trainBatch(data.train, shuffledOrder(24, 9, 0), 0, 4, t);
    await backend.trainStep(batch, { step: 0, lr: 0.01 });
    const after = await backend.getParams();

    const bn = p.setup.graph.nodes.find((n) => n.op === 'batch_norm')!;
    const inputs = new Map([
      ['image', { shape: [4, 1, 4, 4], data: Float64Array.from(batch.images) }],
      ['label', { shape: [4], data: Float64Array.from(batch.labels) }],
    ]);
    const forward = runForward(p.setup.graph, start, inputs, { training: true, seed: 9, step: 0 });
    const [x] = bn.inputs;
    const [meanId, varId, sfId] = bn.inputs.slice(1);
    const expected = updatedBatchNormStats(forward.values.get(x)!, { mean: start.get(meanId)!, variance: start.get(varId)!, scaleFactor: start.get(sfId)! }, 0.999);
    expect([...after.get(meanId)!.data]).toEqual([...expected.mean.data]);
    expect([...after.get(varId)!.data]).toEqual([...expected.variance.data]);
    expect([...after.get(sfId)!.data]).toEqual([1]);
  });

  it('a step that goes non-finite changes nothing and says where', async () => {
    const p = prepare(EXPLODING_NET);
    const backend = createCpuBackend(p.setup);
    await backend.setParams(initWeights(p.setup.graph, 2));
    const exploding = separableDataset(30, 6); // the data and order of the divergence test
    const order = shuffledOrder(30, 2, 0);
    const first = await backend.trainStep(trainBatch(exploding.train, order, 0, 6, t), { step: 0, lr: 1e20 });
    expect(first.nonFinite).toBeUndefined();
    const before = await backend.getParams();
    const stateBefore = await backend.getSolverState();
    const second = await backend.trainStep(trainBatch(exploding.train, order, 1, 6, t), { step: 1, lr: 1e20 });
    expect(second.nonFinite).toEqual({ where: 'forward', layer: 'logits', op: 'dense', value: 'logits' });
    expect(sameBits(await backend.getParams(), before)).toBe(true);
    expect(sameBits((await backend.getSolverState()).tensors, stateBefore.tensors)).toBe(true);
  });

  it('hands solver state over and back (what checkpoints and other backends rely on)', async () => {
    const p = prepare(TINY_NET);
    const a = createCpuBackend(p.setup);
    await a.setParams(initWeights(p.setup.graph, 3));
    await a.trainStep(trainBatch(data.train, shuffledOrder(24, 3, 0), 0, 6, t), { step: 0, lr: 0.1 });
    const state = await a.getSolverState();
    expect(state.kind).toBe('sgd');
    expect([...state.tensors.keys()]).toEqual(p.setup.graph.params.map((id) => stateKey(id, 'history')));
    expect([...state.tensors.values()].some((x) => x.data.some((v) => v !== 0))).toBe(true);

    const b = createCpuBackend(p.setup);
    await b.setParams(await a.getParams());
    await b.setSolverState(state);
    const batch = trainBatch(data.train, shuffledOrder(24, 3, 0), 1, 6, t);
    await a.trainStep(batch, { step: 1, lr: 0.1 });
    await b.trainStep(batch, { step: 1, lr: 0.1 });
    expect(sameBits(await a.getParams(), await b.getParams())).toBe(true);
  });

  it('evaluates only the valid rows of a padded batch, for accuracy and statistics', async () => {
    const p = prepare(TINY_NET);
    const backend = createCpuBackend(p.setup);
    await backend.setParams(initWeights(p.setup.graph, 3));
    const last = evalBatch(data.test, 1, 6, t); // items 6..9 and two padding rows
    expect(last.valid).toBe(4);
    const r = await backend.evaluate(last, { collectStats: true });
    expect(r.counted).toBe(4);
    const stats = await backend.takeStats();
    const hidden = stats.find((s) => s.kind === 'activation' && s.layer === 'h.dense')!;
    expect(hidden.count).toBe(4 * 8);
    const logits = stats.find((s) => s.kind === 'activation' && s.layer === 'logits')!;
    expect(logits.count).toBe(4 * 3);
    // counters reset after takeStats
    expect((await backend.takeStats()).filter((s) => s.kind === 'activation')).toEqual([]);
  });
});
