/**
 * Run one op's CPU reference the way the backend does: infer the output shape and type, then
 * call forward (and backward) with a full argument record. Keeps op tests about the numbers.
 */
import type { CpuContext, CpuGradients, OpDef, ShapeResult } from '../../src/ops/op-def.js';
import type { Attrs, TensorType } from '../../src/ir/graph.js';
import type { NumberType } from '../../src/numeric/number-type.js';
import { F32 } from '../../src/numeric/number-type.js';
import type { Tensor } from '../../src/numeric/tensor.js';

export interface RunOptions {
  /** Number types of the inputs (default all f32). */
  dtypes?: NumberType[];
  /** Output number type (default: the op's inferType, else f32). */
  outDtype?: NumberType;
  ctx?: Partial<CpuContext>;
}

export function typesOf(inputs: Tensor[], dtypes?: NumberType[]): TensorType[] {
  return inputs.map((t, i) => ({ dtype: dtypes?.[i] ?? F32, shape: [...t.shape] }));
}

/** inferShape on bare shapes, for shape-error tests. */
export function shapeOf(op: OpDef, shapes: number[][], attrs: Attrs = {}, dtypes?: NumberType[]): ShapeResult {
  return op.inferShape(
    shapes.map((shape, i) => ({ dtype: dtypes?.[i] ?? F32, shape })),
    attrs,
  );
}

function prepare(op: OpDef, inputs: Tensor[], attrs: Attrs, opts: RunOptions) {
  const inputTypes = typesOf(inputs, opts.dtypes);
  const shape = op.inferShape(inputTypes, attrs);
  if (!shape.ok) throw new Error(`inferShape failed: ${shape.message}`);
  const dtype = opts.outDtype ?? op.inferType?.(inputTypes, attrs) ?? F32;
  const outType: TensorType = { dtype, shape: shape.shape };
  const ctx: CpuContext = { training: false, seed: 1, step: 0, stream: 0, ...opts.ctx };
  return { inputs, params: [], attrs, inputTypes, paramTypes: [], outType, ctx };
}

export function forward(op: OpDef, inputs: Tensor[], attrs: Attrs = {}, opts: RunOptions = {}): Tensor {
  return op.cpu.forward(prepare(op, inputs, attrs, opts));
}

export function backward(
  op: OpDef,
  inputs: Tensor[],
  gradOutput: Tensor,
  attrs: Attrs = {},
  opts: RunOptions = {},
): CpuGradients {
  const args = prepare(op, inputs, attrs, opts);
  const output = op.cpu.forward(args);
  if (!op.cpu.backward) throw new Error(`${op.name} has no backward`);
  return op.cpu.backward({ ...args, output, gradOutput });
}

/** Plain array of a tensor's values, for toEqual comparisons. */
export function values(t: Tensor | undefined): number[] {
  if (!t) throw new Error('expected a tensor, got undefined');
  return Array.from(t.data);
}
