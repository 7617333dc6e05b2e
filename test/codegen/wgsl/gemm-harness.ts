/**
 * Parity of the conv and dense kernels (src/codegen/wgsl/lib/templates/*-gemm.ts) against the CPU
 * reference, the way the executors run a fused node: parameter quantizers (training masters),
 * the anchor op with the request's accumulation mode, its epilogue stages, then the output type's
 * enforcement (src/runtime/cpu/node-stages.ts). The GPU side builds the KernelRequest with a tile
 * configuration, optionally chunked weights, runs the dispatches and reads the output back.
 */
import { expect } from 'vitest';
import type { WgslCapabilities } from '../../../src/codegen/wgsl/lib/capabilities.js';
import type { KernelDispatch, KernelRequest, KernelTensor } from '../../../src/codegen/wgsl/lib/kernel.js';
import type { Attrs, AttrValue, TensorType } from '../../../src/ir/graph.js';
import { nodeStream, outputEnforcementStream, paramQuantizerStream } from '../../../src/ir/streams.js';
import { codeRange, F32, isFixed, type FixedType, type NumberType } from '../../../src/numeric/number-type.js';
import { quantizeCode, quantizeTensor } from '../../../src/numeric/quantize.js';
import { uniformStream } from '../../../src/numeric/rng.js';
import { configName, parseConfig } from '../../../src/codegen/wgsl/lib/templates/gemm-config.js';
import type { Tensor } from '../../../src/numeric/tensor.js';
import type { CpuContext, OpDef } from '../../../src/ops/op-def.js';
import { quantizeOp } from '../../../src/ops/quantize.js';
import { allCodesOf } from '../../../src/runtime/cpu/node-stages.js';
import { chunkingOf, createTensor, readValues, tensorFromValues, type GpuTensor } from '../../../src/runtime/webgpu/buffers.js';
import { runDispatches } from '../../helpers/run-dispatches.js';
import type { GpuHarness } from './gpu-harness.js';

export interface TensorSpec {
  type: NumberType;
  shape: number[];
  /** Real values (codes * 2^-F for fixed types). */
  values: ArrayLike<number>;
}

export interface StageSpec {
  op: OpDef;
  attrs?: Attrs;
}

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

interface Plan {
  attrs: Attrs;
  ownType: TensorType;
  stages: { op: OpDef; attrs: Attrs; inType: TensorType; outType: TensorType }[];
  outType: TensorType;
}

function plan(c: GemmCase): Plan {
  const attrs = withDefaults(c.op, { ...c.attrs, bias_term: c.bias !== undefined });
  const shape = c.op.inferShape([{ dtype: c.x.type, shape: c.x.shape }], attrs);
  if (!shape.ok) throw new Error(`inferShape: ${shape.message}`);
  const ownType = { dtype: F32, shape: shape.shape };
  const stages: Plan['stages'] = [];
  let prev: TensorType = ownType;
  for (const s of c.epilogue ?? []) {
    const sAttrs = withDefaults(s.op, s.attrs);
    const outType = { dtype: s.op.inferType?.([prev], sAttrs) ?? F32, shape: shape.shape };
    stages.push({ op: s.op, attrs: sAttrs, inType: prev, outType });
    prev = outType;
  }
  return { attrs, ownType, stages, outType: c.outType ? { dtype: c.outType, shape: shape.shape } : prev };
}

function tensorOf(t: TensorSpec): Tensor {
  return { shape: [...t.shape], data: Float64Array.from(t.values) };
}

function paramSpecs(c: GemmCase): TensorSpec[] {
  return c.bias ? [c.weights, c.bias] : [c.weights];
}

export interface CpuResult {
  output: Tensor;
  /** The anchor's own result (before the epilogue). */
  own: Tensor;
  /** The value the last rounding step saw (for the boundary rule of f32 paths). */
  beforeLast: Tensor;
}

export function runCpu(c: GemmCase): CpuResult {
  const p = plan(c);
  const index = c.nodeIndex ?? 0;
  const ctx = (stream: number): CpuContext => ({ training: c.training ?? false, seed: c.seed ?? 1, step: c.step ?? 0, stream });
  const specs = paramSpecs(c);
  const params = specs.map((t, k) => {
    const q = c.paramQuantizers?.[k];
    const master = tensorOf(t);
    if (!q) return master;
    const draw = q.round === 'stochastic' && c.training ? uniformStream(c.seed ?? 1, c.step ?? 0, paramQuantizerStream(index, k)) : undefined;
    return { shape: master.shape, data: quantizeTensor(master.data, q, draw) };
  });
  const own = c.op.cpu.forward({
    inputs: [tensorOf(c.x)],
    params,
    attrs: p.attrs,
    inputTypes: [{ dtype: c.x.type, shape: c.x.shape }],
    paramTypes: specs.map((t, k) => c.paramQuantizers?.[k] ?? t.type),
    outType: p.stages.length === 0 ? p.outType : p.ownType,
    ctx: ctx(nodeStream(index)),
    accumulate: c.accumulate ?? 'f32',
  });
  let y = own;
  let before = y;
  p.stages.forEach((s, k) => {
    before = y;
    const outType = k === p.stages.length - 1 ? p.outType : s.outType;
    y = s.op.cpu.forward({ inputs: [y], params: [], attrs: s.attrs, inputTypes: [s.inType], paramTypes: [], outType, ctx: ctx(nodeStream(index)) });
  });
  const final = p.outType.dtype;
  if (isFixed(final) && !allCodesOf(y.data, final)) {
    before = y;
    y = quantizeOp.cpu.forward({
      inputs: [y],
      params: [],
      attrs: { to: final, ste: 'identity' },
      inputTypes: [{ dtype: F32, shape: y.shape }],
      paramTypes: [],
      outType: p.outType,
      ctx: ctx(outputEnforcementStream(index)),
    });
  }
  return { output: y, own, beforeLast: before };
}

/** The KernelRequest of the case (tensor ids: x, p0, p1, out). */
export function requestOf(c: GemmCase, caps: WgslCapabilities, weightChunking?: KernelTensor['chunking']): KernelRequest {
  const p = plan(c);
  const index = c.nodeIndex ?? 0;
  const training = c.training ?? false;
  const specs = paramSpecs(c);
  return {
    capabilities: c.capabilities ?? caps,
    node: 'n',
    inputs: [{ id: 'x', type: c.x.type, shape: [...c.x.shape] }],
    params: specs.map((t, k) => ({ id: `p${k}`, type: t.type, shape: [...t.shape], ...(k === 0 && weightChunking ? { chunking: weightChunking } : {}) })),
    paramQuantizers: specs.map((_, k) => c.paramQuantizers?.[k]),
    paramQuantizerStreams: specs.map((_, k) => (c.paramQuantizers?.[k]?.round === 'stochastic' && training ? paramQuantizerStream(index, k) : undefined)),
    output: { id: 'out', type: p.outType.dtype, shape: [...p.outType.shape] },
    attrs: p.attrs,
    epilogue: p.stages.map((s, k) => {
      const f = s.op.wgsl?.elementwise;
      if (!f) throw new Error(`${s.op.name} has no wgsl.elementwise`);
      return f(s.attrs, s.inType.dtype, { training, stream: nodeStream(index), rngPrefix: `ep${k}` });
    }),
    accumulate: c.accumulate ?? 'f32',
    training,
    stream: nodeStream(index),
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
    this.tensors.x = tensorFromValues(d, c.x.type, c.x.values, { label: 'x' });
    const w = tensorFromValues(d, c.weights.type, c.weights.values, { label: 'p0', chunkElements: c.weightChunkElements });
    this.tensors.p0 = w;
    this.weightChunking = chunkingOf(w);
    if (c.weightChunkElements !== undefined) expect(this.weightChunking, 'the weights are split into chunks').toBeDefined();
    if (c.bias) this.tensors.p1 = tensorFromValues(d, c.bias.type, c.bias.values, { label: 'p1' });
    const p = plan(c);
    this.tensors.out = createTensor(d, p.outType.dtype, p.outType.shape.reduce((a, x) => a * x, 1), { label: 'out' });
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

/** Fills the op's attribute defaults, as lowering does before any backend sees a node. */
export function withDefaults(op: OpDef, attrs: Attrs = {}): Attrs {
  const out: Attrs = {};
  for (const [name, spec] of Object.entries(op.attrs)) {
    const v: AttrValue | undefined = attrs[name] ?? spec.default;
    if (v !== undefined) out[name] = v;
  }
  return out;
}

/** Deterministic xorshift in [0, 1), so failures reproduce. */
export function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

/**
 * A tensor of random values of type t: f32 values in [-scale, scale), or codes spread over the
 * type's range (at most +-codeLimit when given).
 */
export function tensorSpec(type: NumberType, shape: number[], seed: number, scale = 1, codeLimit = Infinity): TensorSpec {
  const r = random(seed);
  const count = shape.reduce((a, d) => a * d, 1);
  const values = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    if (type.kind === 'fixed') {
      const range = codeRange(type);
      const kmin = Math.max(range.kmin, -codeLimit);
      const kmax = Math.min(range.kmax, codeLimit);
      values[i] = (kmin + Math.floor(r() * (kmax - kmin + 1))) * 2 ** -type.fracBits;
    } else {
      values[i] = Math.fround((r() * 2 - 1) * scale);
    }
  }
  return { type, shape, values };
}

function same(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/** Bit-exact values (+0 and -0 equal: stored codes have one zero); lists the first mismatches. */
export function expectExact(got: ArrayLike<number>, want: ArrayLike<number>, what = ''): void {
  expect(got.length, `${what} length`).toBe(want.length);
  const bad: string[] = [];
  for (let i = 0; i < want.length && bad.length < 10; i++) if (!same(got[i], want[i])) bad.push(`[${i}] gpu ${got[i]} cpu ${want[i]}`);
  expect(bad, what).toEqual([]);
}

/** |a - b| <= tol * max(1, |b|): SEMANTICS.md section 4's f32 tolerance. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what = '', tol = 1e-5): void {
  expect(got.length, `${what} length`).toBe(want.length);
  const bad: string[] = [];
  for (let i = 0; i < want.length && bad.length < 10; i++) {
    if (!same(got[i], want[i]) && !(Math.abs(got[i] - want[i]) <= tol * Math.max(1, Math.abs(want[i])))) bad.push(`[${i}] gpu ${got[i]} cpu ${want[i]}`);
  }
  expect(bad, what).toEqual([]);
}

/**
 * Fixed-point outputs of an f32 accumulation (SEMANTICS.md section 4): each code equals the
 * reference's, or lies between Q(v - e) and Q(v + e) where v is the value the last quantizer saw
 * and e = tol * max(1, |v|) (the value was within the tolerance of a rounding boundary), with the
 * same stochastic draw (`draw`, for training). Such differences must be rare.
 */
export function expectCodesNear(got: ArrayLike<number>, want: ArrayLike<number>, pre: ArrayLike<number>, t: FixedType, what = '', draw?: (i: number) => number, tol = 1e-5): void {
  const bad: string[] = [];
  let boundary = 0;
  for (let i = 0; i < want.length && bad.length < 10; i++) {
    if (same(got[i], want[i])) continue;
    const e = tol * Math.max(1, Math.abs(pre[i]));
    const u = draw?.(i);
    const lo = quantizeCode(pre[i] - e, t, u);
    const hi = quantizeCode(pre[i] + e, t, u);
    const k = got[i] * 2 ** t.fracBits;
    if (k >= Math.min(lo, hi) && k <= Math.max(lo, hi)) boundary++;
    else bad.push(`[${i}] gpu ${got[i]} cpu ${want[i]} (before rounding ${pre[i]})`);
  }
  expect(bad, what).toEqual([]);
  expect(boundary, `${what}: codes off by a boundary`).toBeLessThanOrEqual(Math.max(2, want.length / 50));
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
      else if (opts.expect === 'close') expectClose(got, want, what);
      else {
        const t = requestOf(c, h.wgsl).output.type;
        if (t.kind !== 'fixed') throw new Error('the boundary rule needs a fixed output');
        const last = c.epilogue?.[c.epilogue.length - 1];
        const draws = c.training && t.round === 'stochastic' && last?.op === quantizeOp;
        const draw = draws ? uniformStream(c.seed ?? 1, c.step ?? 0, nodeStream(c.nodeIndex ?? 0)) : undefined;
        expectCodesNear(got, want, cpu.beforeLast.data, t, what, draw);
      }
    }
  } finally {
    g.destroy();
  }
  return names;
}
