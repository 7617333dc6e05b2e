import type { Attrs, AttrValue, Graph, Node, Value } from './graph.js';

/**
 * Small helpers every pass needs: copying a graph so passes never mutate their input, finding a
 * value's consumers, and making fresh ids. Passes are functions Graph -> Graph, so `--emit
 * ir-lowered` and `--emit ir` can print both sides of the pipeline from one lowering.
 */

function cloneAttrValue(v: AttrValue): AttrValue {
  if (Array.isArray(v)) return [...v];
  if (typeof v === 'object') return { ...v };
  return v;
}

export function cloneAttrs(a: Attrs): Attrs {
  const out: Attrs = {};
  for (const [k, v] of Object.entries(a)) out[k] = cloneAttrValue(v);
  return out;
}

export function cloneValue(v: Value): Value {
  const c: Value = { ...v, type: { dtype: v.type.dtype, shape: [...v.type.shape] } };
  if (v.param) c.param = { ...v.param, filler: { ...v.param.filler } };
  return c;
}

export function cloneNode(n: Node): Node {
  const c: Node = { ...n, inputs: [...n.inputs], outputs: [...n.outputs], attrs: cloneAttrs(n.attrs), types: { ...n.types } };
  if (n.epilogue) c.epilogue = n.epilogue.map((e) => ({ ...e, attrs: cloneAttrs(e.attrs) }));
  if (n.paramQuantizers) c.paramQuantizers = n.paramQuantizers.map((q) => ({ ...q, attrs: cloneAttrs(q.attrs) }));
  if (n.accumulator) c.accumulator = { ...n.accumulator };
  return c;
}

/** A copy deep enough that a pass may edit nodes, values and lists freely. Spans and number types are shared (immutable). */
export function cloneGraph(g: Graph): Graph {
  const values = new Map<string, Value>();
  for (const [id, v] of g.values) values.set(id, cloneValue(v));
  const c: Graph = {
    ...g,
    netParams: { ...g.netParams },
    values,
    nodes: g.nodes.map(cloneNode),
    inputs: [...g.inputs],
    params: [...g.params],
    outputs: g.outputs.map((o) => ({ ...o })),
    losses: g.losses.map((l) => ({ ...l })),
  };
  if (g.paramTransforms) {
    c.paramTransforms = g.paramTransforms.map((t) => ({
      ...t,
      reads: Object.fromEntries(Object.entries(t.reads).map(([k, v]) => [k, cloneValue(v)])),
      writes: { ...t.writes },
      attrs: cloneAttrs(t.attrs),
      from: [...t.from],
    }));
  }
  return c;
}

/** For each value id, the ids of the nodes reading it, in graph order (a node reading twice appears twice). */
export function consumersOf(g: Graph): Map<string, string[]> {
  const m = new Map<string, string[]>();
  for (const n of g.nodes) {
    for (const i of n.inputs) {
      const list = m.get(i);
      if (list) list.push(n.id);
      else m.set(i, [n.id]);
    }
  }
  return m;
}

/** Value ids the graph hands out (outputs and losses): they must survive rewrites under their ids. */
export function externalValues(g: Graph): Set<string> {
  return new Set([...g.outputs.map((o) => o.value), ...g.losses.map((l) => l.value)]);
}

export function nodeIndex(g: Graph): Map<string, Node> {
  return new Map(g.nodes.map((n) => [n.id, n]));
}

/**
 * `base` if no node or value uses it yet, else `base.2`, `base.3`, ...: derived names stay
 * readable and never collide with names from the source.
 */
export function freshId(base: string, taken: (id: string) => boolean): string {
  if (!taken(base)) return base;
  for (let k = 2; ; k++) {
    const id = `${base}.${k}`;
    if (!taken(id)) return id;
  }
}

/** A predicate for freshId: is the id used by a value or a node of `g` (looked up live, so nodes added later count)? */
export function idTaken(g: Graph): (id: string) => boolean {
  return (id) => g.values.has(id) || g.nodes.some((n) => n.id === id);
}
