import type { Graph, Node } from '../ir/graph.js';
import { cloneGraph } from '../ir/graph-util.js';
import { sameNumberType } from '../numeric/number-type.js';

/**
 * Inference-time dropout removal (SEMANTICS.md section 5: dropout is the identity at inference,
 * because kept units are scaled by 1 / (1 - ratio) while training). Each removable dropout node
 * disappears and every reader of its output (nodes, graph outputs, losses) reads its input
 * instead, so the node costs no dispatch, no buffer and no copy, and the nodes around it may fuse.
 *
 * The pipeline runs it after quantize insertion: a declared `-> T` on a dropout has become a
 * quantize node of its own by then, so the dropout itself maps its input type to the same type and
 * removing it changes no value. When run on a graph where that is not so, a dropout is kept if
 *  - its output's number type or shape differs from its input's (it still converts the value), or
 *  - it still carries a declared output type (quantize insertion has not applied it yet), or
 *  - its input is not computed by a node (a graph input or a parameter) while its output is a graph
 *    output or loss: outputs stay values the graph computes, never aliases of what it was given.
 *
 * The op is named here, as quantize is in op-info.ts, because removing it is a fact about this one
 * op's inference semantics, not a property other ops share.
 */
export const DROPOUT_OP = 'dropout';

export interface DropoutRemoval {
  graph: Graph;
  /** Ids of the dropout nodes removed, in graph order. */
  removed: string[];
}

export function removeInferenceDropout(input: Graph): DropoutRemoval {
  const g = cloneGraph(input);
  const external = new Set([...g.outputs.map((o) => o.value), ...g.losses.map((l) => l.value)]);
  // replacement[out] = the value a reader of `out` reads instead; chains of dropouts resolve to the
  // first input because nodes are visited in topological order and each input is resolved first.
  const replacement = new Map<string, string>();
  const resolve = (id: string) => replacement.get(id) ?? id;
  const removed: string[] = [];
  const kept: Node[] = [];

  for (const n of g.nodes) {
    n.inputs = n.inputs.map(resolve);
    if (n.op === DROPOUT_OP && isRemovable(g, n, external)) {
      replacement.set(n.outputs[0], n.inputs[0]);
      g.values.delete(n.outputs[0]);
      removed.push(n.id);
    } else {
      kept.push(n);
    }
  }
  g.nodes = kept;
  g.outputs = g.outputs.map((o) => ({ ...o, value: resolve(o.value) }));
  g.losses = g.losses.map((l) => ({ ...l, value: resolve(l.value) }));
  return { graph: g, removed };
}

function isRemovable(g: Graph, n: Node, external: Set<string>): boolean {
  if (n.inputs.length !== 1 || n.outputs.length !== 1 || n.types.output !== undefined) return false;
  if (n.epilogue?.length || n.paramQuantizers?.length) return false;
  const x = g.values.get(n.inputs[0]);
  const y = g.values.get(n.outputs[0]);
  if (!x || !y) return false;
  if (!sameNumberType(x.type.dtype, y.type.dtype)) return false;
  if (x.type.shape.length !== y.type.shape.length || x.type.shape.some((d, i) => d !== y.type.shape[i])) return false;
  const computed = x.role === 'activation' && x.derivedFrom === undefined;
  return computed || !external.has(y.id);
}
