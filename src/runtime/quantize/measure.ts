import { error, type Diagnostic } from '../../diag/diagnostic.js';
import type { Graph } from '../../ir/graph.js';
import type { Tensor } from '../../numeric/tensor.js';
import { runPipeline } from '../../passes/pipeline.js';
import { evalBatch, evalBatchCount, shuffledOrder, type InputTransform } from '../data/batches.js';
import { imageSizeOf, limitSplit, type DataSplit } from '../data/dataset.js';
import type { TrainBackend, TrainBackendSetup } from '../train/backend.js';
import { evaluateSplit, type SplitScore } from '../train/evaluate.js';
import { accumulateStats, emptyStats, type TensorStats } from '../train/layer-stats.js';
import { emptyMagnitudeHistogram } from '../train/magnitude-histogram.js';
import { DEFAULT_SOLVER } from '../train/solver-spec.js';
import { analyzeTrainNet } from '../train/train-net.js';
import { QUANTIZE_CODES } from './codes.js';

/**
 * Running nets for `lpc quantize` on any training backend: calibration (statistics with
 * magnitude histograms over training batches) and evaluation (accuracy and layer statistics on
 * the test split).
 *
 * The backend gets the graph as the training pipeline leaves it before fusion: every layer of the
 * source is then its own node, so the statistics cover each tensor a type is chosen for (a fused
 * conv + relu would report only the relu's output) and, in a quantized net, each `quantize` node
 * reports the saturation of the type it applies.
 */

export type BackendFactory = (setup: TrainBackendSetup) => Promise<{ backend?: TrainBackend; diagnostics: Diagnostic[] }>;

/** A backend setup that only evaluates: the unfused training-mode graph and no backward plan. */
export function evaluationSetup(graph: Graph, seed: number): { setup?: TrainBackendSetup; diagnostics: Diagnostic[] } {
  const planned = runPipeline(graph, { mode: 'training', stopAfter: 'accumulator' });
  if (!planned.ok) return { diagnostics: planned.diagnostics };
  const analyzed = analyzeTrainNet(planned.graph);
  if (!analyzed.net) return { diagnostics: analyzed.diagnostics };
  return {
    setup: { graph: planned.graph, plan: { seeds: [], steps: [], paramGrads: new Map(), gradients: new Map() }, net: analyzed.net, solver: DEFAULT_SOLVER, seed },
    diagnostics: planned.diagnostics,
  };
}

/** A backend for `graph` holding `weights`, ready to evaluate. */
export async function evaluationBackend(
  graph: Graph,
  weights: ReadonlyMap<string, Tensor>,
  seed: number,
  factory: BackendFactory,
): Promise<{ backend?: TrainBackend; setup?: TrainBackendSetup; diagnostics: Diagnostic[] }> {
  const built = evaluationSetup(graph, seed);
  if (!built.setup) return { diagnostics: built.diagnostics };
  const made = await factory(built.setup);
  if (!made.backend) return { diagnostics: [...built.diagnostics, ...made.diagnostics] };
  await made.backend.setParams(weights);
  return { backend: made.backend, setup: built.setup, diagnostics: [...built.diagnostics, ...made.diagnostics] };
}

export interface CalibrationOptions {
  batch: number;
  /** Batches to run (fewer when the split is smaller). */
  batches: number;
  /** Keys the order the training items are drawn in (epoch 0's shuffle of training). */
  seed: number;
  transform: InputTransform;
  /** The net's image input: its statistics are gathered here, on the host, from the batches. */
  imageInput: string;
  onBatch?: (done: number, total: number) => void;
}

export interface Calibration {
  /** The image input's statistics, then the backend's (activations in graph order, then parameters). */
  stats: TensorStats[];
  items: number;
  batches: number;
}

/**
 * Statistics with magnitude histograms over the first `batches` batches of the training split in
 * the order of training's first epoch (so a split sorted by class is still sampled evenly).
 */
export async function calibrate(backend: TrainBackend, train: DataSplit, o: CalibrationOptions): Promise<{ calibration?: Calibration; diagnostics: Diagnostic[] }> {
  if (train.count === 0) return { diagnostics: [error(QUANTIZE_CODES.EMPTY_CALIBRATION, 'the training split is empty: there is nothing to calibrate on', undefined, { hint: 'use a data set with training items' })] };
  const order = shuffledOrder(train.count, o.seed, 0);
  const shuffled: DataSplit = {
    count: train.count,
    imageShape: train.imageShape,
    readImage: (i, out, offset) => train.readImage(order[i], out, offset),
    label: (i) => train.label(order[i]),
  };
  const items = Math.min(train.count, o.batches * o.batch);
  const split = limitSplit(shuffled, items);
  const batches = evalBatchCount(items, o.batch);
  const input = emptyStats(o.imageInput, o.imageInput, 'input', 'activation', { kind: 'f32' });
  input.histogram = emptyMagnitudeHistogram();
  const itemSize = imageSizeOf(train);
  for (let b = 0; b < batches; b++) {
    const batch = evalBatch(split, b, o.batch, o.transform);
    accumulateStats(input, batch.images, 0, batch.valid * itemSize);
    await backend.evaluate(batch, { collectStats: true, histograms: true });
    o.onBatch?.(b + 1, batches);
  }
  const stats = await backend.takeStats();
  const without = stats.filter((s) => !s.histogram).map((s) => s.tensor);
  if (without.length > 0) {
    return {
      diagnostics: [
        error(QUANTIZE_CODES.NO_HISTOGRAMS, `the ${backend.name} backend returned no magnitude histograms (for ${without.slice(0, 3).join(', ')}${without.length > 3 ? ', ...' : ''})`, undefined, {
          hint: 'calibration needs TensorStats.histogram (docs/training.md, "Calibration histograms"); use --backend cpu until this backend fills it',
        }),
      ],
    };
  }
  return { calibration: { stats: [input, ...stats], items, batches }, diagnostics: [] };
}

export interface Measurement {
  score: SplitScore;
  stats: TensorStats[];
}

/** Accuracy and layer statistics over a whole split. */
export async function measure(
  backend: TrainBackend,
  split: DataSplit,
  batch: number,
  transform: InputTransform,
  onBatch?: (done: number, total: number) => void,
): Promise<Measurement> {
  const score = await evaluateSplit(backend, split, batch, transform, { collectStats: true, onBatch });
  return { score, stats: await backend.takeStats() };
}
