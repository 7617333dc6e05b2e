import type { Dataset } from '../../../src/runtime/data/dataset.js';
import { defaultTransform } from '../../../src/runtime/data/batches.js';
import { initWeights } from '../../../src/runtime/cpu/init-weights.js';
import type { TrainBackendSetup } from '../../../src/runtime/train/backend.js';
import type { Checkpoint } from '../../../src/runtime/train/checkpoint.js';
import { createCpuBackend } from '../../../src/runtime/train/cpu-backend.js';
import { buildTrainSetup, resolveSettings, type TrainSettings } from '../../../src/runtime/train/session.js';
import { runTraining, type TrainLoopOptions, type TrainOutcome } from '../../../src/runtime/train/train-loop.js';
import type { Tensor } from '../../../src/numeric/tensor.js';
import { lowerNet } from './helpers.js';

export interface Prepared {
  setup: TrainBackendSetup;
  settings: TrainSettings;
}

export function prepare(text: string, overrides: { epochs?: number; masterWeights?: boolean } = {}): Prepared {
  const graph = lowerNet(text);
  const s = resolveSettings(graph, overrides);
  if (!s.settings) throw new Error(s.diagnostics.map((d) => d.message).join('\n'));
  const built = buildTrainSetup(graph, s.settings.solver, s.settings.seed, { masterWeights: s.settings.masterWeights });
  if (!built.setup) throw new Error(built.diagnostics.map((d) => d.message).join('\n'));
  return { setup: built.setup, settings: s.settings };
}

/** Runs the loop on the CPU backend from the fillers (or a checkpoint); returns the outcome and the final parameters. */
export async function train(
  p: Prepared,
  data: Dataset,
  extra: Partial<TrainLoopOptions> & { epochs?: number; resume?: Checkpoint } = {},
): Promise<{ outcome: TrainOutcome; params: Map<string, Tensor>; solver: Map<string, Tensor> }> {
  const backend = createCpuBackend(p.setup);
  if (extra.resume) {
    await backend.setParams(extra.resume.params);
    await backend.setSolverState(extra.resume.solver);
  } else await backend.setParams(initWeights(p.setup.graph, p.settings.seed));
  const outcome = await runTraining({
    backend,
    graph: p.setup.graph,
    train: data.train,
    test: data.test,
    transform: defaultTransform(data.pixelType),
    seed: p.settings.seed,
    batch: p.setup.net.batch,
    epochs: extra.epochs ?? p.settings.epochs,
    solver: p.settings.solver,
    policy: p.settings.policy,
    checkpointEvery: 0,
    testInterval: 0,
    display: 5,
    ...extra,
  });
  return { outcome, params: await backend.getParams(), solver: (await backend.getSolverState()).tensors };
}

/** Bit-for-bit equality of two tensor maps (Object.is per element: -0 and NaN count). */
export function sameBits(a: Map<string, Tensor>, b: Map<string, Tensor>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, t] of a) {
    const u = b.get(id);
    if (!u || u.data.length !== t.data.length) return false;
    for (let i = 0; i < t.data.length; i++) if (!Object.is(t.data[i], u.data[i])) return false;
  }
  return true;
}
