import type { Node } from '../../ir/graph.js';
import type { CpuForwardArgs, OpDef } from '../../ops/op-def.js';
import type { Tensor } from '../../numeric/tensor.js';

/**
 * What the forward pass remembers of each node so the backward pass can call the ops' CPU
 * backward with exactly the arguments their forward saw (inputs, quantized parameters, context):
 * a node is a chain of stages, its op and then each op folded into it.
 */

export interface RunOptions {
  training: boolean;
  /** The user seed: with the step and a stream id it keys every random draw (streams.ts). */
  seed: number;
  /** The training step (0 for the first); inference runs pass 0. */
  step: number;
}

/** One op applied inside a node: the node's own op, an epilogue, or a quantizer. */
export interface Stage {
  op: OpDef;
  args: CpuForwardArgs;
  output: Tensor;
  /** What the stage is, for messages: the node id, an epilogue's `from`, `<param>.q`. */
  label: string;
}

export interface NodeTrace {
  node: Node;
  /** Position in graph.nodes: the node's stream id. */
  index: number;
  /** Ids of the node's data inputs, in order (the inputs of its first stage). */
  dataInputIds: string[];
  /**
   * For each parameter position of the first stage: the value id the node reads (a master
   * parameter, or a derived copy made by a separate quantize node) and, when the node rounded
   * the master itself, that quantizer's stage.
   */
  params: { id: string; quantizer?: Stage }[];
  /** The node's op first, then its epilogues in order, then (rarely) an output enforcement. */
  stages: Stage[];
}

export interface ForwardResult {
  /** Every tensor of the run by value id: inputs, parameters (masters), activations. */
  values: Map<string, Tensor>;
  /** Named outputs (`output probs = ...`), by name. */
  outputs: Map<string, Tensor>;
  /** Named losses, by name (scalars). */
  losses: Map<string, Tensor>;
  /** Per node id, what backward needs. */
  traces: Map<string, NodeTrace>;
  /** The options the forward ran with (backward reuses them so random masks match). */
  options: RunOptions;
}
