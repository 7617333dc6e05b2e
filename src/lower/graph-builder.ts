import type { Span } from '../diag/span.js';
import type { Graph, Node, ParamInfo, TensorType, Value } from '../ir/graph.js';
import { F32 } from '../numeric/number-type.js';

/** By default lowering stops when a net expands past this many nodes (a runaway repeat count). */
export const MAX_NODES = 100_000;

/** Thrown when the node limit is reached; the net's lowering catches it and reports LPC1231. */
export class TooManyNodes extends Error {
  constructor(readonly limit: number) {
    super(`the net expands to more than ${limit} nodes`);
  }
}

/**
 * Builds one Graph in source (hence topological) order and hands out unique ids: `base` the first
 * time, then `base.1`, `base.2`, ... Values whose shape could not be inferred after an error are
 * registered as unknown, so later nodes that use them skip inference instead of cascading errors.
 */
export class GraphBuilder {
  readonly graph: Graph;
  private readonly taken = new Set<string>();
  private readonly nextSuffix = new Map<string, number>();
  private readonly unknown = new Set<string>();

  constructor(
    name: string,
    private readonly maxNodes = MAX_NODES,
  ) {
    this.graph = { name, netParams: {}, values: new Map(), nodes: [], inputs: [], params: [], outputs: [], losses: [] };
  }

  freshId(base: string): string {
    let id = base;
    if (this.taken.has(id)) {
      let k = this.nextSuffix.get(base) ?? 1;
      while (this.taken.has(`${base}.${k}`)) k++;
      this.nextSuffix.set(base, k + 1);
      id = `${base}.${k}`;
    }
    this.taken.add(id);
    return id;
  }

  /** The value's type, or undefined when it is unknown after an error. */
  typeOf(id: string): TensorType | undefined {
    return this.unknown.has(id) ? undefined : this.graph.values.get(id)?.type;
  }

  addInput(id: string, type: TensorType | undefined, span: Span): void {
    this.addValue({ id, type: type ?? placeholder(), role: 'input', span }, type === undefined);
    this.graph.inputs.push(id);
  }

  /** Adds a node and its single output value `node.outputs[0]` (unknown when `type` is undefined). */
  addNode(node: Node, type: TensorType | undefined): void {
    if (this.graph.nodes.length >= this.maxNodes) throw new TooManyNodes(this.maxNodes);
    this.graph.nodes.push(node);
    const out = node.outputs[0];
    this.addValue({ id: out, type: type ?? placeholder(), role: 'activation', producer: node.id, span: node.span }, type === undefined);
  }

  addParam(id: string, shape: number[], param: ParamInfo, span: Span | undefined): void {
    this.addValue({ id, type: { dtype: F32, shape }, role: 'param', param, span }, false);
    this.graph.params.push(id);
  }

  private addValue(v: Value, unknown: boolean): void {
    this.graph.values.set(v.id, v);
    if (unknown) this.unknown.add(v.id);
  }
}

function placeholder(): TensorType {
  return { dtype: F32, shape: [] };
}
