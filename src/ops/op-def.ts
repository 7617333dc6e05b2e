import type { Attrs, AttrValue, Filler, TensorType } from '../ir/graph.js';
import type { NumberType } from '../numeric/number-type.js';
import type { Tensor } from '../numeric/tensor.js';
import type { WgslOpFacet } from '../codegen/wgsl/lib/kernel.js';

/**
 * One op, every facet of it in one place (DESIGN.md, "Adding an op should touch one file"):
 * attribute schema, shape and type rules, parameters, cost, CPU reference forward/backward,
 * and what it can fuse. The language, the passes, the importers and the backends iterate over
 * the registry; none of them switches on op names.
 */

export type AttrKind = 'int' | 'float' | 'bool' | 'string' | 'enum' | 'ints' | 'floats' | 'type';

export interface AttrSpec {
  kind: AttrKind;
  doc: string;
  /** Value when the user gives none. No default and not optional means required. */
  default?: AttrValue;
  /** May be absent with no default (the op handles `undefined`). */
  optional?: boolean;
  /** Allowed words for `enum`. */
  values?: readonly string[];
  /** Inclusive bounds for int/float (and each entry of `ints`). */
  min?: number;
  max?: number;
  /**
   * For `ints` (and `floats`): how many entries; absent means any length. A single int is broadcast (`kernel: 3` means [3, 3]); a list
   * must have exactly this many.
   */
  arity?: number;
}

export interface InputSpec {
  name: string;
  doc: string;
  optional?: boolean;
  /** Takes one or more tensors (concat, add). Only the last input may be variadic. */
  variadic?: boolean;
}

/** A learnable (or stored) parameter of one node: its slot name, shape and default filler. */
export interface ParamSpec {
  slot: string;
  shape: number[];
  filler: Filler;
  /** Which declared type applies to it when quantizing: `weights: T` or `bias: T`. */
  typeSlot?: 'weights' | 'bias';
  /** Batch-norm statistics are stored, not trained by gradient. Default true. */
  trainable?: boolean;
}

export type ShapeResult =
  | { ok: true; shape: number[] }
  | {
      ok: false;
      message: string;
      hint?: string;
      /** Name of the attribute or input to point the diagnostic at, when one is to blame. */
      blame?: string;
    };

/** Which of the declared-type slots an op accepts (`weights:`, `bias:`, `acc:`); `-> T` is always allowed. */
export type TypeSlot = 'weights' | 'bias' | 'acc';

export interface CpuContext {
  training: boolean;
  /** User seed, training step, and a per-node stream id: the key of the counter-based generator. */
  seed: number;
  step: number;
  stream: number;
}

export interface CpuForwardArgs {
  /** Data inputs, in declared order (variadic inputs expanded). */
  inputs: Tensor[];
  /** Parameters in the order `params()` declares them, already quantized when typed. */
  params: Tensor[];
  attrs: Attrs;
  inputTypes: TensorType[];
  /** Number types of `params` (their declared storage type when quantized, else f32). */
  paramTypes: NumberType[];
  outType: TensorType;
  ctx: CpuContext;
  /**
   * How conv/dense sum products (SEMANTICS.md section 4). `exact`: the i32-exact path (fixed
   * inputs and weights within the bound); sums are exact, so order does not matter. `f32`
   * (default): Math.fround after every add, in the kernels' order: for each output, over the
   * flattened fan-in index (input channel, then kernel row, then kernel column) from 0 upward,
   * then the bias added last.
   */
  accumulate?: 'exact' | 'f32';
}

export interface CpuBackwardArgs extends CpuForwardArgs {
  output: Tensor;
  gradOutput: Tensor;
}

export interface CpuGradients {
  /** Gradient per data input; undefined where none flows (labels, integer inputs). */
  inputs: (Tensor | undefined)[];
  /** Gradient per parameter, same order as `params`. */
  params: Tensor[];
}

export interface OpDef {
  name: string;
  /** One paragraph for `lpc ops` and the language reference. */
  doc: string;
  inputs: InputSpec[];
  attrs: Record<string, AttrSpec>;
  typeSlots?: readonly TypeSlot[];
  /** Parameters the node owns, derived from attributes and input shapes. */
  params?(attrs: Attrs, inputs: TensorType[]): ParamSpec[];
  /** Output shape from input types and attributes (attributes already defaulted and checked). */
  inferShape(inputs: TensorType[], attrs: Attrs): ShapeResult;
  /**
   * Output number type when no `-> T` is written. Default: f32. Ops that pass values through
   * unchanged (max_pool, flatten, reshape, dropout at inference, concat of one type) return the
   * input type; `quantize` returns its target.
   */
  inferType?(inputs: TensorType[], attrs: Attrs): NumberType;
  /** Multiply-accumulates per forward pass (whole batch). Default 0. */
  macs?(inputs: TensorType[], output: number[], attrs: Attrs): number;
  /**
   * Role in fusion: an `anchor` (conv, dense) starts a fused node; an `epilogue` op (relu,
   * quantize, ...) can be folded after one when it is elementwise and its input has no other use.
   */
  fusion?: 'anchor' | 'epilogue';
  /** Whether gradients flow through it (losses and accuracy: accuracy is not differentiable). */
  differentiable: boolean;
  /** True for losses (scalar output, need a label input) and metrics like accuracy. */
  isLoss?: boolean;
  cpu: {
    forward(args: CpuForwardArgs): Tensor;
    backward?(args: CpuBackwardArgs): CpuGradients;
  };
  /** The WGSL generator (src/codegen/wgsl/lib/kernel.ts, docs/wgsl.md). */
  wgsl?: WgslOpFacet;
}
