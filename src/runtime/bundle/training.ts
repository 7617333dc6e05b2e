import { decodePlan, type TrainingBundle } from '../../codegen/ts/bundle-format.js';
import { BUNDLE_CODES } from '../../codegen/ts/codes.js';
import type { NetInterface } from '../../codegen/ts/net-interface.js';
import { error } from '../../diag/diagnostic.js';
import { decodeGraph, graphJsonProblem } from '../../ir/graph-json.js';
import type { Tensor } from '../../numeric/tensor.js';
import type { NonFiniteReport, TrainBackend, TrainBackendSetup } from '../train/backend.js';
import { createTrainBackend } from '../train/backend-registry.js';
import type { LpcDevice } from '../webgpu/device.js';
import type { PipelineCache } from '../webgpu/pipeline-cache.js';
import { createWebgpuTrainBackend } from '../webgpu/train/gpu-backend.js';
import { learningRate, type LrPolicy } from '../train/lr-policy.js';
import { DEFAULT_LR_POLICY, DEFAULT_SOLVER, trainingFromConfig } from '../train/solver-spec.js';
import { analyzeTrainNet } from '../train/train-net.js';
import { LpcError, lpcError } from './errors.js';
import { prepareInputs, type InputRecord } from './inputs.js';

/**
 * `trainStep` of a compiled net: the bundle carries the graph planned for training and its
 * backward plan (bundle-format.ts); the first step builds the WebGPU training backend from them
 * (src/runtime/webgpu/train/gpu-backend.ts, the backend of `lpc train --backend webgpu`) on the
 * net's own device and pipeline cache, with the solver, schedule and seed of the net's train
 * section. Another backend of src/runtime/train/backend-registry.ts can be named instead (tests
 * use `cpu`). The step count starts at 0 and keys the schedule and stochastic rounding, as in
 * `lpc train`.
 */
export interface TrainStepOptions {
  /** The learning rate of this step (default: the train section's schedule at this step). */
  lr?: number;
}

export interface TrainStepResult {
  /** The step's index (0 for the first) and the learning rate it used. */
  step: number;
  lr: number;
  /** Sum of the net's losses on the batch. */
  loss: number;
  /** Top-1 correct items and items counted. */
  correct: number;
  counted: number;
  /** Set when the step went non-finite; it was then not applied. */
  nonFinite?: NonFiniteReport;
}

/** The training backend a bundle steps with; `webgpu` unless a caller (a test) names another. */
export const BUNDLE_TRAIN_BACKEND = 'webgpu';

export class BundleTrainer {
  private stepIndex = 0;

  private constructor(
    private readonly spec: NetInterface,
    private readonly backend: TrainBackend,
    private readonly setup: TrainBackendSetup,
    private readonly policy: LrPolicy,
  ) {}

  /** Builds the backend and gives it the current weights (master values by stored parameter id). */
  static async create(
    spec: NetInterface,
    training: TrainingBundle | undefined,
    weights: ReadonlyMap<string, Tensor>,
    gpu: { device: LpcDevice; cache: PipelineCache },
    backendName = BUNDLE_TRAIN_BACKEND,
  ): Promise<BundleTrainer> {
    if (!training) throw lpcError(BUNDLE_CODES.NO_TRAINING, `${spec.net} was compiled without a training graph`, 'compile the net again with a `loss` declared in it');
    const problem = graphJsonProblem(training.graph);
    if (problem) throw lpcError(BUNDLE_CODES.BAD_BUNDLE, `the training graph of ${spec.net} cannot be read: ${problem}`, 'compile the net again');
    const graph = decodeGraph(training.graph);
    const plan = decodePlan(training.plan);
    const analyzed = analyzeTrainNet(graph);
    if (!analyzed.net) throw new LpcError(analyzed.diagnostics);
    const config = graph.train ? trainingFromConfig(graph.train) : { solver: DEFAULT_SOLVER, policy: DEFAULT_LR_POLICY, diagnostics: [] };
    if (!config.solver || !config.policy) throw new LpcError(config.diagnostics);
    const masterWeights = graph.train?.other.master_weights;
    const setup: TrainBackendSetup = { graph, plan, net: analyzed.net, solver: config.solver, seed: graph.train?.seed ?? 1 };
    if (masterWeights === false) setup.masterWeights = false;
    const made = backendName === BUNDLE_TRAIN_BACKEND ? await createWebgpuTrainBackend(setup, gpu) : await createTrainBackend(backendName, setup);
    if (!made.backend) {
      throw new LpcError([
        error(BUNDLE_CODES.NO_TRAINING, `${spec.net}.trainStep cannot run: ${made.diagnostics.map((d) => d.message).join('; ')}`, undefined, {
          hint: 'train with `lpc train` and load the weights it writes, or update lpc to a version with the WebGPU training backend',
        }),
      ]);
    }
    await made.backend.setParams(weights);
    return new BundleTrainer(spec, made.backend, setup, config.policy);
  }

  async step(batch: InputRecord, opts: TrainStepOptions): Promise<TrainStepResult> {
    const net = this.setup.net;
    const prepared = prepareInputs(this.spec, 'trainStep', batch, this.spec.inputs.map((t) => t.name), false);
    const images = prepared.tensors.get(net.imageInput);
    const labels = prepared.tensors.get(net.labelInput);
    if (!images || !labels) throw lpcError(BUNDLE_CODES.NO_TRAINING, `${this.spec.net}: the training graph's inputs do not match the net's`, 'compile the net again');
    const step = this.stepIndex;
    const lr = opts.lr ?? learningRate(this.policy, this.setup.solver.lr, step);
    const r = await this.backend.trainStep(
      { images: Float32Array.from(images.data), labels: Int32Array.from(labels.data), size: net.batch, valid: net.batch },
      { step, lr },
    );
    this.stepIndex++;
    return { step, lr, loss: r.loss, correct: r.correct, counted: r.counted, ...(r.nonFinite ? { nonFinite: r.nonFinite } : {}) };
  }

  /** Replaces the backend's weights (after loadWeights). */
  setParams(weights: ReadonlyMap<string, Tensor>): Promise<void> {
    return this.backend.setParams(weights);
  }

  /** The trained weights, master values by parameter id. */
  params(): Promise<Map<string, Tensor>> {
    return this.backend.getParams();
  }

  dispose(): Promise<void> {
    return this.backend.dispose();
  }
}
