/**
 * Parity of an op's WGSL forward against its CPU reference, the way the executors run a (fused)
 * node: the op, then its epilogue stages, then the output type's enforcement (the CPU executor,
 * src/runtime/cpu/node-stages.ts). The GPU side builds a KernelRequest, runs the dispatches with
 * test/helpers/run-dispatches.ts and reads the output back.
 */
import { expect } from 'vitest';
import type { WgslCapabilities } from '../../../../src/codegen/wgsl/lib/capabilities.js';
import type { KernelDispatch, KernelRequest, KernelTensor } from '../../../../src/codegen/wgsl/lib/kernel.js';
import type { Attrs, AttrValue, TensorType } from '../../../../src/ir/graph.js';
import { nodeStream, outputEnforcementStream, paramQuantizerStream } from '../../../../src/ir/streams.js';
import { codeRange, F32, fixed, I32, isFixed, type FixedType, type NumberType } from '../../../../src/numeric/number-type.js';
import { quantizeCode, quantizeTensor } from '../../../../src/numeric/quantize.js';
import { uniformStream } from '../../../../src/numeric/rng.js';
import type { Tensor } from '../../../../src/numeric/tensor.js';
import type { CpuContext, OpDef } from '../../../../src/ops/op-def.js';
import { quantizeOp } from '../../../../src/ops/quantize.js';
import { allCodesOf } from '../../../../src/runtime/cpu/node-stages.js';
import { chunkingOf, createTensor, readValues, tensorFromValues, type GpuTensor } from '../../../../src/runtime/webgpu/buffers.js';
import { testRandom } from '../../../helpers/gradcheck.js';
import { runDispatches } from '../../../helpers/run-dispatches.js';
import type { GpuHarness } from '../gpu-harness.js';

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

export interface ParityCase {
  op: OpDef;
  inputs: TensorSpec[];
  params?: TensorSpec[];
  /** Per parameter: round it to this type while loading (training masters). */
  paramQuantizers?: (FixedType | undefined)[];
  attrs?: Attrs;
  /** The op's own output type; default its inferType (else f32). */
  ownType?: NumberType;
  epilogue?: StageSpec[];
  /** The stored output type; default the last stage's type. */
  outType?: NumberType;
  training?: boolean;
  seed?: number;
  step?: number;
  /** The node's index in the planned graph (its stream). */
  nodeIndex?: number;
  capabilities?: WgslCapabilities;
  /** Split every tensor into bindings of this many elements (the planner's chunking of large tensors). */
  chunkElements?: number;
  /** How conv and dense accumulate (default f32). */
  accumulate?: 'f32' | 'exact';
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

interface Plan {
  attrs: Attrs;
  ownType: TensorType;
  stages: { op: OpDef; attrs: Attrs; inType: TensorType; outType: TensorType }[];
  outType: TensorType;
}

function plan(c: ParityCase): Plan {
  const attrs = withDefaults(c.op, c.attrs);
  const inputTypes = c.inputs.map((t) => ({ dtype: t.type, shape: t.shape }));
  const shape = c.op.inferShape(inputTypes, attrs);
  if (!shape.ok) throw new Error(`inferShape: ${shape.message}`);
  const ownType = { dtype: c.ownType ?? c.op.inferType?.(inputTypes, attrs) ?? F32, shape: shape.shape };
  const stages: Plan['stages'] = [];
  let prev = ownType;
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

/** The CPU executor's result for the node, and the value before its last stage (for boundary checks). */
export interface CpuResult {
  output: Tensor;
  /** The op's own result (before the epilogue). */
  own: Tensor;
  /** The value the last rounding step saw (for the boundary rule of f32 paths). */
  beforeLast: Tensor;
}

export function runCpu(c: ParityCase): CpuResult {
  const p = plan(c);
  const index = c.nodeIndex ?? 0;
  const ctx = (stream: number): CpuContext => ({ training: c.training ?? false, seed: c.seed ?? 1, step: c.step ?? 0, stream });
  const params = (c.params ?? []).map((t, k) => {
    const q = c.paramQuantizers?.[k];
    const master = tensorOf(t);
    if (!q) return master;
    const draw = q.round === 'stochastic' && c.training ? uniformStream(c.seed ?? 1, c.step ?? 0, paramQuantizerStream(index, k)) : undefined;
    return { shape: master.shape, data: quantizeTensor(master.data, q, draw) };
  });
  const last = p.stages.length === 0 ? p.outType : p.ownType;
  const own = c.op.cpu.forward({
    inputs: c.inputs.map(tensorOf),
    params,
    attrs: p.attrs,
    inputTypes: c.inputs.map((t) => ({ dtype: t.type, shape: t.shape })),
    paramTypes: (c.params ?? []).map((t, k) => c.paramQuantizers?.[k] ?? t.type),
    outType: last,
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

/** The KernelRequest of the case (tensor ids: in0.., p0.., out). */
export function requestOf(c: ParityCase, caps: WgslCapabilities): KernelRequest {
  const p = plan(c);
  const index = c.nodeIndex ?? 0;
  const training = c.training ?? false;
  const tensor = (id: string, t: { type: NumberType; shape: readonly number[] }): KernelTensor => {
    const count = t.shape.reduce((a, d) => a * d, 1);
    const chunks = c.chunkElements ? Math.max(1, Math.ceil(count / c.chunkElements)) : 1;
    return { id, type: t.type, shape: [...t.shape], ...(chunks > 1 ? { chunking: { chunks, chunkElements: c.chunkElements as number } } : {}) };
  };
  return {
    capabilities: c.capabilities ?? caps,
    node: 'n',
    inputs: c.inputs.map((t, k) => tensor(`in${k}`, t)),
    params: (c.params ?? []).map((t, k) => tensor(`p${k}`, t)),
    paramQuantizers: (c.params ?? []).map((_, k) => c.paramQuantizers?.[k]),
    paramQuantizerStreams: (c.params ?? []).map((_, k) => (c.paramQuantizers?.[k] ? paramQuantizerStream(index, k) : undefined)),
    output: tensor('out', { type: p.outType.dtype, shape: p.outType.shape }),
    attrs: p.attrs,
    epilogue: p.stages.map((s, k) => {
      const f = s.op.wgsl?.elementwise;
      if (!f) throw new Error(`${s.op.name} has no wgsl.elementwise`);
      return f(s.attrs, s.inType.dtype, { training, stream: nodeStream(index), rngPrefix: `ep${k}` });
    }),
    accumulate: c.accumulate ?? 'f32',
    training,
    stream: nodeStream(index),
  };
}

/** Runs the op's dispatches on the device; returns the output's values and the dispatches. */
export async function runGpu(h: GpuHarness, c: ParityCase): Promise<{ output: Float64Array; dispatches: KernelDispatch[] }> {
  const op = c.op.wgsl;
  if (!op) throw new Error(`${c.op.name} has no wgsl facet`);
  const req = requestOf(c, h.wgsl);
  const dispatches = op.forward(req);
  const tensors: Record<string, GpuTensor> = {};
  const chunkElements = c.chunkElements;
  c.inputs.forEach((t, k) => (tensors[`in${k}`] = tensorFromValues(h.device, t.type, t.values, { label: `in${k}`, chunkElements })));
  (c.params ?? []).forEach((t, k) => (tensors[`p${k}`] = tensorFromValues(h.device, t.type, t.values, { label: `p${k}`, chunkElements })));
  const count = req.output.shape.reduce((a, d) => a * d, 1);
  tensors.out = createTensor(h.device, req.output.type, count, { label: 'out', chunkElements });
  for (const t of [...req.inputs, ...req.params, req.output]) {
    const chunking = chunkingOf(tensors[t.id]);
    expect(chunking, `chunking of ${t.id}`).toEqual(t.chunking);
  }
  try {
    await runDispatches(h.device, h.cache, dispatches, tensors, { seed: c.seed, step: c.step });
    return { output: await readValues(h.device, tensors.out), dispatches };
  } finally {
    for (const t of Object.values(tensors)) t.destroy();
  }
}

function same(a: number, b: number): boolean {
  return a === b || (Number.isNaN(a) && Number.isNaN(b));
}

/** Bit-exact values (+0 and -0 count as equal: stored codes have one zero); lists the first mismatches. */
export function expectExact(got: ArrayLike<number>, want: ArrayLike<number>, what = ''): void {
  expect(got.length, `${what} length`).toBe(want.length);
  const bad: string[] = [];
  for (let i = 0; i < want.length && bad.length < 10; i++) if (!same(got[i], want[i])) bad.push(`[${i}] gpu ${got[i]} cpu ${want[i]}`);
  expect(bad, what).toEqual([]);
}

/** |a - b| <= tol * max(1, |b|) (SEMANTICS.md section 4's f32 tolerance by default). */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, tol = 1e-5, what = ''): void {
  expect(got.length, `${what} length`).toBe(want.length);
  const bad: string[] = [];
  for (let i = 0; i < want.length && bad.length < 10; i++) {
    const ok = same(got[i], want[i]) || Math.abs(got[i] - want[i]) <= tol * Math.max(1, Math.abs(want[i]));
    if (!ok) bad.push(`[${i}] gpu ${got[i]} cpu ${want[i]} (diff ${Math.abs(got[i] - want[i])})`);
  }
  expect(bad, what).toEqual([]);
}

/**
 * Fixed-point outputs of an f32 path (SEMANTICS.md section 4): each code equals the reference's,
 * or differs where the value before the final quantizer lies within the tolerance of a rounding
 * boundary, i.e. the code is between Q(v - e) and Q(v + e), e = tol * max(1, |v|), with the same
 * stochastic draw. `draw` gives that draw (training stochastic types), else undefined.
 */
export function expectCodesNear(got: ArrayLike<number>, want: ArrayLike<number>, pre: ArrayLike<number>, t: FixedType, tol = 1e-5, draw?: (i: number) => number, what = ''): void {
  const scale = 2 ** t.fracBits;
  const bad: string[] = [];
  let boundary = 0;
  for (let i = 0; i < want.length && bad.length < 10; i++) {
    if (same(got[i], want[i])) continue;
    const e = tol * Math.max(1, Math.abs(pre[i]));
    const u = draw?.(i);
    const lo = quantizeCode(pre[i] - e, t, u);
    const hi = quantizeCode(pre[i] + e, t, u);
    const k = got[i] * scale;
    if (k >= Math.min(lo, hi) && k <= Math.max(lo, hi)) boundary++;
    else bad.push(`[${i}] gpu ${got[i]} cpu ${want[i]} (pre ${pre[i]})`);
  }
  expect(bad, what).toEqual([]);
  // near-boundary differences are rare; many of them would mean a systematic error
  expect(boundary, `${what}: codes off by a boundary`).toBeLessThanOrEqual(Math.max(2, want.length / 50));
}

/** Deterministic numbers in [0, 1), so failures reproduce: testRandom's xorshift, rescaled (exactly). */
export function random(seed: number): () => number {
  const r = testRandom(seed);
  return () => (r() + 1) / 2;
}

/**
 * `count` real values of type t: f32 values in [-scale, scale), or random codes spanning the type's
 * range (at most +-codeLimit when given).
 */
export function randomValues(t: NumberType, count: number, seed: number, scale = 4, codeLimit = Infinity): Float64Array {
  const r = random(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    if (t.kind === 'fixed') {
      const range = codeRange(t);
      const kmin = Math.max(range.kmin, -codeLimit);
      const kmax = Math.min(range.kmax, codeLimit);
      out[i] = (kmin + Math.floor(r() * (kmax - kmin + 1))) * 2 ** -t.fracBits;
    } else if (t.kind === 'i32') {
      out[i] = Math.floor((r() - 0.5) * 200);
    } else {
      out[i] = Math.fround((r() * 2 - 1) * scale);
    }
  }
  return out;
}

export function tensorSpec(type: NumberType, shape: number[], seed: number, scale = 4, codeLimit = Infinity): TensorSpec {
  return { type, shape, values: randomValues(type, shape.reduce((a, d) => a * d, 1), seed, scale, codeLimit) };
}

/** Codes of magnitude below 2^24 are exact in f32: inputs of f32 paths stay exact whatever their width. */
export const F32_EXACT_CODES = 2 ** 24 - 1;

/** Types of the copy kernels' tests (reshape, flatten): f32, 8-, 16- and 32-bit fixed, i32. */
export const COPY_TYPES: [string, NumberType][] = [
  ['f32', F32],
  ['fixed<2, 6>', fixed(2, 6)],
  ['fixed<9, 7, wrap>', fixed(9, 7, 'nearest', 'wrap')],
  ['fixed<16, 16, saturate>', fixed(16, 16, 'nearest', 'saturate')],
  ['i32', I32],
];

/** Class labels in 0..classes-1 (values of `type`), with every `ignoreEvery`-th one set to `ignore`. */
export function labels(count: number, classes: number, seed: number, type: NumberType = I32, ignore?: number, ignoreEvery = 0): TensorSpec {
  const r = random(seed);
  const values = Array.from({ length: count }, (_, i) => (ignore !== undefined && ignoreEvery > 0 && i % ignoreEvery === 0 ? ignore : Math.floor(r() * classes)));
  return { type, shape: [count], values };
}

/** Runs both backends on a case. */
export async function parity(h: GpuHarness, c: ParityCase): Promise<{ gpu: Float64Array; cpu: Tensor; beforeLast: Tensor; dispatches: KernelDispatch[] }> {
  const cpu = runCpu(c);
  const g = await runGpu(h, c);
  expect(g.output.length).toBe(cpu.output.data.length);
  return { gpu: g.output, cpu: cpu.output, beforeLast: cpu.beforeLast, dispatches: g.dispatches };
}
