import type { Span } from '../diag/span.js';
import type { NumberType } from '../numeric/number-type.js';

/** A tensor's static type: number type and concrete shape (NCHW for images). */
export interface TensorType {
  dtype: NumberType;
  shape: number[];
}

export type AttrValue = number | boolean | string | number[] | NumberType;
export type Attrs = Record<string, AttrValue>;

/** How a parameter is initialised when no weights are given (Caffe's fillers). */
export type Filler =
  | { kind: 'constant'; value: number }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'gaussian'; mean: number; std: number }
  | { kind: 'xavier' }
  | { kind: 'msra' };

export type ValueRole = 'input' | 'param' | 'activation';

export interface ParamInfo {
  /** What the parameter is to its op: 'weights', 'bias', 'mean', 'variance', 'scale_factor', 'gamma', 'beta'. */
  slot: string;
  /** Node id of the op that owns it. */
  owner: string;
  filler: Filler;
  /** Caffe's per-parameter multipliers. */
  lrMult: number;
  decayMult: number;
  /** Whether training updates it (batch-norm statistics are not trained by gradient). */
  trainable: boolean;
}

/**
 * A value is a tensor flowing in the graph. `id` is unique and human-readable: the binding name
 * from the source (`c1`), a parameter (`c1.weights`), or a derived name (`c1.weights.q`).
 * Parameters are full-precision master copies (f32); their declared storage type lives on the
 * owning node (`Node.types`) until quantize insertion makes it a node of its own.
 */
export interface Value {
  id: string;
  type: TensorType;
  role: ValueRole;
  /** Node id that produces it (activations only). */
  producer?: string;
  param?: ParamInfo;
  /**
   * Set on a value computed from one parameter alone (quantize insertion's `c1.weights.q`): the
   * master parameter's id. Such a copy is recomputed from the master every step and never trained.
   */
  derivedFrom?: string;
  span?: Span;
}

/** Declared types written in the source for one op: `weights: W8`, `bias: B`, `acc: i32`, `-> A8`. */
export interface DeclaredTypes {
  weights?: NumberType;
  bias?: NumberType;
  acc?: NumberType;
  output?: NumberType;
}

/** An op folded into a fused node after its anchor (conv/dense): bias add, activation, output quantizer. */
export interface Epilogue {
  op: string;
  attrs: Attrs;
  /** The epilogue's output number type (for quantize epilogues, the target type). */
  type?: NumberType;
  /** The number type of the value it reads (for the first epilogue: the anchor's own output type). */
  inType?: NumberType;
  /** Id of the node this epilogue came from, for diagnostics and explain output. */
  from: string;
}

/**
 * A parameter quantizer folded into a fused node: the node reads the master parameter `param`
 * and rounds it to `type` itself (one dispatch per layer), instead of reading a separate
 * quantize node's output.
 */
export interface ParamQuantizer {
  /** Master parameter value id; it replaces the quantized copy in `Node.inputs`. */
  param: string;
  /** The quantize node's attributes (`to`, `ste`). */
  attrs: Attrs;
  type: NumberType;
  /** Id of the quantize node it came from (also the id of the quantized copy it replaced). */
  from: string;
}

export interface Node {
  /** Unique, stable, readable: `c1`, `stage2.conv.1`, `c1.q`. */
  id: string;
  op: string;
  /** Value ids: the op's data inputs in declared order, then its parameters in declared order. */
  inputs: string[];
  outputs: string[];
  attrs: Attrs;
  types: DeclaredTypes;
  span?: Span;
  /** Set by fusion: what was folded into this node, in application order. */
  epilogue?: Epilogue[];
  /** Set by fusion: parameters this node quantizes itself (see ParamQuantizer). */
  paramQuantizers?: ParamQuantizer[];
  /** Set by accumulator analysis. */
  accumulator?: { kind: 'i32' | 'f32'; bound: number; reason: string };
}

export interface NamedValue {
  name: string;
  value: string;
  span?: Span;
}

/** Optimizer/schedule settings from a `train` section, as plain data. */
export interface TrainConfig {
  optimizer: { kind: string; args: Record<string, number | boolean | string> };
  schedule: { kind: string; args: Record<string, number | number[] | boolean | string> };
  batch?: number;
  epochs?: number;
  seed?: number;
  other: Record<string, number | boolean | string>;
  span?: Span;
}

/**
 * A parameter computed from stored parameters when weights are loaded (inference-time rewrites
 * such as batch-norm folding). A weights file holds the `reads` tensors (by their original ids);
 * the loader computes each `writes` parameter from them before the graph runs. See docs/ir.md.
 */
export interface ParamTransform {
  /** What to compute: `fold_batch_norm`. */
  kind: string;
  /** Stored parameters read, by role (`weights`, `bias`, `mean`, `variance`, `scale_factor`, `gamma`, `beta`). Not in `Graph.values`. */
  reads: Record<string, Value>;
  /** Graph parameter ids written, by role (`weights`, `bias`). */
  writes: Record<string, string>;
  attrs: Attrs;
  /** Node ids folded away, for explain output. */
  from: string[];
}

export interface Graph {
  name: string;
  /** Concrete net parameters the graph was built with (`batch: 64`). */
  netParams: Record<string, number | boolean | string>;
  values: Map<string, Value>;
  /** Topological order. */
  nodes: Node[];
  inputs: string[];
  params: string[];
  outputs: NamedValue[];
  losses: NamedValue[];
  train?: TrainConfig;
  /** Set by inference-time rewrites: parameters computed from stored ones at load time, in order. */
  paramTransforms?: ParamTransform[];
}
