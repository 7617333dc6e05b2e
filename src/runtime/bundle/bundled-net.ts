import { BUNDLE_FORMAT, BUNDLE_VERSION, type NetBundle, type TrainingBundle } from '../../codegen/ts/bundle-format.js';
import { BUNDLE_CODES } from '../../codegen/ts/codes.js';
import { inputDependencies, type NetInterface } from '../../codegen/ts/net-interface.js';
import type { WgslProgram } from '../../codegen/wgsl/program-types.js';
import { decodeGraph, graphJsonProblem } from '../../ir/graph-json.js';
import type { Graph } from '../../ir/graph.js';
import type { Tensor } from '../../numeric/tensor.js';
import { decodeLpw } from '../weights/lpw-read.js';
import { encodeLpw } from '../weights/lpw-write.js';
import { matchWeights, storedMasters } from '../weights/match-weights.js';
import { acquireDevice, type AcquireOptions, type LpcDevice } from '../webgpu/device.js';
import { createWebgpuNet, type WebgpuNet } from '../webgpu/executor.js';
import { PipelineCache } from '../webgpu/pipeline-cache.js';
import { checkDevice } from './device-check.js';
import { LpcError, lpcError, withLpcErrors } from './errors.js';
import { outputArray, prepareInputs, type InputArray, type InputRecord } from './inputs.js';
import { LayerStatsCollector, type LayerStats } from './layer-stats.js';
import { manifestProblem, ManifestProblem, programFromManifest } from './program-json.js';
import { BUNDLE_TRAIN_BACKEND, BundleTrainer, type TrainStepOptions, type TrainStepResult } from './training.js';
import { weightsBytes, type WeightsSource } from './weights-source.js';

/**
 * A compiled net on a WebGPU device: the runtime behind every generated net module (the class
 * `LeNet8` of `out/LeNet8/LeNet8.ts` holds one and gives it typed names). It reads the bundle's
 * program back (program-json.ts), compiles its shaders once, and creates the executor's net when
 * weights arrive; each call checks its inputs (inputs.ts), runs one submission, and with
 * statistics on records the per-layer statistics kernels in the same submission (layer-stats.ts).
 *
 * Calls are serialised: a second `infer` waits for the first, since both would write the same
 * input buffers. Errors are LpcErrors (DiagnosticErrors with a code, the message and a hint).
 */
export type DeviceChoice = LpcDevice | AcquireOptions;

export interface BundledNetOptions {
  /** Record per-layer statistics with every run (default true): `stats()` reads them. */
  collectStats?: boolean;
  /** The training backend `trainStep` uses, by its `--backend` name (default `webgpu`). */
  trainBackend?: string;
}

export interface RunOptions {
  /** Seed of stochastic rounding (default 1); inference rounds stochastic types with `nearest` anyway. */
  seed?: number;
}

function isLpcDevice(x: DeviceChoice | undefined): x is LpcDevice {
  return x !== undefined && 'device' in x && 'adapter' in x && 'wgsl' in x;
}

/** The bundle's program and graph, or an LpcError saying why this runtime cannot read it. */
export function openBundle(bundle: NetBundle): { program: WgslProgram; graph: Graph } {
  const bad = (why: string) => lpcError(BUNDLE_CODES.BAD_BUNDLE, `the compiled net ${bundle?.net ?? ''} cannot be read: ${why}`, 'compile the net again with the lpc version the app depends on');
  if (bundle === null || typeof bundle !== 'object' || bundle.format !== BUNDLE_FORMAT) throw bad('it is not the data of a net module written by `lpc compile`');
  if (bundle.version !== BUNDLE_VERSION) throw bad(`it was written by lpc ${bundle.lpc} in bundle format ${bundle.version}; this runtime reads format ${BUNDLE_VERSION}`);
  const problem = manifestProblem(bundle.manifest) ?? graphJsonProblem(bundle.graph);
  if (problem) throw bad(problem);
  const graph = decodeGraph(bundle.graph);
  try {
    return { program: programFromManifest(bundle.manifest, bundle.shaders, graph), graph };
  } catch (e) {
    if (e instanceof ManifestProblem) throw bad(e.message);
    throw e;
  }
}

export class BundledNet {
  private net: WebgpuNet | undefined;
  private weights: Map<string, Tensor> | undefined;
  private trainer: BundleTrainer | undefined;
  /** Set by a training step: the trainer's weights are newer than the inference net's. */
  private trained = false;
  /** The inputs the last run was given (the others were zeros): stats() leaves out layers that read those. */
  private lastTakes: ReadonlySet<string> | undefined;
  private destroyed = false;
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly spec: NetInterface,
    readonly program: WgslProgram,
    readonly graph: Graph,
    readonly device: LpcDevice,
    private readonly ownsDevice: boolean,
    private readonly cache: PipelineCache,
    private readonly collector: LayerStatsCollector | undefined,
    private readonly training: TrainingBundle | undefined,
    private readonly trainBackend: string,
  ) {}

  /**
   * Opens a bundle on a device: the one given, or one acquired with these options (navigator.gpu
   * in a browser, Dawn in Node), which `destroy()` then releases. Compiles every shader.
   */
  static async create(bundle: NetBundle, device?: DeviceChoice, opts: BundledNetOptions = {}): Promise<BundledNet> {
    return withLpcErrors(async () => {
      const { program, graph } = openBundle(bundle);
      const owns = !isLpcDevice(device);
      const dev = isLpcDevice(device) ? device : await acquireDevice({ label: bundle.net, ...(device ?? {}) });
      try {
        checkDevice(program, dev);
        const cache = new PipelineCache(dev.device);
        await Promise.all([...program.shaders.values()].map((s) => cache.get(s, `${program.net}: shader ${s.key}`)));
        const collector = opts.collectStats === false ? undefined : await LayerStatsCollector.create(dev.device, cache, program);
        return new BundledNet(bundle.interface, program, graph, dev, owns, cache, collector, bundle.training, opts.trainBackend ?? BUNDLE_TRAIN_BACKEND);
      } catch (e) {
        if (owns) dev.destroy();
        throw e;
      }
    });
  }

  /** Loads a .lpw weights file (bytes, URL, or a path in Node) and uploads it, packed as the program stores it. */
  loadWeights(source: WeightsSource): Promise<void> {
    return this.exclusive(async () => {
      const { bytes, name } = await weightsBytes(source);
      const decoded = decodeLpw(bytes, name);
      if (!decoded.contents) throw new LpcError(decoded.diagnostics);
      const matched = matchWeights(this.graph, decoded.contents, name);
      if (!matched.weights) throw new LpcError(matched.diagnostics.filter((d) => d.severity === 'error'));
      await this.setWeights(matched.weights);
      if (this.trainer) await this.trainer.setParams(matched.weights);
      this.trained = false;
    });
  }

  /** The weights as a .lpw file (f32 master values, as `lpc train` writes them), trained ones included. */
  saveWeights(): Promise<Uint8Array> {
    return this.exclusive(async () => {
      await this.syncTrained();
      if (!this.weights) throw lpcError(BUNDLE_CODES.NO_WEIGHTS, `${this.program.net} has no weights to save`, 'load weights first');
      const r = encodeLpw({ net: this.graph.name, tensors: storedMasters(this.graph, this.weights) });
      if ('diagnostics' in r) throw new LpcError(r.diagnostics);
      return r.bytes;
    });
  }

  /**
   * One training step on a whole batch (every input, labels included): the training backend is
   * built on the first call from the bundle's training graph, starting from the loaded weights.
   * Later `infer` calls and `saveWeights` use the trained weights.
   */
  trainStep(batch: InputRecord, opts: TrainStepOptions = {}): Promise<TrainStepResult> {
    return this.exclusive(async () => {
      if (!this.weights) throw lpcError(BUNDLE_CODES.NO_WEIGHTS, `${this.spec.net}.trainStep was called before any weights were loaded`, 'load the starting weights first (`lpc init-weights` writes random ones)');
      this.trainer ??= await BundleTrainer.create(this.spec, this.training, this.weights, { device: this.device, cache: this.cache }, this.trainBackend);
      const r = await this.trainer.step(batch, opts);
      if (!r.nonFinite) this.trained = true;
      return r;
    });
  }

  /** The label-free outputs for these inputs (NetInterface.infer), as typed arrays. */
  infer(inputs: InputRecord, opts: RunOptions = {}): Promise<Record<string, InputArray>> {
    const i = this.spec.infer;
    return this.run('infer', inputs, i.inputs, i.outputs, i.partialBatch, opts);
  }

  /** Every output and loss, for every input (labels included). */
  evaluate(inputs: InputRecord, opts: RunOptions = {}): Promise<Record<string, InputArray>> {
    const iface = this.spec;
    const names = [...iface.outputs, ...iface.losses].map((o) => o.name);
    return this.run('evaluate', inputs, iface.inputs.map((t) => t.name), names, false, opts);
  }

  /**
   * Per-layer statistics of the last run (empty before the first, or when created with
   * collectStats: false). After `infer`, layers that depend on inputs it does not take (accuracy
   * and losses, which ran on zero labels) are left out.
   */
  stats(): Promise<LayerStats[]> {
    return this.exclusive(async () => {
      if (!this.collector) return [];
      const all = await this.collector.read();
      const takes = this.lastTakes;
      if (!takes) return all;
      const deps = inputDependencies(this.graph);
      const byValue = new Map(this.spec.inputs.map((t) => [t.value, t.name]));
      return all.filter((s) => [...(deps.get(s.output) ?? [])].every((v) => takes.has(byValue.get(v) ?? v)));
    });
  }

  /** Frees the GPU buffers (and the device, when create() acquired it). Further calls throw. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.net?.destroy();
    this.collector?.destroy();
    // The backend's own device goes with it; nothing waits on the promise after destroy().
    this.trainer?.dispose().catch(() => undefined);
    if (this.ownsDevice) this.device.destroy();
  }

  /** After training steps: the trained weights into the inference net. */
  private async syncTrained(): Promise<void> {
    if (!this.trained || !this.trainer) return;
    await this.setWeights(await this.trainer.params());
    this.trained = false;
  }

  /** Replaces the weights (master values by parameter id) and re-creates the device net with them. */
  protected async setWeights(weights: Map<string, Tensor>): Promise<void> {
    const next = await createWebgpuNet(this.device, this.program, weights, { cache: this.cache });
    this.net?.destroy();
    this.net = next;
    this.weights = weights;
  }

  private run(method: string, inputs: InputRecord, takes: string[], returns: string[], partial: boolean, opts: RunOptions): Promise<Record<string, InputArray>> {
    return this.exclusive(async () => {
      const iface = this.spec;
      const prepared = prepareInputs(iface, method, inputs, takes, partial);
      await this.syncTrained();
      if (!this.net) throw lpcError(BUNDLE_CODES.NO_WEIGHTS, `${iface.net}.${method} was called before any weights were loaded`, 'call `await net.loadWeights(bytesOrUrlOrPath)` first');
      this.collector?.reset(prepared.items, iface.batch);
      this.lastTakes = new Set(takes);
      const result = await this.net.run(prepared.tensors, { seed: opts.seed ?? 1, ...(this.collector ? { afterNode: this.collector.hook } : {}) });
      const out: Record<string, InputArray> = {};
      for (const o of [...iface.outputs, ...iface.losses]) {
        if (!returns.includes(o.name)) continue;
        const t = result.outputs.get(o.name) ?? result.losses.get(o.name);
        if (t) out[o.name] = outputArray(o, t.data, prepared.items, iface.batch);
      }
      return out;
    });
  }

  private checkAlive(): void {
    if (this.destroyed) throw lpcError(BUNDLE_CODES.NET_DESTROYED, `${this.program.net} was used after destroy()`, `create it again with ${this.program.net}.create()`);
  }

  /** Runs fn after every earlier call has finished, converting lower-level diagnostics to LpcErrors. */
  protected exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.queue.then(() => {
      this.checkAlive();
      return withLpcErrors(fn);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
