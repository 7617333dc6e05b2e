import type { Graph, Node } from '../../ir/graph.js';
import { isFixed } from '../../numeric/number-type.js';
import { quantizeTensor } from '../../numeric/quantize.js';
import type { Tensor } from '../../numeric/tensor.js';
import { updatedBatchNormStats } from '../../ops/batch-norm.js';
import { dataInputs, paramInputs } from '../../passes/op-info.js';
import { runBackward, runForward, type ForwardResult } from '../cpu/executor.js';
import type { DataBatch } from '../data/dataset.js';
import type { EvalResult, NonFiniteReport, StepResult, TrainBackend, TrainBackendSetup } from './backend.js';
import { CpuStatsCollector } from './cpu-stats.js';
import { emptyParamState, gradientScale, updateParameter } from './cpu-solver.js';
import type { TensorStats } from './layer-stats.js';
import { SOLVER_STATE_SLOTS, type SolverSpec } from './solver-spec.js';
import { stateKey, type SolverState } from './solver-state.js';
import { roundForStorage, roundUpdate, storedWeights, type StoredWeight } from './stored-weights.js';
import { countCorrect, type TrainNet } from './train-net.js';

/**
 * The CPU reference training backend: the CPU executor's forward and backward (src/runtime/cpu),
 * the f32 solver of cpu-solver.ts, and Caffe's batch-norm running statistics. Slow and simple,
 * it is the oracle the WebGPU backend's training steps are compared with.
 *
 * With `masterWeights: false` in the setup, the parameters with a declared fixed type are held
 * in that type (stored-weights.ts): rounded when set, and each update rounded into the type
 * after the solver. The forward is unchanged: its quantizers leave values on the grid as they are.
 */

interface TrainedParam {
  id: string;
  lrMult: number;
  decayMult: number;
}

/** A batch_norm node that normalises with batch statistics in training, so its stored statistics move. */
export interface MovingStats {
  node: Node;
  input: string;
  mean: string;
  variance: string;
  scaleFactor: string;
  fraction: number;
}

export function createCpuBackend(setup: TrainBackendSetup): TrainBackend {
  return new CpuTrainBackend(setup);
}

class CpuTrainBackend implements TrainBackend {
  readonly name = 'cpu';
  readonly device = `CPU reference (Node ${process.version})`;
  private readonly graph: Graph;
  private readonly net: TrainNet;
  private readonly spec: SolverSpec;
  private params = new Map<string, Tensor>();
  private state = new Map<string, Float64Array[]>();
  private readonly trained: TrainedParam[];
  private readonly movingStats: MovingStats[];
  private readonly stats: CpuStatsCollector;
  /** Parameters stored in their declared type (empty with master weights). */
  private readonly stored: Map<string, StoredWeight>;

  constructor(private readonly setup: TrainBackendSetup) {
    this.graph = setup.graph;
    this.net = setup.net;
    this.spec = setup.solver;
    this.trained = [...setup.plan.paramGrads.keys()].map((id) => {
      const p = this.graph.values.get(id)?.param;
      return { id, lrMult: p?.lrMult ?? 1, decayMult: p?.decayMult ?? 1 };
    });
    this.movingStats = findMovingStats(this.graph);
    this.stats = new CpuStatsCollector(this.graph);
    this.stored = setup.masterWeights === false ? storedWeights(this.graph) : new Map();
  }

  async setParams(params: ReadonlyMap<string, Tensor>): Promise<void> {
    this.params = new Map();
    for (const id of this.graph.params) {
      const t = params.get(id);
      if (!t) continue;
      const data = Float64Array.from(t.data, Math.fround);
      const stored = this.stored.get(id);
      this.params.set(id, { shape: [...t.shape], data: stored ? roundForStorage(data, stored.type) : data });
    }
    for (const p of this.trained) {
      if (!this.state.has(p.id)) this.state.set(p.id, emptyParamState(this.spec, this.params.get(p.id)?.data.length ?? 0));
    }
  }

  async getParams(): Promise<Map<string, Tensor>> {
    const out = new Map<string, Tensor>();
    for (const [id, t] of this.params) out.set(id, { shape: [...t.shape], data: Float64Array.from(t.data) });
    return out;
  }

  async getSolverState(): Promise<SolverState> {
    const tensors = new Map<string, Tensor>();
    const slots = SOLVER_STATE_SLOTS[this.spec.kind];
    for (const p of this.trained) {
      const shape = this.params.get(p.id)?.shape ?? [];
      const arrays = this.state.get(p.id) ?? emptyParamState(this.spec, shape.reduce((a, b) => a * b, 1));
      slots.forEach((slot, k) => tensors.set(stateKey(p.id, slot), { shape: [...shape], data: Float64Array.from(arrays[k]) }));
    }
    return { kind: this.spec.kind, tensors };
  }

  async setSolverState(s: SolverState): Promise<void> {
    const slots = SOLVER_STATE_SLOTS[this.spec.kind];
    for (const p of this.trained) {
      const arrays = slots.map((slot) => s.tensors.get(stateKey(p.id, slot))?.data);
      if (arrays.every((a) => a !== undefined)) this.state.set(p.id, arrays.map((a) => Float64Array.from(a)));
    }
  }

  async trainStep(batch: DataBatch, opts: { step: number; lr: number }): Promise<StepResult> {
    const forward = runForward(this.graph, this.params, this.inputsOf(batch), { training: true, seed: this.setup.seed, step: opts.step });
    const { loss, correct, counted } = this.score(forward, batch);
    if (!Number.isFinite(loss)) return { loss, correct, counted, nonFinite: firstNonFiniteLayer(this.graph, forward) };

    const grads = runBackward(this.graph, this.setup.plan, forward).paramGrads;
    for (const p of this.trained) {
      const g = grads.get(p.id);
      if (g && !allFinite(g.data)) return { loss, correct, counted, nonFinite: this.paramReport('gradient', p.id) };
    }
    const scale = gradientScale(
      this.spec,
      this.trained.map((p) => grads.get(p.id)?.data ?? new Float64Array(0)),
    );
    const updated = new Map<string, { weights: Float64Array; state: Float64Array[] }>();
    for (const p of this.trained) {
      const w = this.params.get(p.id);
      const g = grads.get(p.id);
      if (!w || !g) continue;
      const r = updateParameter(this.spec, w.data, g.data, this.state.get(p.id) ?? emptyParamState(this.spec, w.data.length), p, {
        lr: opts.lr,
        iter: opts.step,
        gradScale: scale,
      });
      // Checked before rounding into a stored type, which would saturate an infinity out of sight.
      if (!allFinite(r.weights)) return { loss, correct, counted, nonFinite: this.paramReport('update', p.id) };
      const stored = this.stored.get(p.id);
      updated.set(p.id, stored ? { weights: roundUpdate(r.weights, stored, this.setup.seed, opts.step), state: r.state } : r);
    }
    const moved = this.movedStats(forward);
    for (const [id, r] of updated) {
      const shape = this.params.get(id)?.shape ?? [];
      this.params.set(id, { shape, data: r.weights });
      this.state.set(id, r.state);
    }
    for (const [id, t] of moved) this.params.set(id, t);
    return { loss, correct, counted };
  }

  async evaluate(batch: DataBatch, opts: { collectStats: boolean; histograms?: boolean }): Promise<EvalResult> {
    const forward = runForward(this.graph, this.params, this.inputsOf(batch), { training: false, seed: this.setup.seed, step: 0 });
    if (opts.collectStats) this.stats.add(forward, batch.size, batch.valid, { histograms: opts.histograms === true });
    return this.score(forward, batch);
  }

  async takeStats(): Promise<TensorStats[]> {
    return this.stats.take(this.params);
  }

  async dispose(): Promise<void> {
    this.params.clear();
    this.state.clear();
  }

  private inputsOf(batch: DataBatch): Map<string, Tensor> {
    const shape = [batch.size, ...this.net.itemShape];
    const raw = Float64Array.from(batch.images);
    // A fixed-point image input takes the data rounded to its type (deterministically).
    const images = isFixed(this.net.imageType) ? quantizeTensor(raw, this.net.imageType) : raw;
    return new Map<string, Tensor>([
      [this.net.imageInput, { shape, data: images }],
      [this.net.labelInput, { shape: [batch.size], data: Float64Array.from(batch.labels) }],
    ]);
  }

  private score(forward: ForwardResult, batch: DataBatch): { loss: number; correct: number; counted: number } {
    let loss = 0;
    for (const id of this.net.losses) loss += forward.values.get(id)?.data[0] ?? 0;
    const acc = this.net.accuracy;
    const logits = forward.values.get(acc.logits);
    const c = logits ? countCorrect(logits.data, acc.classes, batch.labels, batch.valid, acc.ignoreLabel) : { correct: 0, counted: 0 };
    return { loss: Math.fround(loss), ...c };
  }

  private paramReport(where: 'gradient' | 'update', id: string): NonFiniteReport {
    const owner = this.graph.values.get(id)?.param?.owner ?? id;
    return { where, layer: owner, op: this.graph.nodes.find((n) => n.id === owner)?.op ?? '', value: id };
  }

  /** The batch-norm statistics after this forward pass (Caffe's moving averages), by parameter id. */
  private movedStats(forward: ForwardResult): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const m of this.movingStats) {
      const x = forward.values.get(m.input);
      const mean = this.params.get(m.mean);
      const variance = this.params.get(m.variance);
      const scaleFactor = this.params.get(m.scaleFactor);
      if (!x || !mean || !variance || !scaleFactor) continue;
      const r = updatedBatchNormStats(x, { mean, variance, scaleFactor }, m.fraction);
      out.set(m.mean, r.mean);
      out.set(m.variance, r.variance);
      out.set(m.scaleFactor, r.scaleFactor);
    }
    return out;
  }
}

function allFinite(data: Float64Array): boolean {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return false;
  return true;
}

/** The first node in graph order with a non-finite value in any of its stages (the loss node at the latest). */
export function firstNonFiniteLayer(graph: Graph, forward: ForwardResult): NonFiniteReport {
  for (const node of graph.nodes) {
    const trace = forward.traces.get(node.id);
    if (!trace) continue;
    for (const stage of trace.stages) {
      if (!allFinite(stage.output.data)) return { where: 'forward', layer: node.id, op: node.op, value: node.outputs[0] };
    }
  }
  const last = graph.nodes[graph.nodes.length - 1];
  return { where: 'forward', layer: last?.id ?? '', op: last?.op ?? '', value: last?.outputs[0] ?? '' };
}

/** The batch_norm nodes whose stored statistics move in training (shared with the WebGPU backend). */
export function findMovingStats(graph: Graph): MovingStats[] {
  const out: MovingStats[] = [];
  for (const node of graph.nodes) {
    if (node.op !== 'batch_norm' || node.attrs.use_global_stats === true) continue;
    const bySlot = new Map<string, string>();
    for (const id of paramInputs(graph, node)) {
      const slot = graph.values.get(id)?.param?.slot;
      if (slot) bySlot.set(slot, id);
    }
    const input = dataInputs(graph, node)[0];
    const mean = bySlot.get('mean');
    const variance = bySlot.get('variance');
    const scaleFactor = bySlot.get('scale_factor');
    if (input === undefined || !mean || !variance || !scaleFactor) continue;
    const maf = node.attrs.moving_average_fraction;
    out.push({ node, input, mean, variance, scaleFactor, fraction: typeof maf === 'number' ? maf : 0.999 });
  }
  return out;
}
