import type { Graph, Value } from '../../ir/graph.js';
import { F32, sameNumberType, type NumberType } from '../../numeric/number-type.js';
import { getOp } from '../../ops/registry.js';

/**
 * The number types a parameter may be stored in: f32 (the master copy) and the storage type
 * declared for it, wherever the graph keeps that declaration. Before quantize insertion it is the
 * owning node's `weights:` / `bias:` slot (the op's ParamSpec says which slot applies); after it,
 * the `to` of a quantize node that reads the parameter, or after fusion the ParamQuantizer of the
 * node that rounds it. All are looked at, so weights can be matched against a graph before or
 * after the pipeline (a compiled bundle carries the planned graph).
 */
export function acceptedParamTypes(graph: Graph, param: Value): NumberType[] {
  const types: NumberType[] = [F32];
  const add = (t: NumberType | undefined) => {
    if (t && !types.some((u) => sameNumberType(u, t))) types.push(t);
  };
  const info = param.param;
  if (info) {
    const owner = graph.nodes.find((n) => n.id === info.owner);
    const slot = owner ? declaredSlotOf(graph, owner.id, info.slot) : undefined;
    if (owner && slot) add(owner.types[slot]);
  }
  for (const n of graph.nodes) {
    if (n.op === 'quantize' && n.inputs[0] === param.id) {
      const to = n.attrs.to;
      if (typeof to === 'object' && !Array.isArray(to)) add(to);
    }
    // After fusion the quantize node is folded into the node that reads the parameter.
    for (const q of n.paramQuantizers ?? []) if (q.param === param.id) add(q.type);
  }
  return types;
}

/** Which declared-type slot (`weights` or `bias`) governs a parameter slot of a node. */
function declaredSlotOf(graph: Graph, nodeId: string, slot: string): 'weights' | 'bias' | undefined {
  const node = graph.nodes.find((n) => n.id === nodeId);
  const op = node ? getOp(node.op) : undefined;
  if (node && op?.params) {
    const dataInputs = node.inputs.filter((id) => graph.values.get(id)?.role !== 'param');
    const inputTypes = dataInputs.map((id) => graph.values.get(id)?.type).filter((t) => t !== undefined);
    try {
      const spec = op.params(node.attrs, inputTypes).find((p) => p.slot === slot);
      if (spec) return spec.typeSlot;
    } catch {
      // An op that cannot describe its params for these inputs falls back to the slot's name.
    }
  }
  return slot === 'bias' || slot === 'weights' ? slot : undefined;
}
