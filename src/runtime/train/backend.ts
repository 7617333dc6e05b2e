import type { Graph } from '../../ir/graph.js';
import type { Tensor } from '../../numeric/tensor.js';
import type { BackwardPlan } from '../../passes/autodiff.js';
import type { DataBatch } from '../data/dataset.js';
import type { TensorStats } from './layer-stats.js';
import type { SolverSpec } from './solver-spec.js';
import type { SolverState } from './solver-state.js';
import type { TrainNet } from './train-net.js';

/**
 * What the train loop drives: one object per run that holds the parameters, the solver state and
 * whatever the device needs, and does whole training steps. The CPU reference (cpu-backend.ts)
 * implements it with the CPU executor; the WebGPU backend implements it with kernels, keeping
 * parameters, gradients and solver state on the GPU between steps. docs/training.md is the
 * contract in prose; the rules in brief:
 *
 * - Every method is async (a GPU backend waits for its queue); calls never overlap: the loop
 *   awaits each before the next.
 * - The loop owns everything that must be identical across backends and computes it on the host:
 *   the data order, the batches (already transformed to f32), the learning rate of each step
 *   (lr-policy.ts) and the step index that keys stochastic rounding and dropout. A backend only
 *   computes.
 * - Parameters cross the interface as f32 master values by parameter id (every stored parameter
 *   of the graph: trained weights and biases and the batch-norm statistics). `getParams` and
 *   `getSolverState` are called only for checkpoints and at the end; nothing else reads back
 *   whole tensors.
 * - A step that goes non-finite changes nothing (parameters, solver state and batch-norm
 *   statistics stay as before the step) and says where it went wrong; the loop stops.
 * - Layer statistics are accumulated by `evaluate` with `collectStats` on the device where the
 *   activations are, and read back (small counters) with `takeStats`.
 */
export interface TrainBackend {
  /** `cpu`, `webgpu`: as `--backend` names it. */
  readonly name: string;
  /** The device in words, for the run record (`CPU reference (node 20.12)`, the adapter's name). */
  readonly device: string;
  /**
   * Replaces every stored parameter (all of graph.params) with these f32 values; with
   * `masterWeights: false`, each parameter with a declared fixed type is rounded into it
   * (`roundForStorage` of stored-weights.ts).
   */
  setParams(params: ReadonlyMap<string, Tensor>): Promise<void>;
  /** The current parameters, f32 values, by id (graph.params order). */
  getParams(): Promise<Map<string, Tensor>>;
  getSolverState(): Promise<SolverState>;
  setSolverState(state: SolverState): Promise<void>;
  /**
   * One training step: forward in training mode (random draws keyed by the run seed and
   * `step`), backward, solver update with `lr` (with `masterWeights: false`, each stored
   * parameter's new value rounded into its type: `roundUpdate`), batch-norm running statistics.
   */
  trainStep(batch: DataBatch, opts: { step: number; lr: number }): Promise<StepResult>;
  /**
   * Forward in inference mode over a batch; counts only its `valid` rows. `histograms` (with
   * collectStats; calibration by `lpc quantize`) also fills each TensorStats.histogram.
   */
  evaluate(batch: DataBatch, opts: { collectStats: boolean; histograms?: boolean }): Promise<EvalResult>;
  /**
   * The statistics accumulated by evaluate calls since the last takeStats, activations in graph
   * order, then the parameters' (master values, saturation against their declared types); resets
   * the counters.
   */
  takeStats(): Promise<TensorStats[]>;
  /** Frees device resources. The backend is unusable afterwards. */
  dispose(): Promise<void>;
}

export interface StepResult {
  /** Sum of the net's losses on this batch (may be NaN or infinite: see nonFinite). */
  loss: number;
  /** Top-1 correct rows and rows counted (rows labelled ignore_label are not counted). */
  correct: number;
  counted: number;
  /** Set when the step went non-finite; the step was then not applied. */
  nonFinite?: NonFiniteReport;
}

export interface NonFiniteReport {
  /** Where it was seen: the forward pass (the loss is not finite), a gradient, or an updated parameter. */
  where: 'forward' | 'gradient' | 'update';
  /** The first layer (node id, graph order) whose output, or the parameter's owner, went non-finite. */
  layer: string;
  /** Its op, for the message. */
  op: string;
  /** The value: node output id, or parameter id. */
  value: string;
}

export interface EvalResult {
  /** Sum of the losses on this batch (all rows, padding included: a GPU loss does not mask rows). */
  loss: number;
  correct: number;
  counted: number;
}

/** What a backend is built from (backend-registry.ts passes it to each factory). */
export interface TrainBackendSetup {
  /** The graph after runPipeline(g, { mode: 'training' }); evaluation runs it with training off. */
  graph: Graph;
  plan: BackwardPlan;
  net: TrainNet;
  solver: SolverSpec;
  /** The run's seed: it keys stochastic rounding and dropout with the step. */
  seed: number;
  /**
   * False: no f32 master copies for parameters with a declared fixed type; they are stored in
   * that type, and every update is rounded into it (stored-weights.ts, docs/training.md "Stored
   * low-precision weights"). Absent or true: f32 master weights, the quantized copy derived in
   * each forward.
   */
  masterWeights?: boolean;
}
