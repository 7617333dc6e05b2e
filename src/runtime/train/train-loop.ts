import { performance } from 'node:perf_hooks';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import type { Graph } from '../../ir/graph.js';
import { shuffledOrder, stepsPerEpoch, trainBatch, type InputTransform } from '../data/batches.js';
import type { DataSplit } from '../data/dataset.js';
import type { NonFiniteReport, StepResult, TrainBackend } from './backend.js';
import { initialLoopState, writeCheckpoint, type Checkpoint, type EpochRecord, type LoopState } from './checkpoint.js';
import { TRAIN_CODES } from './codes.js';
import { evaluateSplit, type SplitScore } from './evaluate.js';
import type { TensorStats } from './layer-stats.js';
import { learningRate, type LrPolicy } from './lr-policy.js';
import type { MetricsLog } from './metrics-log.js';
import type { SolverSpec } from './solver-spec.js';

/**
 * The training loop, backend-agnostic: epochs of shuffled batches, the lr policy, a test
 * evaluation after every epoch (and every `testInterval` steps), checkpoints every
 * `checkpointEvery` steps and after every epoch, divergence detection, and the layer statistics
 * of the final evaluation. Everything that decides the numbers (the data order, the batches, the
 * rate and the step index) is computed here, so a backend only computes, and a resumed run
 * continues exactly where its checkpoint left off.
 */

export interface TrainLoopOptions {
  backend: TrainBackend;
  graph: Graph;
  train: DataSplit;
  test: DataSplit;
  transform: InputTransform;
  seed: number;
  batch: number;
  epochs: number;
  /** Stop after this many steps in all (the train section's `iterations`), even inside an epoch. */
  maxSteps?: number;
  solver: SolverSpec;
  policy: LrPolicy;
  /** The run folder for checkpoints; none: no checkpoints (a test or a dry run). */
  runDir?: string;
  /** Steps between checkpoints (0: only after each epoch). */
  checkpointEvery: number;
  /** Steps between extra test evaluations (0: only after each epoch). */
  testInterval: number;
  /** Steps between metrics log lines. */
  display: number;
  metrics?: MetricsLog;
  /** The checkpoint to continue from (its parameters and solver state already given to the backend). */
  resume?: Checkpoint;
  observer?: TrainObserver;
  /** Asked after every step; true ends the run after a checkpoint (Ctrl-C in the CLI). */
  shouldStop?: () => boolean;
}

export interface StepProgress {
  /** Steps done, of totalSteps. */
  step: number;
  totalSteps: number;
  /** The epoch in progress, from 1. */
  epoch: number;
  epochs: number;
  stepInEpoch: number;
  stepsPerEpoch: number;
  /** Means over the window: the epoch so far for onStep, the steps since the last line for onLog. */
  loss: number;
  accuracy: number;
  lr: number;
  imagesPerSecond: number;
  /** Seconds to the end at this session's speed. */
  etaSeconds: number;
}

export interface TrainObserver {
  onStart?(info: { startStep: number; totalSteps: number; stepsPerEpoch: number; epochs: number }): void;
  onStep?(p: StepProgress): void;
  onLog?(p: StepProgress): void;
  onEvaluate?(what: 'test' | 'stats', done: number, total: number): void;
  onTest?(t: { step: number; epoch: number; score: SplitScore }): void;
  onEpoch?(e: EpochRecord): void;
  onCheckpoint?(c: { step: number; dir: string }): void;
}

export interface TrainOutcome {
  status: 'finished' | 'stopped' | 'diverged' | 'failed';
  state: LoopState;
  /** Layer statistics of the final test evaluation (finished runs). */
  stats?: TensorStats[];
  /** The last test evaluation of this session. */
  lastTest?: SplitScore;
  /** Step of the last checkpoint written or resumed from (undefined: none). */
  lastCheckpoint?: number;
  diagnostics: Diagnostic[];
}

export async function runTraining(o: TrainLoopOptions): Promise<TrainOutcome> {
  const state: LoopState = o.resume ? structuredClone(o.resume.state) : initialLoopState();
  const perEpoch = stepsPerEpoch(o.train.count, o.batch);
  const totalSteps = Math.min(o.epochs * perEpoch, o.maxSteps ?? Infinity);
  let lastCheckpoint = o.resume ? state.step : undefined;
  let lastTest: SplitScore | undefined;
  let stats: TensorStats[] | undefined;
  const outcome = (status: TrainOutcome['status'], diagnostics: Diagnostic[] = []): TrainOutcome => ({ status, state, stats, lastTest, lastCheckpoint, diagnostics });

  o.metrics?.append({ type: 'start', step: state.step, resumed: o.resume !== undefined });
  o.observer?.onStart?.({ startStep: state.step, totalSteps, stepsPerEpoch: perEpoch, epochs: o.epochs });

  const sessionStart = performance.now();
  const secondsBefore = state.seconds;
  const stepsBefore = state.step;
  let window = { loss: 0, correct: 0, counted: 0, steps: 0, since: performance.now() };
  let order: Uint32Array | undefined;
  let orderEpoch = -1;

  const checkpoint = async (): Promise<Diagnostic[]> => {
    if (!o.runDir || lastCheckpoint === state.step) return [];
    state.seconds = secondsBefore + (performance.now() - sessionStart) / 1000;
    const params = await o.backend.getParams();
    const solver = await o.backend.getSolverState();
    const r = writeCheckpoint(o.runDir, o.graph, { state, params, solver, metricsBytes: o.metrics?.size() ?? 0 });
    if (r.dir) {
      lastCheckpoint = state.step;
      o.observer?.onCheckpoint?.({ step: state.step, dir: r.dir });
    }
    return r.diagnostics;
  };
  const test = async (collectStats: boolean): Promise<SplitScore> => {
    const what = collectStats ? 'stats' : 'test';
    const score = await evaluateSplit(o.backend, o.test, o.batch, o.transform, {
      collectStats,
      onBatch: (done, total) => o.observer?.onEvaluate?.(what, done, total),
    });
    lastTest = score;
    return score;
  };

  while (state.step < totalSteps) {
    if (orderEpoch !== state.epoch) {
      order = shuffledOrder(o.train.count, o.seed, state.epoch);
      orderEpoch = state.epoch;
    }
    const lr = learningRate(o.policy, o.solver.lr, state.step);
    const r = await o.backend.trainStep(trainBatch(o.train, order as Uint32Array, state.stepInEpoch, o.batch, o.transform), { step: state.step, lr });
    if (r.nonFinite || !Number.isFinite(r.loss)) {
      const report = r.nonFinite ?? { where: 'forward', layer: '?', op: '', value: '?' };
      o.metrics?.append({ type: 'diverged', step: state.step + 1, epoch: state.epoch + 1, loss: r.loss, ...report });
      return outcome('diverged', [divergence(o, state, r, report, lr, lastCheckpoint)]);
    }
    state.step++;
    state.stepInEpoch++;
    state.epochLoss += r.loss;
    state.epochCorrect += r.correct;
    state.epochCounted += r.counted;
    window.loss += r.loss;
    window.correct += r.correct;
    window.counted += r.counted;
    window.steps++;

    const elapsed = (performance.now() - sessionStart) / 1000;
    const speed = ((state.step - stepsBefore) * o.batch) / Math.max(elapsed, 1e-9);
    const progress = (loss: number, correct: number, counted: number, steps: number, ips: number): StepProgress => ({
      step: state.step,
      totalSteps,
      epoch: state.epoch + 1,
      epochs: Math.ceil(totalSteps / perEpoch),
      stepInEpoch: state.stepInEpoch,
      stepsPerEpoch: perEpoch,
      loss: loss / Math.max(steps, 1),
      accuracy: counted === 0 ? 0 : correct / counted,
      lr,
      imagesPerSecond: ips,
      etaSeconds: ((totalSteps - state.step) * o.batch) / Math.max(speed, 1e-9),
    });
    o.observer?.onStep?.(progress(state.epochLoss, state.epochCorrect, state.epochCounted, state.stepInEpoch, speed));
    if (state.step % o.display === 0 || state.step === totalSteps) {
      const ips = (window.steps * o.batch) / Math.max((performance.now() - window.since) / 1000, 1e-9);
      const p = progress(window.loss, window.correct, window.counted, window.steps, ips);
      o.metrics?.append({ type: 'step', step: p.step, epoch: p.epoch, loss: p.loss, accuracy: p.accuracy, lr, imagesPerSecond: ips });
      o.observer?.onLog?.(p);
      window = { loss: 0, correct: 0, counted: 0, steps: 0, since: performance.now() };
    }

    const epochDone = state.stepInEpoch === perEpoch;
    const runDone = state.step === totalSteps;
    if (epochDone) {
      const isLast = runDone;
      const score = await test(isLast);
      if (isLast) stats = await o.backend.takeStats();
      const record: EpochRecord = {
        epoch: state.epoch + 1,
        step: state.step,
        trainLoss: state.epochLoss / perEpoch,
        trainAccuracy: state.epochCounted === 0 ? 0 : state.epochCorrect / state.epochCounted,
        testLoss: score.loss,
        testAccuracy: score.accuracy,
        seconds: secondsBefore + (performance.now() - sessionStart) / 1000,
      };
      state.history.push(record);
      state.epoch++;
      state.stepInEpoch = 0;
      state.epochLoss = 0;
      state.epochCorrect = 0;
      state.epochCounted = 0;
      o.metrics?.append({ type: 'epoch', ...record });
      o.observer?.onEpoch?.(record);
    } else if (o.testInterval > 0 && state.step % o.testInterval === 0) {
      const score = await test(false);
      o.metrics?.append({ type: 'test', step: state.step, epoch: state.epoch + 1, loss: score.loss, accuracy: score.accuracy, count: score.counted });
      o.observer?.onTest?.({ step: state.step, epoch: state.epoch + 1, score });
    }
    if (epochDone || runDone || (o.checkpointEvery > 0 && state.step % o.checkpointEvery === 0)) {
      const d = await checkpoint();
      if (d.length > 0) return outcome('failed', d);
    }
    // A CPU step never waits, so without this the whole run would be one turn of the event loop:
    // no signal (Ctrl-C) would be handled and no timer (the progress bar's redraw) would fire.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!runDone && o.shouldStop?.()) {
      const d = await checkpoint();
      return outcome(d.length > 0 ? 'failed' : 'stopped', d);
    }
  }

  // A run resumed after its end, or one that stopped inside an epoch: evaluate for the statistics.
  if (!stats) {
    await test(true);
    stats = await o.backend.takeStats();
  }
  state.seconds = secondsBefore + (performance.now() - sessionStart) / 1000;
  return outcome('finished');
}

function divergence(o: TrainLoopOptions, state: LoopState, r: StepResult, report: NonFiniteReport, lr: number, lastCheckpoint: number | undefined): Diagnostic {
  const at = `step ${state.step + 1} (epoch ${state.epoch + 1})`;
  const layer = `'${report.layer}'${report.op ? ` (${report.op})` : ''}`;
  const what =
    report.where === 'forward'
      ? `the loss is ${String(r.loss)}; the first layer whose output is not finite is ${layer}`
      : report.where === 'gradient'
        ? `the loss is ${String(r.loss)} but the gradient of '${report.value}' in layer ${layer} is not finite`
        : `the update of '${report.value}' in layer ${layer} made it non-finite`;
  const kept =
    lastCheckpoint === undefined
      ? 'no checkpoint had been written yet'
      : o.runDir
        ? `the last good checkpoint (after step ${lastCheckpoint}) is kept in ${o.runDir}; continue from it with --resume ${o.runDir} once the settings are changed`
        : `the last good state is after step ${lastCheckpoint}`;
  return error(TRAIN_CODES.DIVERGED, `training diverged at ${at}: ${what}`, undefined, {
    notes: [{ message: `the learning rate at that step was ${lr}` }, { message: kept }],
    hint: 'lower the learning rate, add `clip_gradients: 10` to the optimizer, or widen the fixed-point types that saturate (see `lpc eval` statistics)',
  });
}
