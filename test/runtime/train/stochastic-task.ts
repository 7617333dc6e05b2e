import { expect } from 'vitest';
import type { Tensor } from '../../../src/numeric/tensor.js';
import { initWeights } from '../../../src/runtime/cpu/init-weights.js';
import { defaultTransform } from '../../../src/runtime/data/batches.js';
import type { Dataset } from '../../../src/runtime/data/dataset.js';
import type { TrainBackend, TrainBackendSetup } from '../../../src/runtime/train/backend.js';
import { evaluateSplit } from '../../../src/runtime/train/evaluate.js';
import { runTraining } from '../../../src/runtime/train/train-loop.js';
import { separableDataset } from './helpers.js';
import { prepare } from './loop-helpers.js';

/**
 * The stochastic-vs-nearest task, shared by the CPU test (stochastic-vs-nearest.test.ts) and the
 * WebGPU one (test/runtime/webgpu/train/stochastic-vs-nearest.test.ts).
 *
 * The classic result (Gupta et al., 2015, "Deep learning with limited numerical precision"):
 * when weights are STORED in fixed point, an update smaller than half an LSB is rounded away by
 * round-to-nearest every single step, so training stalls; stochastic rounding keeps it in
 * expectation, so training proceeds.
 *
 * The task: 3-class logistic regression (one dense layer) on 4x4 images where class k lights row
 * k, weights and bias in fixed<2, 4> (LSB 1/16), plain SGD at rate 0.03. Every update is below
 * half an LSB, provably: with softmax cross-entropy averaged over the batch, a weight's gradient
 * is a mean of (p - y) * x with |p - y| < 1 and 0 <= x <= 229/255 (the data's largest pixel), a
 * bias's a mean of (p - y); so |update| < 0.03 < 1/32. Typical updates are ten times smaller.
 */

export const LSB = 2 ** -4;
export const EPOCHS = 10; // 10 steps per epoch: 100 steps

export function logisticNet(round: 'nearest' | 'stochastic', seed: number, masterWeights: boolean): string {
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

export const stochasticTaskData = (seed: number): Dataset => separableDataset(60, 30, 3, 4, seed + 10);

export interface Outcome {
  startLoss: number;
  startAccuracy: number;
  endLoss: number;
  endAccuracy: number;
  start: Map<string, Tensor>;
  end: Map<string, Tensor>;
}

/** Trains the task from the fillers on the backend `make` builds; scores the test split before and after. */
export async function runStochasticTask(
  make: (setup: TrainBackendSetup) => Promise<TrainBackend>,
  round: 'nearest' | 'stochastic',
  seed: number,
  masterWeights: boolean,
): Promise<Outcome> {
  const p = prepare(logisticNet(round, seed, masterWeights));
  expect(p.setup.masterWeights === false).toBe(!masterWeights);
  const data = stochasticTaskData(seed);
  const transform = defaultTransform(data.pixelType);
  const backend = await make(p.setup);
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
  const end = await backend.getParams();
  await backend.dispose();
  return { startLoss: before.loss, startAccuracy: before.accuracy, endLoss: last.testLoss, endAccuracy: last.testAccuracy, start, end };
}

/** Every value a multiple of the LSB within fixed<2, 4>'s range. */
export const onGrid = (t: Tensor) => t.data.every((v) => Number.isInteger(v / LSB) && Math.abs(v) <= 2 - LSB);
