import type { ProgramNode, WgslProgram } from '../../codegen/wgsl/program-types.js';
import { DiagnosticError, error, type Diagnostic } from '../../diag/diagnostic.js';
import type { Tensor } from '../../numeric/tensor.js';
import { WEBGPU_CODES } from './codes.js';
import type { LpcDevice } from './device.js';
import { withErrorScope } from './error-scope.js';
import { decodeValues, unpackCodes, valuesOfCodes } from './host-packing.js';
import { prepareDispatches, recordDispatch, type PreparedDispatch, type PreparedDispatches } from './net-dispatches.js';
import { inputWords, parameterWords } from './net-host-data.js';
import { allocateNetTensors, copyTensorOut, readbackBytes, writeTensorWords, type DeviceTensor, type NetTensors } from './net-tensors.js';
import { PassTimer } from './net-timing.js';
import { PipelineCache } from './pipeline-cache.js';
import { awaitGpu, defaultWaitEstimator, type WaitEstimator } from './wait.js';

/**
 * The WebGPU executor: runs a compiled net (a WgslProgram, src/codegen/wgsl/program.ts) on a
 * device. Creating the net allocates its buffers as the program says (net-tensors.ts), uploads
 * the weights packed at their width (net-host-data.ts), compiles every distinct shader once
 * through a pipeline cache (shared between nets when the caller passes one) and builds every
 * dispatch's bind group (net-dispatches.ts). A run then writes the inputs, records every dispatch
 * in one command encoder, copies the results (and any intermediate value asked for) into one
 * readback buffer, submits once, and waits with the wait strategy of wait.ts.
 *
 * Problems are diagnostics: missing or misshapen weights and inputs (LPC3060/3061/3064), GPU
 * validation errors and out-of-memory named after the layer (LPC5010/5011/5012), a lost device
 * while reading back (LPC5021).
 */
export interface CreateNetOptions {
  /** Pipelines to share with other nets on the same device (compiled shaders are reused). */
  cache?: PipelineCache;
  estimator?: WaitEstimator;
}

export interface WebgpuRunOptions {
  /** User seed and training step: the keys of stochastic rounding (default 1 and 0, like `lpc run`). */
  seed?: number;
  step?: number;
  /** Intermediate values to read back as well: value ids of the planned graph, or every node's output. */
  capture?: 'all' | readonly string[];
  /** Per-layer GPU time with timestamp queries (ignored when the device has none). */
  timing?: boolean;
  /**
   * Work to record after each node, while the node's output is still in its buffer (a later node
   * may reuse it): per-layer statistics kernels, for one (src/runtime/bundle/layer-stats.ts).
   * Called with no compute pass open; `quantStats` holds the quantizer counters accumulated since
   * the run began, this node's included.
   */
  afterNode?: AfterNodeHook;
}

export type AfterNodeHook = (encoder: GPUCommandEncoder, node: ProgramNode, output: DeviceTensor, quantStats: GPUBuffer) => void;

export interface LayerTiming {
  node: string;
  /** GPU time of the node's dispatches, in milliseconds. */
  ms: number;
}

export interface WebgpuRunResult {
  /** Named outputs and losses, by name. */
  outputs: Map<string, Tensor>;
  losses: Map<string, Tensor>;
  /** Every value read back (outputs, losses and captures), by value id. */
  values: Map<string, Tensor>;
  /** The integer codes of the fixed-point and i32 values read back, by value id. */
  codes: Map<string, Int32Array>;
  /** Quantizer events counted by the kernels during the run. */
  quantStats: { saturated: number; nan: number };
  timings?: LayerTiming[];
  /** Wall-clock time from the first upload to the results decoded. */
  wallMs: number;
}

export interface WebgpuNet {
  readonly program: WgslProgram;
  readonly device: LpcDevice;
  /** Bytes of GPU buffers the net holds. */
  readonly bytes: number;
  /** Whether runs can report per-layer GPU time. */
  readonly timestampQuery: boolean;
  run(inputs: ReadonlyMap<string, Tensor>, opts?: WebgpuRunOptions): Promise<WebgpuRunResult>;
  destroy(): void;
}

export async function createWebgpuNet(device: LpcDevice, program: WgslProgram, weights: ReadonlyMap<string, Tensor>, opts: CreateNetOptions = {}): Promise<WebgpuNet> {
  const params = parameterWords(program, weights);
  if (params.diagnostics.length > 0) throw new DiagnosticError(params.diagnostics);
  const gpu = device.device;
  const cache = opts.cache ?? new PipelineCache(gpu);
  const tensors = await allocateNetTensors(gpu, program);
  let prepared: PreparedDispatches;
  try {
    await withErrorScope(gpu, `the weights of net ${program.net}`, () => {
      for (const [id, words] of params.words) writeTensorWords(gpu, tensors.tensors.get(id)!, words);
    });
    prepared = await prepareDispatches(gpu, program, tensors, cache);
  } catch (e) {
    tensors.destroy();
    throw e;
  }
  const timer = device.capabilities.timestampQuery ? new PassTimer(gpu, program.dispatches.length) : undefined;
  return new Net(device, program, tensors, prepared, timer, opts.estimator ?? defaultWaitEstimator);
}

const ALIGN = 8;
const alignUp = (n: number) => Math.ceil(n / ALIGN) * ALIGN;

class Net implements WebgpuNet {
  private destroyed = false;
  private runs = 0;

  constructor(
    readonly device: LpcDevice,
    readonly program: WgslProgram,
    private readonly tensors: NetTensors,
    private readonly prepared: PreparedDispatches,
    private readonly timer: PassTimer | undefined,
    private readonly estimator: WaitEstimator,
  ) {}

  get bytes(): number {
    return this.tensors.bytes;
  }

  get timestampQuery(): boolean {
    return this.timer !== undefined;
  }

  async run(inputs: ReadonlyMap<string, Tensor>, opts: WebgpuRunOptions = {}): Promise<WebgpuRunResult> {
    if (this.destroyed) {
      throw new DiagnosticError([error(WEBGPU_CODES.NET_DESTROYED, `net '${this.program.net}' was run after destroy()`, undefined, { hint: 'create the net again' })]);
    }
    const t0 = performance.now();
    const gpu = this.device.device;
    const program = this.program;
    const host = inputWords(program, inputs);
    if (host.diagnostics.length > 0) throw new DiagnosticError(host.diagnostics);
    const captured = this.capturedValues(opts.capture);
    const timing = opts.timing === true && this.timer !== undefined;

    // Readback layout: timestamps, quantizer statistics, then each value, 8-byte aligned.
    let size = 0;
    const timingAt = size;
    if (timing) size = alignUp(size + this.timer!.bytes);
    const statsAt = size;
    size = alignUp(size + 8);
    const valueAt = new Map<string, number>();
    for (const id of captured) {
      valueAt.set(id, size);
      size = alignUp(size + readbackBytes(this.tensors.tensors.get(id)!));
    }

    const staging = gpu.createBuffer({ label: `${program.net} results`, size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    try {
      await withErrorScope(gpu, `net ${program.net}`, () => {
        for (const [id, words] of host.words) writeTensorWords(gpu, this.tensors.tensors.get(id)!, words);
        this.prepared.setRngKeys(opts.seed ?? 1, opts.step ?? 0);
        gpu.queue.writeBuffer(this.tensors.quantStats, 0, new Uint32Array(2));
        gpu.queue.submit([this.record(captured, valueAt, staging, timing ? timingAt : undefined, statsAt, opts.afterNode)]);
      }).catch((e: unknown) => this.diagnose(e));
      const submitted = performance.now();
      try {
        // The first run also compiles every shader on the device (lavapipe compiles at the first
        // dispatch), so it is neither slept through nor taught to the estimate: later runs would
        // oversleep by the compilation time until the estimate decayed.
        const key = this.runs++ > 0 ? `net:${program.net}:${size}` : undefined;
        await awaitGpu(() => staging.mapAsync(GPUMapMode.READ), { key, estimator: this.estimator, submittedAt: submitted });
      } catch (e) {
        const lost = await Promise.race([this.device.lost, Promise.resolve(undefined)]);
        throw new DiagnosticError([
          lost ??
            error(WEBGPU_CODES.READBACK_FAILED, `reading the results of net '${program.net}' back from the GPU failed: ${e instanceof Error ? e.message : String(e)}`, undefined, {
              hint: 'the device was probably lost; run again, or use `--backend cpu`',
            }),
        ]);
      }
      const bytes = staging.getMappedRange().slice(0);
      staging.unmap();
      return this.decode(bytes, captured, valueAt, timing ? timingAt : undefined, statsAt, t0);
    } finally {
      staging.destroy();
    }
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.prepared.destroy();
    this.timer?.destroy();
    this.tensors.destroy();
  }

  /** Outputs and losses, then the captures asked for, each once. */
  private capturedValues(capture: WebgpuRunOptions['capture']): string[] {
    const p = this.program;
    const ids = [...p.outputs, ...p.losses].map((o) => o.value);
    const extra = capture === 'all' ? p.nodes.map((n) => n.output) : (capture ?? []);
    const unknown: Diagnostic[] = [];
    for (const id of extra) {
      const t = p.tensors.get(id);
      if (!t || t.role === 'param' || t.role === 'scratch') {
        unknown.push(error(WEBGPU_CODES.UNKNOWN_VALUE, `net '${p.net}' has no value '${id}' to read back`, undefined, { hint: 'ask for a value id of the planned graph (`lpc compile --emit ir` lists them)' }));
      } else if (!ids.includes(id)) ids.push(id);
    }
    if (unknown.length > 0) throw new DiagnosticError(unknown);
    return ids;
  }

  /**
   * One command buffer for the whole run. Dispatches share a compute pass, except that a value to
   * read back is copied right after the node that writes it (before a later node reuses its
   * buffer), and with timing each dispatch has a pass of its own for its timestamps.
   */
  private record(captured: string[], valueAt: Map<string, number>, staging: GPUBuffer, timingAt: number | undefined, statsAt: number, afterNode?: AfterNodeHook): GPUCommandBuffer {
    const gpu = this.device.device;
    const program = this.program;
    const encoder = gpu.createCommandEncoder({ label: `run ${program.net}` });
    const copyNow = new Set(captured.filter((id) => program.tensors.get(id)?.role === 'activation'));
    let pass: GPUComputePassEncoder | undefined;
    const endPass = () => {
      pass?.end();
      pass = undefined;
    };
    const list = this.prepared.list;
    for (const node of program.nodes) {
      for (const k of node.dispatches) {
        const p: PreparedDispatch = list[k];
        if (timingAt !== undefined) {
          endPass();
          const own = encoder.beginComputePass({ label: p.dispatch.label, timestampWrites: this.timer!.writes(k) });
          recordDispatch(own, p);
          own.end();
        } else {
          pass ??= encoder.beginComputePass({ label: `${program.net}` });
          recordDispatch(pass, p);
        }
      }
      if (copyNow.has(node.output)) {
        endPass();
        copyTensorOut(encoder, this.tensors.tensors.get(node.output)!, staging, valueAt.get(node.output)!);
      }
      if (afterNode) {
        endPass();
        afterNode(encoder, node, this.tensors.tensors.get(node.output)!, this.tensors.quantStats);
      }
    }
    endPass();
    for (const id of captured) if (!copyNow.has(id)) copyTensorOut(encoder, this.tensors.tensors.get(id)!, staging, valueAt.get(id)!);
    encoder.copyBufferToBuffer(this.tensors.quantStats, 0, staging, statsAt, 8);
    if (timingAt !== undefined) this.timer!.resolve(encoder, staging, timingAt);
    return encoder.finish();
  }

  private decode(bytes: ArrayBuffer, captured: string[], valueAt: Map<string, number>, timingAt: number | undefined, statsAt: number, t0: number): WebgpuRunResult {
    const program = this.program;
    const values = new Map<string, Tensor>();
    const codes = new Map<string, Int32Array>();
    for (const id of captured) {
      const t = this.tensors.tensors.get(id)!;
      // Chunks hold whole words and were copied back to back, so the words are in element order.
      const words = new Uint32Array(bytes, valueAt.get(id)!, readbackBytes(t) / 4);
      const type = t.tensor.type;
      let data: Float64Array;
      if (type.kind === 'f32') data = decodeValues(words, type, t.tensor.elements);
      else {
        // integer tensors are unpacked once: the codes, and the values from them
        const c = unpackCodes(words, type, t.tensor.elements);
        codes.set(id, c);
        data = type.kind === 'fixed' ? valuesOfCodes(c, type) : Float64Array.from(c);
      }
      values.set(id, { shape: [...t.tensor.shape], data });
    }
    const stats = new Uint32Array(bytes, statsAt, 2);
    const pick = (named: { name: string; value: string }[]) => new Map(named.filter((o) => values.has(o.value)).map((o) => [o.name, values.get(o.value)!]));
    const result: WebgpuRunResult = {
      outputs: pick(program.outputs),
      losses: pick(program.losses),
      values,
      codes,
      quantStats: { saturated: stats[0], nan: stats[1] },
      wallMs: performance.now() - t0,
    };
    if (timingAt !== undefined) {
      const ns = this.timer!.decode(bytes, timingAt);
      result.timings = program.nodes.map((n) => ({ node: n.id, ms: n.dispatches.reduce((a, k) => a + ns[k], 0) / 1e6 }));
    }
    return result;
  }

  /**
   * A GPU error while submitting the run: find the layer by replaying the dispatches one by one,
   * each in its own error scope, and report the first that fails; else the error as it came.
   */
  private async diagnose(e: unknown): Promise<never> {
    const gpu = this.device.device;
    if (e instanceof DiagnosticError && e.diagnostics.some((d) => d.code === WEBGPU_CODES.GPU_VALIDATION || d.code === WEBGPU_CODES.GPU_INTERNAL)) {
      for (const p of this.prepared.list) {
        await withErrorScope(gpu, p.layer, () => {
          const enc = gpu.createCommandEncoder({ label: p.layer });
          const pass = enc.beginComputePass({ label: p.dispatch.label });
          recordDispatch(pass, p);
          pass.end();
          gpu.queue.submit([enc.finish()]);
        });
      }
    }
    throw e;
  }
}
