import { warning } from '../../diag/diagnostic.js';
import type { Graph } from '../../ir/graph.js';
import type { Tensor } from '../../numeric/tensor.js';
import { stepsPerEpoch } from '../../runtime/data/batches.js';
import { QUANTIZE_CODES } from '../../runtime/quantize/codes.js';
import type { BackendFactory } from '../../runtime/quantize/measure.js';
import type { SplitScore } from '../../runtime/train/evaluate.js';
import { buildTrainSetup, resolveSettings } from '../../runtime/train/session.js';
import { runTraining } from '../../runtime/train/train-loop.js';
import type { CliIO } from '../io.js';
import { printDiagnostics } from '../run/load-net.js';
import type { CommonQuantizeOptions } from './options.js';
import type { PreparedQuantize } from './prepare.js';

/**
 * The sweep's optional short fine-tune of a quantized net: `steps` training steps through the
 * ordinary training loop (the train section's optimizer and schedule, straight-through gradients
 * and stochastic rounding as the net's types say), starting from the float weights, then the
 * test accuracy. No run folder, no checkpoints: `lpc train --weights q.lpw` is the full version.
 */
export async function finetune(
  graph: Graph,
  weights: ReadonlyMap<string, Tensor>,
  steps: number,
  label: string,
  p: PreparedQuantize,
  o: CommonQuantizeOptions,
  factory: BackendFactory,
  io: CliIO,
): Promise<SplitScore | undefined> {
  const data = p.data;
  if (!data) return undefined;
  const skip = (why: string) => {
    printDiagnostics(p.reporter, [warning(QUANTIZE_CODES.FINETUNE_FAILED, `fine-tuning ${label}: ${why}`, undefined, { hint: 'the point is reported without fine-tuning' })]);
    return undefined;
  };
  // Settings only: a missing train section is fine here (the defaults are used, as lpc train does).
  const resolved = resolveSettings(graph, { seed: o.seed });
  if (!resolved.settings) return skip(resolved.diagnostics.map((d) => d.message).join('; '));
  const settings = resolved.settings;
  const built = buildTrainSetup(graph, settings.solver, o.seed);
  if (!built.setup) return skip(built.diagnostics.map((d) => d.message).join('; '));
  const perEpoch = stepsPerEpoch(data.train.count, built.setup.net.batch);
  if (perEpoch === 0) return skip(`the training split (${data.train.count} items) is smaller than one batch`);
  const made = await factory(built.setup);
  if (!made.backend) return skip(made.diagnostics.map((d) => d.message).join('; '));
  const backend = made.backend;
  try {
    await backend.setParams(weights);
    const outcome = await runTraining({
      backend,
      graph: built.setup.graph,
      train: data.train,
      test: data.test,
      transform: p.transform,
      seed: o.seed,
      batch: built.setup.net.batch,
      epochs: Math.ceil(steps / perEpoch),
      maxSteps: steps,
      solver: settings.solver,
      policy: settings.policy,
      checkpointEvery: 0,
      testInterval: 0,
      display: steps,
    });
    if (outcome.status !== 'finished' || !outcome.lastTest) return skip(outcome.diagnostics.map((d) => d.message).join('; ') || `the run ${outcome.status}`);
    io.err(`fine-tuned ${label} for ${outcome.state.step} steps: test accuracy ${(100 * outcome.lastTest.accuracy).toFixed(2)}%`);
    return outcome.lastTest;
  } finally {
    await backend.dispose();
  }
}
