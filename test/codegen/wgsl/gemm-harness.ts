/**
 * Parity of the conv and dense kernels (src/codegen/wgsl/lib/templates/*-gemm.ts) against the CPU
 * reference, the way the executors run a fused node. A GemmCase is an op-parity case (one input,
 * weights and an optional bias, the anchor's own result in f32) with what only the GEMM kernels
 * have: a tile configuration and chunked weights. The CPU reference and the request come from
 * op-parity.ts; this file adds the tile configurations and the checks over them.
 */
import { expect } from 'vitest';
import type { WgslCapabilities } from '../../../src/codegen/wgsl/lib/capabilities.js';
import type { KernelDispatch, KernelRequest, KernelTensor } from '../../../src/codegen/wgsl/lib/kernel.js';
import type { Attrs } from '../../../src/ir/graph.js';
import { nodeStream } from '../../../src/ir/streams.js';
import { F32, type FixedType, type NumberType } from '../../../src/numeric/number-type.js';
import { uniformStream } from '../../../src/numeric/rng.js';
import { configName, parseConfig } from '../../../src/codegen/wgsl/lib/templates/gemm-config.js';
import type { OpDef } from '../../../src/ops/op-def.js';
import { quantizeOp } from '../../../src/ops/quantize.js';
import { chunkingOf, createTensor, readValues, tensorFromValues, type GpuTensor } from '../../../src/runtime/webgpu/buffers.js';
import { runDispatches } from '../../helpers/run-dispatches.js';
import type { GpuHarness } from './gpu-harness.js';
import {
  expectClose,
  expectCodesNear,
  expectExact,
  requestOf as parityRequestOf,
  runCpu as parityRunCpu,
  tensorSpec as parityTensorSpec,
  type CpuResult,
  type ParityCase,
  type StageSpec,
  type TensorSpec,
} from './ops/op-parity.js';

export type { StageSpec, TensorSpec };

export interface GemmCase {
  op: OpDef;
  x: TensorSpec;
  weights: TensorSpec;
  bias?: TensorSpec;
  attrs: Attrs;
  /** Round weights / bias while loading (training masters). */
  paramQuantizers?: (FixedType | undefined)[];
  accumulate?: 'f32' | 'exact';
  epilogue?: StageSpec[];
  /** Stored output type; default the last stage's type (or f32). */
  outType?: NumberType;
  training?: boolean;
  seed?: number;
  step?: number;
  nodeIndex?: number;
  config?: Readonly<Record<string, number>>;
  capabilities?: WgslCapabilities;
  /** Split the weights into chunks of this many elements (as for tensors beyond the binding limit). */
  weightChunkElements?: number;
}

/** The case as op-parity runs it: input in0, parameters p0 (weights) and p1 (bias), own result f32. */
function asParityCase(c: GemmCase): ParityCase {
  return {
    op: c.op,
    inputs: [c.x],
    params: c.bias ? [c.weights, c.bias] : [c.weights],
    attrs: { ...c.attrs, bias_term: c.bias !== undefined },
    ownType: F32,
    ...(c.paramQuantizers ? { paramQuantizers: c.paramQuantizers } : {}),
    ...(c.epilogue ? { epilogue: c.epilogue } : {}),
    ...(c.outType ? { outType: c.outType } : {}),
    ...(c.training !== undefined ? { training: c.training } : {}),
    ...(c.seed !== undefined ? { seed: c.seed } : {}),
    ...(c.step !== undefined ? { step: c.step } : {}),
    ...(c.nodeIndex !== undefined ? { nodeIndex: c.nodeIndex } : {}),
    ...(c.capabilities ? { capabilities: c.capabilities } : {}),
    ...(c.accumulate ? { accumulate: c.accumulate } : {}),
  };
}

/** A tensor of random values of type t: f32 values in [-scale, scale) (default 1), or codes over the type's range. */
export function tensorSpec(type: NumberType, shape: number[], seed: number, scale = 1, codeLimit = Infinity): TensorSpec {
  return parityTensorSpec(type, shape, seed, scale, codeLimit);
}

export function runCpu(c: GemmCase): CpuResult {
  return parityRunCpu(asParityCase(c));
}

/** The KernelRequest of the case (tensor ids: in0, p0, p1, out), with its configuration and weight chunking. */
export function requestOf(c: GemmCase, caps: WgslCapabilities, weightChunking?: KernelTensor['chunking']): KernelRequest {
  const base = parityRequestOf(asParityCase(c), caps);
  return {
    ...base,
    params: base.params.map((t, k) => (k === 0 && weightChunking ? { ...t, chunking: weightChunking } : t)),
    ...(c.config ? { config: c.config } : {}),
  };
}

/** Uploads the case's tensors once; runs any number of requests (configs) against them. */
export class GemmGpuCase {
  readonly tensors: Record<string, GpuTensor> = {};
  readonly weightChunking: KernelTensor['chunking'];

  constructor(
    readonly h: GpuHarness,
    readonly c: GemmCase,
  ) {
    const d = h.device;
    this.tensors.in0 = tensorFromValues(d, c.x.type, c.x.values, { label: 'in0' });
    const w = tensorFromValues(d, c.weights.type, c.weights.values, { label: 'p0', chunkElements: c.weightChunkElements });
    this.tensors.p0 = w;
    this.weightChunking = chunkingOf(w);
    if (c.weightChunkElements !== undefined) expect(this.weightChunking, 'the weights are split into chunks').toBeDefined();
    if (c.bias) this.tensors.p1 = tensorFromValues(d, c.bias.type, c.bias.values, { label: 'p1' });
    const out = requestOf(c, h.wgsl).output;
    this.tensors.out = createTensor(d, out.type, out.shape.reduce((a, x) => a * x, 1), { label: 'out' });
  }

  request(config?: Readonly<Record<string, number>>): KernelRequest {
    return requestOf({ ...this.c, ...(config ? { config } : {}) }, this.h.wgsl, this.weightChunking);
  }

  async run(dispatches: KernelDispatch[]): Promise<Float64Array> {
    // A sentinel in every word first, so an output the kernel fails to write cannot pass with the
    // values an earlier configuration left.
    const out = this.tensors.out;
    for (const r of out.ranges) this.h.device.queue.writeBuffer(r.buffer, r.offset, new Uint32Array(r.size / 4).fill(0x7fa5a5a5));
    await runDispatches(this.h.device, this.h.cache, dispatches, this.tensors, { seed: this.c.seed, step: this.c.step });
    return readValues(this.h.device, out);
  }

  destroy(): void {
    for (const t of Object.values(this.tensors)) t.destroy();
  }
}

export type Expectation = 'exact' | 'close' | 'near';

export interface CheckOptions {
  /** 'exact': bit-exact values / codes; 'close': the f32 tolerance; 'near': codes by the boundary rule. */
  expect: Expectation;
  /** Configurations to run: the default (undefined entry), every candidate ('all'), or given records. */
  configs?: 'all' | readonly (Readonly<Record<string, number>> | undefined)[];
  /** Check each dispatch (e.g. its label says dot4). */
  dispatch?: (d: KernelDispatch) => void;
}

/**
 * Runs the case on the CPU reference and, for each configuration, on the device, and compares.
 * Returns the configurations' names (for assertions about which layouts ran).
 */
export async function checkCase(h: GpuHarness, c: GemmCase, opts: CheckOptions): Promise<string[]> {
  const facet = c.op.wgsl;
  if (!facet?.configs) throw new Error(`${c.op.name} has no wgsl configs`);
  const cpu = runCpu(c);
  const g = new GemmGpuCase(h, c);
  const names: string[] = [];
  try {
    const configs = opts.configs === 'all' ? facet.configs(g.request()) : (opts.configs ?? [undefined]);
    expect(configs.length).toBeGreaterThan(0);
    for (const cfg of configs) {
      const dispatches = facet.forward(g.request(cfg));
      expect(dispatches.length, 'one dispatch per fused node').toBe(1);
      opts.dispatch?.(dispatches[0]);
      const what = dispatches[0].label;
      names.push(cfg ? configName(parseConfig(cfg)!) : what);
      const got = await g.run(dispatches);
      const want = cpu.output.data;
      if (opts.expect === 'exact') expectExact(got, want, what);
      else if (opts.expect === 'close') expectClose(got, want, 1e-5, what);
      else {
        const t = requestOf(c, h.wgsl).output.type;
        if (t.kind !== 'fixed') throw new Error('the boundary rule needs a fixed output');
        const last = c.epilogue?.[c.epilogue.length - 1];
        const draws = c.training && t.round === 'stochastic' && last?.op === quantizeOp;
        const draw = draws ? uniformStream(c.seed ?? 1, c.step ?? 0, nodeStream(c.nodeIndex ?? 0)) : undefined;
        expectCodesNear(got, want, cpu.beforeLast.data, t, 1e-5, draw, what);
      }
    }
  } finally {
    g.destroy();
  }
  return names;
}
