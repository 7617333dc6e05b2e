import { DiagnosticError, type Diagnostic } from '../../../diag/diagnostic.js';
import type { Tensor } from '../../../numeric/tensor.js';
import type { DataBatch } from '../../data/dataset.js';
import type { EvalResult, NonFiniteReport, StepResult, TrainBackend, TrainBackendSetup } from '../../train/backend.js';
import { adamCorrection } from '../../train/cpu-solver.js';
import { mergeStats, type TensorStats } from '../../train/layer-stats.js';
import { MAGNITUDE_EDGES } from '../../train/magnitude-histogram.js';
import { SOLVER_STATE_SLOTS } from '../../train/solver-spec.js';
import { stateKey, type SolverState } from '../../train/solver-state.js';
import { roundForStorage, storedWeights } from '../../train/stored-weights.js';
import { countCorrect } from '../../train/train-net.js';
import { tryAcquireDevice, type LpcDevice } from '../device.js';
import { withErrorScope } from '../error-scope.js';
import { prepareDispatches, type PreparedDispatches } from '../net-dispatches.js';
import { inputWords } from '../net-host-data.js';
import { allocateNetTensors, writeTensorWords, type DeviceTensor, type NetTensors } from '../net-tensors.js';
import { PipelineCache } from '../pipeline-cache.js';
import { defaultWaitEstimator, type WaitEstimator } from '../wait.js';
import { packUniforms } from '../../../codegen/wgsl/lib/uniforms.js';
import type { DispatchSet } from './dispatch-set.js';
import { CONTROL_LOSS, CONTROL_OK, CONTROL_PARAMS, FLAG_GRADIENT, FLAG_UPDATE } from './kernels/control.js';
import { emptyStatsBlock, STATS_WORDS } from './kernels/tensor-stats.js';
import { f32At, Submission, u32At } from './recorder.js';
import { countedElements, statsFromBlock } from './stats-readback.js';
import type { StatsTarget } from './stats-program.js';
import { planTrainProgram, programWith, type TrainProgram } from './train-program.js';

/**
 * The WebGPU training backend (TrainBackend, docs/training.md): parameters, gradients, solver state
 * and batch-norm statistics live on the GPU for the whole run; the host writes each step's batch
 * and rates and reads back only the losses, the logits (accuracy is counted on the host with
 * countCorrect, as the contract allows), the control block and, when asked, the statistics
 * counters. One training step is one command buffer (train-program.ts lists what it records) and
 * one wait; whether the step is applied is decided on the GPU (kernels/control.ts), so a step whose
 * loss, gradients or updated parameters go non-finite changes nothing. Only then does the host
 * look further: a non-finite loss replays the forward with a non-finite flag per node to name the
 * first layer whose output went non-finite.
 */
export interface WebgpuTrainOptions {
  /** A device to use (the backend then does not destroy it); default: acquire one. */
  device?: LpcDevice;
  cache?: PipelineCache;
  estimator?: WaitEstimator;
}

export async function createWebgpuTrainBackend(setup: TrainBackendSetup, opts: WebgpuTrainOptions = {}): Promise<{ backend?: TrainBackend; diagnostics: Diagnostic[] }> {
  let device = opts.device;
  if (!device) {
    const got = await tryAcquireDevice({ label: 'lpc train' });
    if (!got.ok) return { diagnostics: got.diagnostics };
    device = got.device;
  }
  const owned = opts.device === undefined;
  try {
    const planned = planTrainProgram(setup, device.wgsl);
    if (!planned.program) {
      if (owned) device.destroy();
      return { diagnostics: planned.diagnostics };
    }
    const backend = await WebgpuTrainBackend.create(device, owned, planned.program, setup, opts);
    return { backend, diagnostics: planned.diagnostics };
  } catch (e) {
    if (owned) device.destroy();
    if (e instanceof DiagnosticError) return { diagnostics: e.diagnostics };
    throw e;
  }
}

type Prepared = PreparedDispatches & { set: DispatchSet };

class WebgpuTrainBackend implements TrainBackend {
  readonly name = 'webgpu';
  readonly device: string;
  private readonly prepared = new Map<DispatchSet, Prepared>();
  private readonly activation = new Map<string, TensorStats>();
  private histograms = false;
  private statsCount = -1;
  private disposed = false;

  private constructor(
    private readonly gpu: LpcDevice,
    private readonly owned: boolean,
    private readonly program: TrainProgram,
    private readonly tensors: NetTensors,
    private readonly setup: TrainBackendSetup,
    private readonly cache: PipelineCache,
    private readonly estimator: WaitEstimator,
  ) {
    const a = gpu.capabilities.adapter;
    this.device = `WebGPU: ${(a.description || a.device || a.vendor || 'adapter').trim()}${gpu.capabilities.isCpuAdapter ? ' (CPU implementation)' : ''}`;
  }

  static async create(gpu: LpcDevice, owned: boolean, program: TrainProgram, setup: TrainBackendSetup, opts: WebgpuTrainOptions): Promise<WebgpuTrainBackend> {
    const tensors = await allocateNetTensors(gpu.device, program.base);
    const b = new WebgpuTrainBackend(gpu, owned, program, tensors, setup, opts.cache ?? new PipelineCache(gpu.device), opts.estimator ?? defaultWaitEstimator);
    try {
      await withErrorScope(gpu.device, `the training tensors of net ${program.base.net}`, () => {
        for (const id of program.seeds) b.write(id, new Float32Array(b.tensor(id).tensor.elements).fill(1));
        b.write(program.stats.edges, Float32Array.from(MAGNITUDE_EDGES));
      });
      await b.prepare(program.step);
    } catch (e) {
      b.release();
      throw e;
    }
    return b;
  }

  async setParams(params: ReadonlyMap<string, Tensor>): Promise<void> {
    const stored = this.setup.masterWeights === false ? storedWeights(this.setup.graph) : new Map();
    await withErrorScope(this.gpu.device, 'uploading parameters', () => {
      for (const id of this.setup.graph.params) {
        const t = params.get(id);
        if (!t) continue;
        const data = Float64Array.from(t.data, Math.fround);
        const s = stored.get(id);
        this.write(id, Float32Array.from(s ? roundForStorage(data, s.type) : data));
      }
    });
  }

  async getParams(): Promise<Map<string, Tensor>> {
    return this.readTensors(this.setup.graph.params);
  }

  async getSolverState(): Promise<SolverState> {
    const ids = this.program.trained.flatMap((p) => p.state);
    const read = await this.readTensors(ids);
    return { kind: this.setup.solver.kind, tensors: read };
  }

  async setSolverState(state: SolverState): Promise<void> {
    const slots = SOLVER_STATE_SLOTS[this.setup.solver.kind];
    await withErrorScope(this.gpu.device, 'uploading the solver state', () => {
      for (const p of this.program.trained) {
        const arrays = slots.map((slot) => state.tensors.get(stateKey(p.id, slot))?.data);
        if (!arrays.every((a) => a !== undefined)) continue;
        p.state.forEach((id, k) => this.write(id, Float32Array.from(arrays[k]!)));
      }
    });
  }

  async trainStep(batch: DataBatch, opts: { step: number; lr: number }): Promise<StepResult> {
    const p = this.program;
    const step = await this.prepare(p.step);
    this.writeInputs(batch);
    this.write(p.ids.rates, this.rates(opts.lr, opts.step));
    step.setRngKeys(this.setup.seed, opts.step);
    const control = this.tensor(p.ids.control);
    const logits = this.tensor(this.setup.net.accuracy.logits);
    const losses = this.setup.net.losses.map((id) => this.tensor(id));
    const sub = new Submission(this.gpu, `training step ${opts.step}`, [logits, ...losses, control].reduce((a, t) => a + Submission.bytes(t), 0));
    sub.encoder.clearBuffer(control.ranges[0].buffer, control.ranges[0].offset, control.ranges[0].size);
    const at = sub.dispatch(step, this.marks(p.step, logits));
    const lossAt = losses.map((t) => sub.copy(t));
    const controlAt = sub.copy(control);
    const bytes = await sub.run(this.waitKey(step, `train:${p.base.net}`), this.estimator);

    const loss = Math.fround(lossAt.reduce((a, off) => a + f32At(bytes, off, 1)[0], 0));
    const acc = this.setup.net.accuracy;
    const scored = countCorrect(f32At(bytes, at.get(logits)!, batch.size * acc.classes), acc.classes, batch.labels, batch.valid, acc.ignoreLabel);
    const words = u32At(bytes, controlAt, p.controlWords);
    if (words[CONTROL_OK] === 1 && Number.isFinite(loss)) return { loss, ...scored };
    return { loss, ...scored, nonFinite: await this.nonFinite(words, batch, opts.step, loss) };
  }

  async evaluate(batch: DataBatch, opts: { collectStats: boolean; histograms?: boolean }): Promise<EvalResult> {
    const p = this.program;
    const histograms = opts.collectStats && opts.histograms === true;
    const set = opts.collectStats ? p.evalStats[histograms ? 1 : 0] : p.eval;
    const prepared = await this.prepare(set);
    this.writeInputs(batch);
    const logits = this.tensor(this.setup.net.accuracy.logits);
    const losses = this.setup.net.losses.map((id) => this.tensor(id));
    const stats = this.tensor(p.stats.stats);
    const statWords = p.stats.activations.length * STATS_WORDS;
    if (opts.collectStats) {
      this.setStatsCounts(prepared, batch.valid);
      this.write(p.stats.stats, this.emptyBlocks(p.stats.activations.length));
    }
    const capacity = [logits, ...losses].reduce((a, t) => a + Submission.bytes(t), 0) + (opts.collectStats ? Submission.bytes(stats, statWords) : 0);
    const sub = new Submission(this.gpu, 'evaluation', capacity);
    const at = sub.dispatch(prepared, this.marks(set, logits));
    const lossAt = losses.map((t) => sub.copy(t));
    const statsAt = opts.collectStats && statWords > 0 ? sub.copy(stats, statWords) : undefined;
    const bytes = await sub.run(this.waitKey(prepared, `eval:${p.base.net}:${opts.collectStats ? 'stats' : 'plain'}`), this.estimator);

    const loss = Math.fround(lossAt.reduce((a, off) => a + f32At(bytes, off, 1)[0], 0));
    const acc = this.setup.net.accuracy;
    const scored = countCorrect(f32At(bytes, at.get(logits)!, batch.size * acc.classes), acc.classes, batch.labels, batch.valid, acc.ignoreLabel);
    if (statsAt !== undefined) {
      if (histograms) this.histograms = true;
      const all = u32At(bytes, statsAt, statWords);
      for (const t of p.stats.activations) {
        const s = statsFromBlock(t, all.subarray(t.block, t.block + STATS_WORDS), countedElements(t, batch.valid), histograms);
        const prior = this.activation.get(t.layer);
        if (!prior) this.activation.set(t.layer, s);
        else {
          if (s.histogram && !prior.histogram) prior.histogram = new Array<number>(s.histogram.length).fill(0);
          mergeStats(prior, s);
        }
      }
    }
    return { loss, ...scored };
  }

  async takeStats(): Promise<TensorStats[]> {
    const p = this.program;
    const histograms = this.histograms;
    const out: TensorStats[] = [];
    for (const t of p.stats.activations) {
      const s = this.activation.get(t.layer);
      if (s) out.push(s);
    }
    this.activation.clear();
    this.histograms = false;
    if (p.stats.params.length > 0) {
      const prepared = await this.prepare(p.paramStats[histograms ? 1 : 0]);
      const stats = this.tensor(p.stats.stats);
      const first = p.stats.params[0].block;
      const words = p.stats.params.length * STATS_WORDS;
      const init = new Uint32Array(p.stats.words);
      init.set(this.emptyBlocks(p.stats.params.length), first);
      this.write(p.stats.stats, init);
      const sub = new Submission(this.gpu, 'parameter statistics', Submission.bytes(stats));
      sub.dispatch(prepared);
      const at = sub.copy(stats);
      const bytes = await sub.run(`param-stats:${p.base.net}`, this.estimator);
      const all = u32At(bytes, at, first + words);
      for (const t of p.stats.params) out.push(statsFromBlock(t, all.subarray(t.block, t.block + STATS_WORDS), t.elements, histograms));
    }
    return out;
  }

  async dispose(): Promise<void> {
    this.release();
  }

  private release(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const p of this.prepared.values()) p.destroy();
    this.prepared.clear();
    this.tensors.destroy();
    if (this.owned) this.gpu.destroy();
  }

  /**
   * The wait strategy's workload key of a run of a set. Lavapipe compiles a pipeline when it is
   * first dispatched, so a set's first run is much slower than the next: it gets a key of its own,
   * and the steady-state estimate is not learned from it.
   */
  private waitKey(set: Prepared, key: string): string {
    if (this.warm.has(set)) return key;
    this.warm.add(set);
    return `${key}:first`;
  }
  private readonly warm = new Set<Prepared>();

  /** Compiles and binds a dispatch set on first use (statistics and diagnosis only when needed). */
  private async prepare(set: DispatchSet): Promise<Prepared> {
    let p = this.prepared.get(set);
    if (!p) {
      p = { ...(await prepareDispatches(this.gpu.device, programWith(this.program, set), this.tensors, this.cache)), set };
      this.prepared.set(set, p);
    }
    return p;
  }

  private tensor(id: string): DeviceTensor {
    const t = this.tensors.tensors.get(id);
    if (!t) throw new Error(`internal: the training program has no tensor '${id}'`);
    return t;
  }

  private write(id: string, data: Float32Array | Uint32Array | Int32Array): void {
    writeTensorWords(this.gpu.device, this.tensor(id), new Uint32Array(data.buffer, data.byteOffset, data.length));
  }

  /** The batch as the net's inputs store it (a fixed-point image input rounded with its deterministic rule). */
  private writeInputs(batch: DataBatch): void {
    const net = this.setup.net;
    const inputs = new Map<string, Tensor>([
      [net.imageInput, { shape: [batch.size, ...net.itemShape], data: Float64Array.from(batch.images) }],
      [net.labelInput, { shape: [batch.size], data: Float64Array.from(batch.labels) }],
    ]);
    const host = inputWords(this.program.base, inputs);
    if (host.diagnostics.length > 0) throw new DiagnosticError(host.diagnostics);
    for (const [id, words] of host.words) writeTensorWords(this.gpu.device, this.tensor(id), words);
  }

  /** This step's rate per trained parameter: lr * lr_mult (Adam: times its bias correction), f32 as the CPU solver rounds it. */
  private rates(lr: number, step: number): Float32Array {
    const spec = this.setup.solver;
    const correction = spec.kind === 'adam' ? adamCorrection(spec, step) : 1;
    return Float32Array.from(this.program.trained, (p) => {
      const local = Math.fround(lr * p.lrMult);
      return spec.kind === 'adam' ? Math.fround(local * correction) : local;
    });
  }

  /** Where to copy the logits: right after the node that computes them. */
  private marks(set: DispatchSet, logits: DeviceTensor): Map<number, DeviceTensor[]> {
    const producer = this.setup.graph.values.get(this.setup.net.accuracy.logits)?.producer;
    const end = producer === undefined ? undefined : set.nodeEnd.get(producer);
    return new Map([[end ?? set.dispatches.length, [logits]]]);
  }

  private emptyBlocks(count: number): Uint32Array {
    const block = emptyStatsBlock();
    const out = new Uint32Array(count * STATS_WORDS);
    for (let k = 0; k < count; k++) out.set(block, k * STATS_WORDS);
    return out;
  }

  /** Rewrites the `count` uniform of the activation statistics kernels for the batch's valid rows. */
  private setStatsCounts(prepared: Prepared, valid: number): void {
    if (this.statsCount === valid && prepared.set === this.lastStatsSet) return;
    const byTensor = new Map<string, StatsTarget>(this.program.stats.activations.map((t) => [`${t.tensor} (statistics)`, t] as const));
    for (const d of prepared.list) {
      const t = byTensor.get(d.dispatch.label);
      if (!t || !d.uniformBuffer) continue;
      const values = { ...d.dispatch.uniforms, count: countedElements(t, valid) };
      this.gpu.device.queue.writeBuffer(d.uniformBuffer, 0, packUniforms(d.pipeline.shader.uniforms, values));
    }
    this.statsCount = valid;
    this.lastStatsSet = prepared.set;
  }
  private lastStatsSet: DispatchSet | undefined;

  private async readTensors(ids: readonly string[]): Promise<Map<string, Tensor>> {
    const list = ids.map((id) => this.tensor(id));
    const sub = new Submission(this.gpu, 'reading tensors', list.reduce((a, t) => a + Submission.bytes(t), 0));
    const at = list.map((t) => sub.copy(t));
    const bytes = await sub.run(`read:${this.program.base.net}:${ids.length}`, this.estimator);
    const out = new Map<string, Tensor>();
    ids.forEach((id, k) => {
      const t = list[k].tensor;
      out.set(id, { shape: [...t.shape], data: Float64Array.from(f32At(bytes, at[k], t.elements)) });
    });
    return out;
  }

  /** Why a step was refused: the first non-finite layer of the forward, or the parameter whose gradient or update went non-finite. */
  private async nonFinite(words: Uint32Array, batch: DataBatch, step: number, loss: number): Promise<NonFiniteReport> {
    const graph = this.setup.graph;
    if (words[CONTROL_LOSS] !== 0 || !Number.isFinite(loss)) return this.firstNonFiniteLayer(batch, step);
    const trained = this.program.trained;
    const flags = (bit: number) => trained.find((p) => (words[CONTROL_PARAMS + p.slot] & bit) !== 0);
    const bad = flags(FLAG_GRADIENT) ?? flags(FLAG_UPDATE);
    if (bad) return { where: (words[CONTROL_PARAMS + bad.slot] & FLAG_GRADIENT) !== 0 ? 'gradient' : 'update', layer: bad.owner, op: bad.op, value: bad.id };
    const last = graph.nodes[graph.nodes.length - 1];
    return { where: 'forward', layer: last?.id ?? '', op: last?.op ?? '', value: last?.outputs[0] ?? '' };
  }

  /** Replays the step's forward with a non-finite flag per node (its saved pre-epilogue value and its output). */
  private async firstNonFiniteLayer(batch: DataBatch, step: number): Promise<NonFiniteReport> {
    const p = this.program;
    const graph = this.setup.graph;
    const prepared = await this.prepare(p.diagnose);
    prepared.setRngKeys(this.setup.seed, step);
    this.writeInputs(batch);
    this.write(p.ids.diagnose, new Uint32Array(Math.max(1, graph.nodes.length)));
    const flags = this.tensor(p.ids.diagnose);
    const sub = new Submission(this.gpu, `diagnosing step ${step}`, Submission.bytes(flags));
    sub.dispatch(prepared);
    const at = sub.copy(flags);
    const bytes = await sub.run(`diagnose:${p.base.net}`, this.estimator);
    const words = u32At(bytes, at, graph.nodes.length);
    const index = graph.nodes.findIndex((_, k) => words[k] !== 0);
    const node = graph.nodes[index >= 0 ? index : graph.nodes.length - 1];
    return { where: 'forward', layer: node?.id ?? '', op: node?.op ?? '', value: node?.outputs[0] ?? '' };
  }
}
