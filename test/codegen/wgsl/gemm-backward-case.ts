/**
 * Parity of the conv / dense WGSL backward (src/codegen/wgsl/lib/templates/gemm-backward.ts)
 * against the CPU reference, run the way the CPU executor runs a fused node's backward
 * (src/runtime/cpu/node-stages.ts and backward.ts): parameters rounded by their quantizers with the
 * forward's draws, the op's forward (the saved pre-epilogue value), the epilogue stages forward,
 * their backward in reverse, the op's backward with the quantized parameters, the quantizers'
 * straight-through backward to the masters, and fan-out accumulation as one f32 add.
 *
 * The GPU side gets the CPU's pre-epilogue value (what the forward kernel saved), builds the
 * KernelBackwardRequest and runs the dispatches with test/helpers/run-dispatches.ts.
 */
import { expect } from 'vitest';
import type { KernelBackwardRequest, KernelDispatch, KernelTensor } from '../../../src/codegen/wgsl/lib/kernel.js';
import type { Attrs, TensorType } from '../../../src/ir/graph.js';
import { nodeStream, paramQuantizerStream } from '../../../src/ir/streams.js';
import { F32, type FixedType, type NumberType } from '../../../src/numeric/number-type.js';
import { quantizeTensor } from '../../../src/numeric/quantize.js';
import { uniformStream } from '../../../src/numeric/rng.js';
import type { Tensor } from '../../../src/numeric/tensor.js';
import type { CpuContext, OpDef } from '../../../src/ops/op-def.js';
import { quantizeOp } from '../../../src/ops/quantize.js';
import { chunkingOf, createTensor, readValues, tensorFromValues, uploadValues, type GpuTensor } from '../../../src/runtime/webgpu/buffers.js';
import { testRandom } from '../../helpers/gradcheck.js';
import { runDispatches } from '../../helpers/run-dispatches.js';
import type { GpuHarness } from './gpu-harness.js';
import { withDefaults, type StageSpec } from './ops/op-parity.js';

export interface BackwardCase {
  op: OpDef;
  attrs: Attrs;
  /** The data input: its number type, shape and real values (codes * 2^-F for fixed types). */
  x: { type: NumberType; shape: number[]; values: ArrayLike<number> };
  /** f32 master values of each parameter (shapes from the op's params()). */
  params: ArrayLike<number>[];
  paramQuantizers?: (FixedType | undefined)[];
  paramSte?: ('identity' | 'clipped' | undefined)[];
  epilogue?: StageSpec[];
  /** dL/d(node output). */
  gradOutput: ArrayLike<number>;
  /** Which gradients the step wants (default all). */
  wantInput?: boolean;
  wantParams?: boolean[];
  /** Add into this previous content of the input gradient (fan-out). */
  accumulateInto?: ArrayLike<number>;
  training?: boolean;
  seed?: number;
  step?: number;
  nodeIndex?: number;
  config?: Record<string, number>;
  /** Chunk size (elements) forced on the weights and their gradient, to exercise chunked bindings. */
  weightChunkElements?: number;
}

export interface BackwardResult {
  /** Input gradient, parameter gradients (undefined where not requested). */
  dx?: Float64Array;
  dparams: (Float64Array | undefined)[];
}

export interface CpuBackward extends BackwardResult {
  /**
   * Per element, the sum of the absolute values of the terms of its reduction (the op's backward
   * on |x|, |Q(W)| and |dL/d(op result)|: the backward is linear in each): f32 summation in any
   * order stays within n * 2^-24 times this of the exact sum, n the number of terms.
   */
  dxAbs: Float64Array;
  dparamsAbs: Float64Array[];
}

interface Prepared {
  attrs: Attrs;
  inputType: TensorType;
  paramShapes: number[][];
  outShape: number[];
  pre: Tensor;
}

const tensorOf = (shape: number[], values: ArrayLike<number>): Tensor => ({ shape: [...shape], data: Float64Array.from(values) });

function ctxOf(c: BackwardCase, stream: number): CpuContext {
  return { training: c.training ?? true, seed: c.seed ?? 1, step: c.step ?? 0, stream };
}

function quantizedParams(c: BackwardCase, shapes: number[][]): Tensor[] {
  const index = c.nodeIndex ?? 0;
  return shapes.map((shape, p) => {
    const master = tensorOf(shape, c.params[p]);
    const q = c.paramQuantizers?.[p];
    if (!q) return master;
    const draw = q.round === 'stochastic' && (c.training ?? true) ? uniformStream(c.seed ?? 1, c.step ?? 0, paramQuantizerStream(index, p)) : undefined;
    return { shape, data: quantizeTensor(master.data, q, draw) };
  });
}

const prepared = new WeakMap<BackwardCase, Prepared>();

/** The case's shapes and the CPU forward's pre-epilogue value (memoized: the forward is the slow part). */
function prepare(c: BackwardCase): Prepared {
  const known = prepared.get(c);
  if (known) return known;
  const p = computePrepared(c);
  prepared.set(c, p);
  return p;
}

function computePrepared(c: BackwardCase): Prepared {
  const attrs = withDefaults(c.op, c.attrs);
  const inputType: TensorType = { dtype: c.x.type, shape: c.x.shape };
  const shape = c.op.inferShape([inputType], attrs);
  if (!shape.ok) throw new Error(`inferShape: ${shape.message}`);
  const paramShapes = (c.op.params?.(attrs, [inputType]) ?? []).map((p) => p.shape);
  const params = quantizedParams(c, paramShapes);
  const pre = c.op.cpu.forward({
    inputs: [tensorOf(c.x.shape, c.x.values)],
    params,
    attrs,
    inputTypes: [inputType],
    paramTypes: paramShapes.map((_, p) => c.paramQuantizers?.[p] ?? F32),
    outType: { dtype: F32, shape: shape.shape },
    ctx: ctxOf(c, nodeStream(c.nodeIndex ?? 0)),
    accumulate: 'f32',
  });
  return { attrs, inputType, paramShapes, outShape: shape.shape, pre };
}

/** The stages of the epilogue: attributes defaulted, input and output types. */
function stagesOf(c: BackwardCase, outShape: number[]) {
  let prev: TensorType = { dtype: F32, shape: outShape };
  return (c.epilogue ?? []).map((s) => {
    const attrs = withDefaults(s.op, s.attrs);
    const outType: TensorType = { dtype: s.op.inferType?.([prev], attrs) ?? F32, shape: outShape };
    const stage = { op: s.op, attrs, inType: prev, outType };
    prev = outType;
    return stage;
  });
}

export function runCpuBackward(c: BackwardCase): CpuBackward {
  const p = prepare(c);
  const ctx = ctxOf(c, nodeStream(c.nodeIndex ?? 0));
  const stages = stagesOf(c, p.outShape);
  // forward through the stages, keeping every value
  const values = [p.pre];
  for (const s of stages) {
    values.push(s.op.cpu.forward({ inputs: [values[values.length - 1]], params: [], attrs: s.attrs, inputTypes: [s.inType], paramTypes: [], outType: s.outType, ctx }));
  }
  let grad = tensorOf(p.outShape, c.gradOutput);
  for (let k = stages.length - 1; k >= 0; k--) {
    const s = stages[k];
    const backward = s.op.cpu.backward;
    if (!backward) throw new Error(`${s.op.name} has no backward`);
    const args = { inputs: [values[k]], params: [], attrs: s.attrs, inputTypes: [s.inType], paramTypes: [], outType: s.outType, ctx };
    grad = backward({ ...args, output: values[k + 1], gradOutput: grad }).inputs[0] ?? grad;
  }

  const params = quantizedParams(c, p.paramShapes);
  const x = tensorOf(c.x.shape, c.x.values);
  const opBackward = (xs: Tensor, ps: Tensor[], g: Tensor) => {
    const backward = c.op.cpu.backward;
    if (!backward) throw new Error(`${c.op.name} has no backward`);
    const args = {
      inputs: [xs],
      params: ps,
      attrs: p.attrs,
      inputTypes: [p.inputType],
      paramTypes: p.paramShapes.map((_, k) => c.paramQuantizers?.[k] ?? F32),
      outType: { dtype: F32, shape: p.outShape },
      ctx,
    };
    return backward({ ...args, output: p.pre, gradOutput: g });
  };
  const r = opBackward(x, params, grad);
  const abs = (t: Tensor): Tensor => ({ shape: t.shape, data: t.data.map(Math.abs) });
  const rAbs = opBackward(abs(x), params.map(abs), abs(grad));

  const wantInput = c.wantInput ?? true;
  let dx = r.inputs[0]?.data;
  if (dx && c.accumulateInto) {
    const prev = c.accumulateInto;
    dx = dx.map((v, i) => Math.fround(prev[i] + v));
  }
  const dparams = r.params.map((g, k) => {
    if (!(c.wantParams?.[k] ?? true)) return undefined;
    const q = c.paramQuantizers?.[k];
    if (!q) return g.data;
    const master = tensorOf(p.paramShapes[k], c.params[k]);
    const ste = quantizeOp.cpu.backward;
    if (!ste) throw new Error('quantize has no backward');
    const args = {
      inputs: [master],
      params: [],
      attrs: { to: q, ste: c.paramSte?.[k] ?? 'identity' },
      inputTypes: [{ dtype: F32, shape: master.shape }],
      paramTypes: [],
      outType: { dtype: q, shape: master.shape },
      ctx: ctxOf(c, paramQuantizerStream(c.nodeIndex ?? 0, k)),
    };
    return ste({ ...args, output: master, gradOutput: g }).inputs[0]?.data;
  });
  return {
    dx: wantInput ? dx : undefined,
    dparams,
    dxAbs: rAbs.inputs[0]?.data ?? new Float64Array(0),
    dparamsAbs: rAbs.params.map((t) => t.data),
  };
}

/** The request the planner would build for the case (tensor ids x, p<k>, dy, pre, dx, dp<k>). */
export function backwardRequest(c: BackwardCase, h: GpuHarness, chunked: Record<string, GpuTensor> = {}): KernelBackwardRequest {
  const p = prepare(c);
  const index = c.nodeIndex ?? 0;
  const training = c.training ?? true;
  const stages = stagesOf(c, p.outShape);
  const t = (id: string, type: NumberType, shape: readonly number[]): KernelTensor => {
    const chunking = chunked[id] ? chunkingOf(chunked[id]) : undefined;
    return { id, type, shape: [...shape], ...(chunking ? { chunking } : {}) };
  };
  const quantizers = p.paramShapes.map((_, k) => c.paramQuantizers?.[k]);
  return {
    capabilities: h.wgsl,
    node: 'n',
    inputs: [t('x', c.x.type, c.x.shape)],
    params: p.paramShapes.map((s, k) => t(`p${k}`, F32, s)),
    paramQuantizers: quantizers,
    paramQuantizerStreams: quantizers.map((q, k) => (q ? paramQuantizerStream(index, k) : undefined)),
    paramQuantizerSte: p.paramShapes.map((_, k) => c.paramSte?.[k]),
    output: t('y', stages.length > 0 ? stages[stages.length - 1].outType.dtype : F32, p.outShape),
    attrs: p.attrs,
    epilogue: stages.map((s, k) => {
      const f = s.op.wgsl?.elementwise;
      if (!f) throw new Error(`${s.op.name} has no wgsl.elementwise`);
      return f(s.attrs, s.inType.dtype, { training, stream: nodeStream(index), rngPrefix: `ep${k}` });
    }),
    accumulate: 'f32',
    training,
    stream: nodeStream(index),
    ...(c.config ? { config: c.config } : {}),
    gradOutput: t('dy', F32, p.outShape),
    ...(stages.length > 0 ? { preEpilogue: t('pre', F32, p.outShape) } : {}),
    gradInputs: [(c.wantInput ?? true) ? t('dx', F32, c.x.shape) : undefined],
    gradParams: p.paramShapes.map((s, k) => ((c.wantParams?.[k] ?? true) ? t(`dp${k}`, F32, s) : undefined)),
    accumulateInputs: [c.accumulateInto !== undefined],
  };
}

/** Runs the op's WGSL backward for the case; returns the gradients and the dispatches. */
export async function runGpuBackward(h: GpuHarness, c: BackwardCase): Promise<BackwardResult & { dispatches: KernelDispatch[] }> {
  const backward = c.op.wgsl?.backward;
  if (!backward) throw new Error(`${c.op.name} has no wgsl.backward`);
  const p = prepare(c);
  const d = h.device;
  const count = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);
  const chunk = (id: string) => (c.weightChunkElements !== undefined && (id === 'p0' || id === 'dp0') ? { chunkElements: c.weightChunkElements } : {});
  const tensors: Record<string, GpuTensor> = {};
  try {
    tensors.x = tensorFromValues(d, c.x.type, c.x.values, { label: 'x' });
    p.paramShapes.forEach((_, k) => (tensors[`p${k}`] = tensorFromValues(d, F32, c.params[k], { label: `p${k}`, ...chunk(`p${k}`) })));
    tensors.dy = tensorFromValues(d, F32, c.gradOutput, { label: 'dy' });
    if ((c.epilogue ?? []).length > 0) tensors.pre = tensorFromValues(d, F32, p.pre.data, { label: 'pre' });
    if (c.wantInput ?? true) {
      tensors.dx = createTensor(d, F32, count(c.x.shape), { label: 'dx' });
      if (c.accumulateInto) uploadValues(d, tensors.dx, c.accumulateInto);
    }
    p.paramShapes.forEach((s, k) => {
      if (c.wantParams?.[k] ?? true) tensors[`dp${k}`] = createTensor(d, F32, count(s), { label: `dp${k}`, ...chunk(`dp${k}`) });
    });
    const req = backwardRequest(c, h, tensors);
    const dispatches = backward(req);
    await runDispatches(d, h.cache, dispatches, tensors, { seed: c.seed, step: c.step });
    const read = async (id: string) => (tensors[id] ? await readValues(d, tensors[id]) : undefined);
    const dparams: (Float64Array | undefined)[] = [];
    for (let k = 0; k < p.paramShapes.length; k++) dparams.push(await read(`dp${k}`));
    return { dx: await read('dx'), dparams, dispatches };
  } finally {
    for (const t of Object.values(tensors)) t.destroy();
  }
}

/** Test data: `n` values in [-scale, scale), rounded to f32. */
export function randomValues(n: number, rand: () => number, scale = 1): Float64Array {
  return Float64Array.from({ length: n }, () => Math.fround(rand() * scale));
}

/** Test data on a fixed type's grid: codes spread over its range. */
export function randomCodesOf(t: FixedType, n: number, rand: () => number): Float64Array {
  const kmax = 2 ** (t.intBits + t.fracBits - 1) - 1;
  return Float64Array.from({ length: n }, () => Math.round(rand() * kmax) * 2 ** -t.fracBits);
}

/** SEMANTICS.md section 4's f32 tolerance: |a - b| <= 1e-5 * max(1, |b|). */
export const F32_TOLERANCE = 1e-5;

/**
 * The largest |gpu - cpu| / (1e-5 * max(1, |cpu|)) over the elements: at most 1 when the contract's
 * tolerance holds; `factor` widens it for long reductions (each test states why). Lists the worst
 * elements when the check fails.
 */
export function gradientError(got: ArrayLike<number> | undefined, want: ArrayLike<number> | undefined): { worst: number; where: string } {
  if (!got || !want) throw new Error(`gradient missing: gpu ${got ? 'present' : 'missing'}, cpu ${want ? 'present' : 'missing'}`);
  if (got.length !== want.length) throw new Error(`gradient lengths differ: gpu ${got.length}, cpu ${want.length}`);
  let worst = 0;
  let where = 'none';
  for (let i = 0; i < want.length; i++) {
    const r = Math.abs(got[i] - want[i]) / (F32_TOLERANCE * Math.max(1, Math.abs(want[i])));
    if (!(r <= worst)) {
      worst = Number.isNaN(r) ? Infinity : r;
      where = `[${i}] gpu ${got[i]} cpu ${want[i]}`;
    }
  }
  return { worst, where };
}

/** A layer of the backward tests: its input shape and the op's attributes. */
export interface LayerShape {
  x: number[];
  attrs: Attrs;
}

export const elementsOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** A case of `op` with random data: x in [-1, 1) (or codes of xType), parameters in [-wScale, wScale). */
export function randomBackwardCase(op: OpDef, s: LayerShape, seed: number, extra: Partial<BackwardCase> = {}, wScale = 1, xType?: FixedType): BackwardCase {
  const rand = testRandom(seed);
  const attrs = withDefaults(op, s.attrs);
  const params = (op.params?.(attrs, [{ dtype: F32, shape: s.x }]) ?? []).map((p) => randomValues(elementsOf(p.shape), rand, wScale));
  const out = op.inferShape([{ dtype: F32, shape: s.x }], attrs);
  if (!out.ok) throw new Error(out.message);
  return {
    op,
    attrs: s.attrs,
    x: { type: xType ?? F32, shape: s.x, values: xType ? randomCodesOf(xType, elementsOf(s.x), rand) : randomValues(elementsOf(s.x), rand) },
    params,
    gradOutput: randomValues(elementsOf(out.shape), rand),
    ...extra,
  };
}

/** Runs both sides; every requested gradient within `factor` times the contract's tolerance. Returns the worst ratio. */
export async function checkBackward(h: GpuHarness, c: BackwardCase, factor = 1): Promise<number> {
  const cpu = runCpuBackward(c);
  const gpu = await runGpuBackward(h, c);
  let worst = 0;
  const judge = (got: Float64Array | undefined, want: Float64Array | undefined, what: string) => {
    const e = gradientError(got, want);
    expect(e.worst, `${what}: worst ${e.where}`).toBeLessThanOrEqual(factor);
    worst = Math.max(worst, e.worst);
  };
  if (c.wantInput ?? true) judge(gpu.dx, cpu.dx, 'dx');
  else expect(gpu.dx).toBeUndefined();
  cpu.dparams.forEach((want, k) => {
    if (want) judge(gpu.dparams[k], want, `dparam ${k}`);
  });
  return worst;
}
