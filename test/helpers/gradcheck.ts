/**
 * Central finite-difference gradient checks for the CPU reference ops.
 *
 * The forward runs in f64 with f32 rounding of outputs, so differences are taken with a step
 * large enough (h = 1e-2 relative to an input scale of ~1) that f32 output rounding (~6e-8
 * relative) is small against the difference, and compared with a tolerance of
 * |analytic - numeric| <= atol + rtol * |numeric|. Losses are a fixed random projection of the
 * output, L = sum(out * r), so dL/dout = r exercises every output element.
 */
import type { CpuContext, OpDef } from '../../src/ops/op-def.js';
import type { Attrs, TensorType } from '../../src/ir/graph.js';
import type { Tensor } from '../../src/numeric/tensor.js';
import { F32 } from '../../src/numeric/number-type.js';

export interface GradCheckCase {
  op: OpDef;
  inputs: Tensor[];
  params?: Tensor[];
  attrs: Attrs;
  /** Which data inputs to check (default: all). */
  checkInputs?: number[];
  ctx?: Partial<CpuContext>;
  h?: number;
  atol?: number;
  rtol?: number;
}

export interface GradCheckFailure {
  what: string;
  index: number;
  analytic: number;
  numeric: number;
}

/** Deterministic pseudo-random numbers in [-1, 1) for test data (not the product's generator). */
export function testRandom(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return (s / 4294967296) * 2 - 1;
  };
}

export function randomTensor(shape: number[], rand: () => number, scale = 1): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.fround(rand() * scale);
  return { shape: [...shape], data };
}

function tt(t: Tensor): TensorType {
  return { dtype: F32, shape: t.shape };
}

export function gradCheck(c: GradCheckCase): GradCheckFailure[] {
  const params = c.params ?? [];
  const ctx: CpuContext = { training: true, seed: 1, step: 0, stream: 0, ...c.ctx };
  const inputTypes = c.inputs.map(tt);
  const shape = c.op.inferShape(inputTypes, c.attrs);
  if (!shape.ok) throw new Error(`inferShape failed: ${shape.message}`);
  const outType: TensorType = { dtype: F32, shape: shape.shape };
  const run = (inputs: Tensor[], ps: Tensor[]) =>
    c.op.cpu.forward({ inputs, params: ps, attrs: c.attrs, inputTypes, paramTypes: ps.map(() => F32), outType, ctx });
  const output = run(c.inputs, params);
  const rand = testRandom(12345);
  const r = new Float64Array(output.data.length);
  for (let i = 0; i < r.length; i++) r[i] = rand();
  const loss = (o: Tensor) => {
    let s = 0;
    for (let i = 0; i < o.data.length; i++) s += o.data[i] * r[i];
    return s;
  };
  if (!c.op.cpu.backward) throw new Error(`${c.op.name} has no backward`);
  const grads = c.op.cpu.backward({
    inputs: c.inputs,
    params,
    attrs: c.attrs,
    inputTypes,
    paramTypes: params.map(() => F32),
    outType,
    ctx,
    output,
    gradOutput: { shape: output.shape, data: r },
  });
  const h = c.h ?? 1e-2;
  const atol = c.atol ?? 1e-3;
  const rtol = c.rtol ?? 1e-2;
  const failures: GradCheckFailure[] = [];
  const check = (what: string, target: Tensor, analytic: Tensor | undefined, rerun: () => number) => {
    if (!analytic) {
      failures.push({ what: `${what} (no gradient returned)`, index: -1, analytic: NaN, numeric: NaN });
      return;
    }
    for (let i = 0; i < target.data.length; i++) {
      const orig = target.data[i];
      target.data[i] = orig + h;
      const up = rerun();
      target.data[i] = orig - h;
      const down = rerun();
      target.data[i] = orig;
      const numeric = (up - down) / (2 * h);
      const a = analytic.data[i];
      if (!(Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric))) failures.push({ what, index: i, analytic: a, numeric });
    }
  };
  const which = c.checkInputs ?? c.inputs.map((_, i) => i);
  for (const i of which) check(`input ${i}`, c.inputs[i], grads.inputs[i], () => loss(run(c.inputs, params)));
  params.forEach((p, j) => check(`param ${j}`, p, grads.params[j], () => loss(run(c.inputs, params))));
  return failures;
}
