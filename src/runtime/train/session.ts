import { warning, type Diagnostic } from '../../diag/diagnostic.js';
import type { Graph } from '../../ir/graph.js';
import type { BackwardPlan } from '../../passes/autodiff.js';
import { runPipeline } from '../../passes/pipeline.js';
import type { TrainBackendSetup } from './backend.js';
import { TRAIN_CODES } from './codes.js';
import { describeLrPolicy, type LrPolicy } from './lr-policy.js';
import { DEFAULT_LR_POLICY, DEFAULT_SOLVER, describeSolver, trainingFromConfig, type SolverSpec } from './solver-spec.js';
import { analyzeTrainNet } from './train-net.js';

/**
 * From a lowered net to what a run needs: its settings (the train section, command-line
 * overrides, defaults) and the backend setup (the training pipeline, the backward plan, the net's
 * inputs and losses). Shared by `lpc train`, `lpc eval` and tests.
 */

export interface TrainSettings {
  solver: SolverSpec;
  policy: LrPolicy;
  seed: number;
  /** The batch the train section asks for (undefined: the net's own). */
  batch?: number;
  epochs: number;
  /** `iterations` of the train section: a cap on steps. */
  maxSteps?: number;
  /** Steps between metrics lines (`display`). */
  display: number;
  /** Steps between extra test evaluations (`test_interval`; 0: per epoch only). */
  testInterval: number;
  /**
   * `master_weights` of the train section (`--master-weights` / `--no-master-weights`): false
   * stores every parameter with a declared fixed type in that type (docs/training.md, "Stored
   * low-precision weights").
   */
  masterWeights: boolean;
}

export const DEFAULT_EPOCHS = 10;
export const DEFAULT_SEED = 1;
export const DEFAULT_DISPLAY = 20;
/** Training keeps f32 master weights unless the train section or the command line says otherwise. */
export const DEFAULT_MASTER_WEIGHTS = true;

/** The run's settings: command-line values over the train section over defaults. */
export function resolveSettings(
  graph: Graph,
  overrides: { epochs?: number; seed?: number; batch?: number; masterWeights?: boolean },
): { settings?: TrainSettings; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const config = graph.train;
  let solver = DEFAULT_SOLVER;
  let policy = DEFAULT_LR_POLICY;
  if (config) {
    const r = trainingFromConfig(config);
    diagnostics.push(...r.diagnostics);
    if (!r.solver || !r.policy) return { diagnostics };
    solver = r.solver;
    policy = r.policy;
  } else {
    diagnostics.push(
      warning(TRAIN_CODES.NO_TRAIN_SECTION, `net '${graph.name}' has no train section; training with ${describeSolver(solver)}, schedule ${describeLrPolicy(policy)}`, undefined, {
        hint: `add \`train ${graph.name} { optimizer sgd(lr: 0.01, momentum: 0.9); epochs 10 }\` to choose the settings`,
      }),
    );
  }
  const other = config?.other ?? {};
  const int = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
  const iterations = int(other.iterations);
  const settings: TrainSettings = {
    solver,
    policy,
    seed: overrides.seed ?? config?.seed ?? DEFAULT_SEED,
    batch: overrides.batch ?? config?.batch,
    epochs: overrides.epochs ?? config?.epochs ?? (iterations !== undefined ? Number.MAX_SAFE_INTEGER : DEFAULT_EPOCHS),
    display: int(other.display) ?? DEFAULT_DISPLAY,
    testInterval: int(other.test_interval) ?? 0,
    masterWeights: overrides.masterWeights ?? (typeof other.master_weights === 'boolean' ? other.master_weights : DEFAULT_MASTER_WEIGHTS),
  };
  if (iterations !== undefined) settings.maxSteps = iterations;
  return { settings, diagnostics };
}

/**
 * The training graph and what a backend is built from. The pipeline runs in training mode
 * (quantizers made explicit and fused, no batch-norm folding, a backward plan); evaluation runs
 * the same graph with training off, so parameters keep their ids throughout. A net evaluated
 * only (`forTraining` false, default true) may lack a loss: it then gets the same graph and an
 * empty plan. `masterWeights` (default true) goes to the setup unchanged.
 */
export function buildTrainSetup(
  graph: Graph,
  solver: SolverSpec,
  seed: number,
  opts: { forTraining?: boolean; masterWeights?: boolean } = {},
): { setup?: TrainBackendSetup; diagnostics: Diagnostic[] } {
  const analyzed = analyzeTrainNet(graph);
  if (!analyzed.net) return { diagnostics: analyzed.diagnostics };
  const withoutPlan = opts.forTraining === false && graph.losses.length === 0;
  const planned = runPipeline(graph, withoutPlan ? { mode: 'training', stopAfter: 'fusion' } : { mode: 'training' });
  const plan: BackwardPlan | undefined = withoutPlan ? { seeds: [], steps: [], paramGrads: new Map(), gradients: new Map() } : planned.backward;
  if (!planned.ok || !plan) return { diagnostics: planned.diagnostics };
  const net = analyzeTrainNet(planned.graph).net ?? analyzed.net;
  const setup: TrainBackendSetup = { graph: planned.graph, plan, net, solver, seed };
  if (opts.masterWeights === false) setup.masterWeights = false;
  return { setup, diagnostics: planned.diagnostics };
}

/** The trained parameters of a setup (those with a gradient) and their shapes: what solver state covers. */
export function trainedParams(setup: TrainBackendSetup): { id: string; shape: number[] }[] {
  return [...setup.plan.paramGrads.keys()].map((id) => ({ id, shape: [...(setup.graph.values.get(id)?.type.shape ?? [])] }));
}
