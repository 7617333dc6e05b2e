/**
 * Run one op's CPU reference with parameters (conv, dense, batch_norm, scale): infer the output
 * shape and type, then call forward and backward with a full argument record. test/helpers/run-op.ts
 * covers parameter-free ops; this one adds params, their types and the accumulation mode.
 */
import type { CpuContext, CpuForwardArgs, CpuGradients, OpDef } from '../../src/ops/op-def.js';
import type { Attrs, TensorType } from '../../src/ir/graph.js';
import type { NumberType } from '../../src/numeric/number-type.js';
import { F32 } from '../../src/numeric/number-type.js';
import type { Tensor } from '../../src/numeric/tensor.js';

export interface LayerOptions {
  /** Number types of the inputs (default all f32). */
  dtypes?: NumberType[];
  /** Number types of the params (default all f32). */
  paramTypes?: NumberType[];
  /** Output number type (default: the op's inferType, else f32). */
  outDtype?: NumberType;
  ctx?: Partial<CpuContext>;
  accumulate?: 'exact' | 'f32';
}

export function layerArgs(op: OpDef, inputs: Tensor[], params: Tensor[], attrs: Attrs, opts: LayerOptions = {}): CpuForwardArgs {
  const inputTypes: TensorType[] = inputs.map((t, i) => ({ dtype: opts.dtypes?.[i] ?? F32, shape: [...t.shape] }));
  const shape = op.inferShape(inputTypes, attrs);
  if (!shape.ok) throw new Error(`inferShape failed: ${shape.message}`);
  const dtype = opts.outDtype ?? op.inferType?.(inputTypes, attrs) ?? F32;
  return {
    inputs,
    params,
    attrs,
    inputTypes,
    paramTypes: params.map((_, i) => opts.paramTypes?.[i] ?? F32),
    outType: { dtype, shape: shape.shape },
    ctx: { training: false, seed: 1, step: 0, stream: 0, ...opts.ctx },
    accumulate: opts.accumulate,
  };
}

export function forwardLayer(op: OpDef, inputs: Tensor[], params: Tensor[], attrs: Attrs, opts: LayerOptions = {}): Tensor {
  return op.cpu.forward(layerArgs(op, inputs, params, attrs, opts));
}

export function backwardLayer(
  op: OpDef,
  inputs: Tensor[],
  params: Tensor[],
  gradOutput: Tensor,
  attrs: Attrs,
  opts: LayerOptions = {},
): CpuGradients {
  const args = layerArgs(op, inputs, params, attrs, opts);
  const output = op.cpu.forward(args);
  if (!op.cpu.backward) throw new Error(`${op.name} has no backward`);
  return op.cpu.backward({ ...args, output, gradOutput });
}

/** Total element count of the params an op declares for these input shapes. */
export function paramCount(op: OpDef, inputShapes: number[][], attrs: Attrs): number {
  const specs =
    op.params?.(
      attrs,
      inputShapes.map((shape) => ({ dtype: F32, shape })),
    ) ?? [];
  return specs.reduce((sum, p) => sum + p.shape.reduce((a, b) => a * b, 1), 0);
}
