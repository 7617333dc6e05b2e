/**
 * Parity of an op's WGSL backward (`wgsl.backward`, src/codegen/wgsl/lib/kernel.ts) against its CPU
 * backward, the way both executors run a (fused) node's backward step: the CPU runs the op and its
 * epilogue stages forward (keeping each stage's arguments), then each stage's backward in reverse
 * and the op's backward (src/runtime/cpu/backward.ts); the GPU gets the forward values the CPU
 * computed (inputs, the op's own result as the saved pre-epilogue value, the node's output), the
 * output gradient, and writes each gradient, which is read back and compared.
 */
import type { KernelBackwardRequest, KernelTensor } from '../../../../src/codegen/wgsl/lib/kernel.js';
import type { TensorType } from '../../../../src/ir/graph.js';
import { nodeStream, paramQuantizerStream } from '../../../../src/ir/streams.js';
import { F32 } from '../../../../src/numeric/number-type.js';
import { quantizeTensor } from '../../../../src/numeric/quantize.js';
import { uniformStream } from '../../../../src/numeric/rng.js';
import type { Tensor } from '../../../../src/numeric/tensor.js';
import type { CpuContext, CpuForwardArgs, OpDef } from '../../../../src/ops/op-def.js';
import { createTensor, readValues, tensorFromValues, type GpuTensor } from '../../../../src/runtime/webgpu/buffers.js';
import { requestOf, withDefaults, type ParityCase } from '../../../codegen/wgsl/ops/op-parity.js';
import type { GpuHarness } from '../../../codegen/wgsl/gpu-harness.js';
import { runDispatches } from '../../../helpers/run-dispatches.js';

export interface BackwardCase extends ParityCase {
  /** dL/d(node output); default random in [-1, 1). */
  gradOutput?: ArrayLike<number>;
  /** Which data inputs get a gradient (default all but integer-typed ones). */
  wantInputs?: boolean[];
  /** Which parameters get a gradient (default all). */
  wantParams?: boolean[];
  /** Values already in the input gradients: the kernel must add to them (accumulateInputs). */
  accumulateInto?: (ArrayLike<number> | undefined)[];
  /** Values already in the parameter gradients (accumulateParams). */
  accumulateParamsInto?: (ArrayLike<number> | undefined)[];
}

export interface BackwardResult {
  /** Per data input: GPU and CPU gradients (undefined where none was asked). */
  inputs: ({ gpu: Float64Array; cpu: Float64Array } | undefined)[];
  params: ({ gpu: Float64Array; cpu: Float64Array } | undefined)[];
  dispatches: number;
}

function tensorOf(values: ArrayLike<number>, shape: readonly number[]): Tensor {
  return { shape: [...shape], data: Float64Array.from(values) };
}

/** Deterministic values in [-1, 1). */
export function signedRandom(count: number, seed: number): Float64Array {
  let s = seed >>> 0 || 1;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = Math.fround((s / 2 ** 32) * 2 - 1);
  }
  return out;
}

interface CpuRun {
  ownType: TensorType;
  own: Tensor;
  output: Tensor;
  gradInputs: (Tensor | undefined)[];
  gradParams: Tensor[];
}

/** The CPU executor's forward and backward of the node. */
function runCpu(c: BackwardCase, gradOutput: Float64Array): CpuRun {
  const attrs = withDefaults(c.op, c.attrs);
  const index = c.nodeIndex ?? 0;
  const training = c.training ?? false;
  const ctx = (stream: number): CpuContext => ({ training, seed: c.seed ?? 1, step: c.step ?? 0, stream });
  const inputTypes = c.inputs.map((t) => ({ dtype: t.type, shape: [...t.shape] }));
  const shape = c.op.inferShape(inputTypes, attrs);
  if (!shape.ok) throw new Error(`inferShape: ${shape.message}`);
  const ownType: TensorType = { dtype: c.ownType ?? c.op.inferType?.(inputTypes, attrs) ?? F32, shape: shape.shape };
  const params = (c.params ?? []).map((t, k) => {
    const q = c.paramQuantizers?.[k];
    const master = tensorOf(t.values, t.shape);
    if (!q) return master;
    const draw = q.round === 'stochastic' && training ? uniformStream(c.seed ?? 1, c.step ?? 0, paramQuantizerStream(index, k)) : undefined;
    return { shape: master.shape, data: quantizeTensor(master.data, q, draw) };
  });
  const stagesSpec = (c.epilogue ?? []).map((s) => ({ op: s.op, attrs: withDefaults(s.op, s.attrs) }));
  const args: CpuForwardArgs = {
    inputs: c.inputs.map((t) => tensorOf(t.values, t.shape)),
    params,
    attrs,
    inputTypes,
    paramTypes: (c.params ?? []).map((t, k) => c.paramQuantizers?.[k] ?? t.type),
    outType: stagesSpec.length === 0 && c.outType ? { dtype: c.outType, shape: shape.shape } : ownType,
    ctx: ctx(nodeStream(index)),
  };
  const own = c.op.cpu.forward(args);
  const stages: { op: OpDef; args: CpuForwardArgs; output: Tensor }[] = [];
  let prev = own;
  let prevType = args.outType;
  stagesSpec.forEach((s, k) => {
    const last = k === stagesSpec.length - 1;
    const outType = { dtype: last && c.outType ? c.outType : (s.op.inferType?.([prevType], s.attrs) ?? F32), shape: shape.shape };
    const sArgs: CpuForwardArgs = { inputs: [prev], params: [], attrs: s.attrs, inputTypes: [prevType], paramTypes: [], outType, ctx: ctx(nodeStream(index)) };
    const out = s.op.cpu.forward(sArgs);
    stages.push({ op: s.op, args: sArgs, output: out });
    prev = out;
    prevType = outType;
  });
  let grad: Tensor = tensorOf(gradOutput, shape.shape);
  for (let k = stages.length - 1; k >= 0; k--) {
    const s = stages[k];
    const r = s.op.cpu.backward!({ ...s.args, output: s.output, gradOutput: grad });
    grad = r.inputs[0]!;
  }
  const r = c.op.cpu.backward!({ ...args, output: own, gradOutput: grad });
  return { ownType, own, output: prev, gradInputs: r.inputs, gradParams: r.params };
}

/** Runs the CPU and the GPU backward of the case and returns both sets of gradients. */
export async function runBackwardParity(h: GpuHarness, c: BackwardCase): Promise<BackwardResult> {
  const wgslFacet = c.op.wgsl;
  if (!wgslFacet?.backward) throw new Error(`${c.op.name} has no wgsl.backward`);
  const base = requestOf(c, h.wgsl);
  const outCount = base.output.shape.reduce((a, d) => a * d, 1);
  const gradOutput = Float64Array.from(c.gradOutput ?? signedRandom(outCount, 77));
  const cpu = runCpu(c, gradOutput);
  const fused = (c.epilogue ?? []).length > 0;
  const f32 = (id: string, shape: readonly number[]): KernelTensor => ({ id, type: F32, shape: [...shape] });
  const wantInputs = c.inputs.map((t, k) => c.wantInputs?.[k] ?? t.type.kind !== 'i32');
  const wantParams = (c.params ?? []).map((_, k) => c.wantParams?.[k] ?? true);
  const req: KernelBackwardRequest = {
    ...base,
    gradOutput: f32('dy', base.output.shape),
    ...(fused ? { preEpilogue: { id: 'pre', type: cpu.ownType.dtype, shape: [...cpu.ownType.shape] } } : {}),
    gradInputs: c.inputs.map((t, k) => (wantInputs[k] ? f32(`gi${k}`, t.shape) : undefined)),
    gradParams: (c.params ?? []).map((t, k) => (wantParams[k] ? f32(`gp${k}`, t.shape) : undefined)),
    accumulateInputs: c.inputs.map((_, k) => c.accumulateInto?.[k] !== undefined),
    accumulateParams: (c.params ?? []).map((_, k) => c.accumulateParamsInto?.[k] !== undefined),
  };
  const dispatches = wgslFacet.backward(req);
  const tensors: Record<string, GpuTensor> = {};
  c.inputs.forEach((t, k) => (tensors[`in${k}`] = tensorFromValues(h.device, t.type, t.values, { label: `in${k}` })));
  (c.params ?? []).forEach((t, k) => (tensors[`p${k}`] = tensorFromValues(h.device, t.type, t.values, { label: `p${k}` })));
  tensors.out = tensorFromValues(h.device, base.output.type, cpu.output.data, { label: 'out' });
  tensors.dy = tensorFromValues(h.device, F32, gradOutput, { label: 'dy' });
  if (fused) tensors.pre = tensorFromValues(h.device, cpu.ownType.dtype, cpu.own.data, { label: 'pre' });
  c.inputs.forEach((t, k) => {
    if (!wantInputs[k]) return;
    const n = t.shape.reduce((a, d) => a * d, 1);
    tensors[`gi${k}`] = c.accumulateInto?.[k] ? tensorFromValues(h.device, F32, c.accumulateInto[k]!, { label: `gi${k}` }) : createTensor(h.device, F32, n, { label: `gi${k}` });
  });
  (c.params ?? []).forEach((t, k) => {
    if (!wantParams[k]) return;
    const n = t.shape.reduce((a, d) => a * d, 1);
    tensors[`gp${k}`] = c.accumulateParamsInto?.[k] ? tensorFromValues(h.device, F32, c.accumulateParamsInto[k]!, { label: `gp${k}` }) : createTensor(h.device, F32, n, { label: `gp${k}` });
  });
  try {
    await runDispatches(h.device, h.cache, dispatches, tensors, { seed: c.seed, step: c.step });
    const plus = (cpuGrad: Float64Array, prior: ArrayLike<number> | undefined) =>
      prior ? Float64Array.from(cpuGrad, (v, i) => Math.fround(prior[i] + v)) : cpuGrad;
    const inputs = await Promise.all(
      c.inputs.map(async (_, k) =>
        wantInputs[k] ? { gpu: await readValues(h.device, tensors[`gi${k}`]), cpu: plus(cpu.gradInputs[k]!.data, c.accumulateInto?.[k]) } : undefined,
      ),
    );
    const params = await Promise.all(
      (c.params ?? []).map(async (_, k) =>
        wantParams[k] ? { gpu: await readValues(h.device, tensors[`gp${k}`]), cpu: plus(cpu.gradParams[k].data, c.accumulateParamsInto?.[k]) } : undefined,
      ),
    );
    return { inputs, params, dispatches: dispatches.length };
  } finally {
    for (const t of Object.values(tensors)) t.destroy();
  }
}

/** Bound for a reduction's f32 result: tol * max(1, sum of |terms|) per element, terms given per element. */
export function expectReductionClose(got: ArrayLike<number>, want: ArrayLike<number>, magnitude: ArrayLike<number>, tol = 1e-5): string[] {
  const bad: string[] = [];
  for (let i = 0; i < want.length && bad.length < 10; i++) {
    if (Math.abs(got[i] - want[i]) > tol * Math.max(1, magnitude[i])) bad.push(`[${i}] gpu ${got[i]} cpu ${want[i]} (|terms| ${magnitude[i]})`);
  }
  return bad;
}
