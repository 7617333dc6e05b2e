import { describe, expect, it } from 'vitest';
import type { Tensor } from '../../../src/numeric/tensor.js';
import { initWeights } from '../../../src/runtime/cpu/init-weights.js';
import { defaultTransform, shuffledOrder, trainBatch } from '../../../src/runtime/data/batches.js';
import type { Dataset } from '../../../src/runtime/data/dataset.js';
import { createCpuBackend } from '../../../src/runtime/train/cpu-backend.js';
import { evaluateSplit } from '../../../src/runtime/train/evaluate.js';
import { runTraining } from '../../../src/runtime/train/train-loop.js';
import { separableDataset } from './helpers.js';
import { prepare, sameBits } from './loop-helpers.js';

/**
 * The classic result (Gupta et al., 2015, "Deep learning with limited numerical precision"):
 * when weights are STORED in fixed point, an update smaller than half an LSB is rounded away by
 * round-to-nearest every single step, so training stalls; stochastic rounding keeps it in
 * expectation, so training proceeds. With f32 master weights (lpc's default) the master
 * accumulates the small updates and both rounding modes learn: that is why `master_weights false`
 * exists, to study the device that has no f32 copy.
 *
 * The task: 3-class logistic regression (one dense layer) on 4x4 images where class k lights row
 * k, weights and bias in fixed<2, 4> (LSB 1/16), plain SGD at rate 0.03. Every update is below
 * half an LSB, provably: with softmax cross-entropy averaged over the batch, a weight's gradient
 * is a mean of (p - y) * x with |p - y| < 1 and 0 <= x <= 229/255 (the data's largest pixel), a
 * bias's a mean of (p - y); so |update| < 0.03 < 1/32. Typical updates are ten times smaller.
 */

const LSB = 2 ** -4;
const SEEDS = [1, 2, 3, 4, 5];
const EPOCHS = 10; // 10 steps per epoch: 100 steps

function logistic(round: 'nearest' | 'stochastic', seed: number, masterWeights: boolean): string {
  return `
type W = fixed<2, 4, round: ${round}>
net Logistic(batch: int = 6, classes: int = 3) {
  input image: f32[batch, 1, 4, 4]
  input label: i32[batch]
  logits = dense(image, units: classes, weights: W, bias: W)
  loss xent = softmax_cross_entropy(logits, label)
}
train Logistic {
  optimizer sgd(lr: 0.03)
  batch 6; epochs ${EPOCHS}; seed ${seed}${masterWeights ? '' : '\n  master_weights false'}
}
`;
}

const dataFor = (seed: number): Dataset => separableDataset(60, 30, 3, 4, seed + 10);

interface Outcome {
  startLoss: number;
  startAccuracy: number;
  endLoss: number;
  endAccuracy: number;
  start: Map<string, Tensor>;
  end: Map<string, Tensor>;
}

/** Trains from the fillers; scores the test split before and after. */
async function run(round: 'nearest' | 'stochastic', seed: number, masterWeights: boolean): Promise<Outcome> {
  const p = prepare(logistic(round, seed, masterWeights));
  expect(p.setup.masterWeights === false).toBe(!masterWeights);
  const data = dataFor(seed);
  const transform = defaultTransform(data.pixelType);
  const backend = createCpuBackend(p.setup);
  await backend.setParams(initWeights(p.setup.graph, seed));
  const start = await backend.getParams();
  const before = await evaluateSplit(backend, data.test, p.setup.net.batch, transform, { collectStats: false });
  const outcome = await runTraining({
    backend,
    graph: p.setup.graph,
    train: data.train,
    test: data.test,
    transform,
    seed,
    batch: p.setup.net.batch,
    epochs: p.settings.epochs,
    solver: p.settings.solver,
    policy: p.settings.policy,
    checkpointEvery: 0,
    testInterval: 0,
    display: 10,
  });
  expect(outcome.status).toBe('finished');
  const last = outcome.state.history[outcome.state.history.length - 1];
  return { startLoss: before.loss, startAccuracy: before.accuracy, endLoss: last.testLoss, endAccuracy: last.testAccuracy, start, end: await backend.getParams() };
}

const onGrid = (t: Tensor) => t.data.every((v) => Number.isInteger(v / LSB) && Math.abs(v) <= 2 - LSB);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('stochastic vs nearest rounding with weights stored in fixed point (master_weights false)', () => {
  it('nearest stalls (no weight ever changes), stochastic learns, on every seed', async () => {
    const ratios: number[] = [];
    for (const seed of SEEDS) {
      const nearest = await run('nearest', seed, false);
      const stochastic = await run('stochastic', seed, false);
      // Both start from the same stored weights: the fillers rounded to nearest.
      expect(sameBits(nearest.start, stochastic.start), `seed ${seed}`).toBe(true);
      for (const t of [...nearest.start.values(), ...stochastic.end.values()]) expect(onGrid(t), `seed ${seed}`).toBe(true);

      // nearest: 100 steps, and every update was rounded away
      expect(sameBits(nearest.end, nearest.start), `seed ${seed}: nearest moved a weight`).toBe(true);
      expect(nearest.endLoss).toBe(nearest.startLoss);
      expect(nearest.endAccuracy).toBe(nearest.startAccuracy);

      // stochastic: the same updates, kept in expectation
      expect(sameBits(stochastic.end, stochastic.start)).toBe(false);
      expect(stochastic.endLoss, `seed ${seed}`).toBeLessThan(0.6 * stochastic.startLoss); // observed 0.27..0.39
      expect(stochastic.endAccuracy, `seed ${seed}`).toBeGreaterThanOrEqual(0.9); // chance is 1/3
      ratios.push(stochastic.endLoss / stochastic.startLoss);
    }
    expect(mean(ratios)).toBeLessThan(0.5);
  });

  it('with f32 master weights (the default) both rounding modes learn: nearest no longer stalls', async () => {
    for (const seed of SEEDS) {
      for (const round of ['nearest', 'stochastic'] as const) {
        const r = await run(round, seed, true);
        expect(r.endLoss, `${round}, seed ${seed}`).toBeLessThan(0.6 * r.startLoss); // observed 0.33..0.43
        expect(r.endAccuracy, `${round}, seed ${seed}`).toBeGreaterThanOrEqual(0.9);
      }
    }
  });

  it('step by step: a stored weight moves by one LSB or not at all with stochastic rounding, never with nearest', async () => {
    const seed = 2;
    const data = dataFor(seed);
    const transform = defaultTransform(data.pixelType);
    const moved = { nearest: 0, stochastic: 0 };
    for (const round of ['nearest', 'stochastic'] as const) {
      const p = prepare(logistic(round, seed, false));
      const backend = createCpuBackend(p.setup);
      await backend.setParams(initWeights(p.setup.graph, seed));
      const order = shuffledOrder(data.train.count, seed, 0);
      let before = await backend.getParams();
      for (let step = 0; step < 10; step++) {
        const r = await backend.trainStep(trainBatch(data.train, order, step, 6, transform), { step, lr: 0.03 });
        expect(r.nonFinite).toBeUndefined();
        const after = await backend.getParams();
        for (const [id, t] of after) {
          t.data.forEach((v, i) => {
            const delta = Math.abs(v - before.get(id)!.data[i]);
            expect([0, LSB]).toContain(delta);
            if (delta !== 0) moved[round]++;
          });
        }
        before = after;
      }
    }
    expect(moved.nearest).toBe(0);
    // 10 steps of 51 parameters, each moving with probability |update| / LSB (about 0.05 here)
    expect(moved.stochastic).toBeGreaterThan(5);
  });

  it('is exactly reproducible: the same seed gives the same stored weights, another seed other ones', async () => {
    const a = await run('stochastic', 3, false);
    const b = await run('stochastic', 3, false);
    expect(sameBits(a.end, b.end)).toBe(true);
    const c = await run('stochastic', 4, false);
    expect(sameBits(a.end, c.end)).toBe(false);
  });
});
