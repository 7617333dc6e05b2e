import { describe, expect, it } from 'vitest';
import { initWeights } from '../../../src/runtime/cpu/init-weights.js';
import { defaultTransform, shuffledOrder, trainBatch } from '../../../src/runtime/data/batches.js';
import { createCpuBackend } from '../../../src/runtime/train/cpu-backend.js';
import { prepare, sameBits } from './loop-helpers.js';
import { LSB, logisticNet, onGrid, runStochasticTask, stochasticTaskData } from './stochastic-task.js';

/**
 * Stochastic vs nearest rounding on the CPU reference (the task and its proof that every update is
 * below half an LSB: stochastic-task.ts). With f32 master weights (lpc's default) the master
 * accumulates the small updates and both rounding modes learn: that is why `master_weights false`
 * exists, to study the device that has no f32 copy.
 */

const SEEDS = [1, 2, 3, 4, 5];
const run = (round: 'nearest' | 'stochastic', seed: number, masterWeights: boolean) =>
  runStochasticTask(async (setup) => createCpuBackend(setup), round, seed, masterWeights);

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
    const data = stochasticTaskData(seed);
    const transform = defaultTransform(data.pixelType);
    const moved = { nearest: 0, stochastic: 0 };
    for (const round of ['nearest', 'stochastic'] as const) {
      const p = prepare(logisticNet(round, seed, false));
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
