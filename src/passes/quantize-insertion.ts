import type { Attrs, Graph, Node, Value } from '../ir/graph.js';
import { cloneGraph, freshId } from '../ir/graph-util.js';
import { F32, sameNumberType, type NumberType } from '../numeric/number-type.js';
import { getOp } from '../ops/registry.js';
import { dataInputs, masterParam, paramInputForSlot, QUANTIZE_OP, typesOf } from './op-info.js';

/**
 * Makes every declared quantization an explicit `quantize` node (SEMANTICS.md section 3):
 *
 *   weights: T, bias: T   param -> quantize -> op. The quantized copy (`c1.weights.q`) is a value
 *                         derived from the master (Value.derivedFrom): recomputed every step,
 *                         never trained.
 *   -> T                  op -> quantize. The op now writes `c1.pre` with the type it infers by
 *                         itself (f32 for conv/dense); the quantize node writes the binding's own
 *                         value id `c1`, so every consumer and every output stays as it was.
 *
 * Declarations that change nothing are dropped without a node: an f32 parameter type, and an
 * output type equal to what the op produces anyway (max_pool of an A8 value declared `-> A8`).
 * The declarations are removed from Node.types once applied, so running the pass twice is safe.
 */
export function insertQuantizers(input: Graph): Graph {
  const g = cloneGraph(input);
  const nodeIds = new Set(g.nodes.map((n) => n.id));
  const taken = (id: string) => g.values.has(id) || nodeIds.has(id);
  const nodes: Node[] = [];
  const add = (n: Node) => {
    nodes.push(n);
    nodeIds.add(n.id);
  };
  for (const n of g.nodes) {
    for (const slot of ['weights', 'bias'] as const) {
      const t = n.types[slot];
      if (!t) continue;
      delete n.types[slot];
      const q = quantizeParam(g, n, slot, t, taken);
      if (q) add(q);
    }
    add(n);
    const out = n.types.output;
    if (out) {
      delete n.types.output;
      const q = quantizeOutput(g, n, out, taken);
      if (q) add(q);
    }
  }
  g.nodes = nodes;
  return g;
}

/** Attributes of a new quantize node: the target, then the op's other defaults (`ste: identity`). */
export function quantizeAttrs(to: NumberType): Attrs {
  const attrs: Attrs = { to };
  const op = getOp(QUANTIZE_OP);
  for (const [name, spec] of Object.entries(op?.attrs ?? {})) {
    if (name !== 'to' && spec.default !== undefined) attrs[name] = spec.default;
  }
  return attrs;
}

function quantizeParam(g: Graph, n: Node, slot: 'weights' | 'bias', t: NumberType, taken: (id: string) => boolean): Node | undefined {
  if (t.kind !== 'fixed') return undefined; // an f32 (or i32) parameter is stored as it is
  const inputId = paramInputForSlot(g, n, slot);
  const master = inputId === undefined ? undefined : masterParam(g, inputId);
  if (inputId === undefined || !master || inputId !== master.id) return undefined; // no such parameter, or already quantized
  const id = freshId(`${master.id}.q`, taken);
  const copy: Value = {
    id,
    type: { dtype: t, shape: [...master.type.shape] },
    role: 'activation',
    producer: id,
    derivedFrom: master.id,
    span: master.span ?? n.span,
  };
  g.values.set(id, copy);
  n.inputs = n.inputs.map((i) => (i === master.id ? id : i));
  return { id, op: QUANTIZE_OP, inputs: [master.id], outputs: [id], attrs: quantizeAttrs(t), types: {}, span: n.span };
}

function quantizeOutput(g: Graph, n: Node, t: NumberType, taken: (id: string) => boolean): Node | undefined {
  if (n.outputs.length !== 1) return undefined;
  const outId = n.outputs[0];
  const out = g.values.get(outId);
  if (!out) return undefined;
  const op = getOp(n.op);
  const own = op?.inferType ? op.inferType(typesOf(g, dataInputs(g, n)), n.attrs) : F32;
  out.type = { dtype: t, shape: out.type.shape };
  if (sameNumberType(own, t)) return undefined; // the op already produces T
  const preId = freshId(`${outId}.pre`, taken);
  g.values.set(preId, { id: preId, type: { dtype: own, shape: [...out.type.shape] }, role: 'activation', producer: n.id, span: out.span });
  n.outputs = [preId];
  const qId = freshId(`${n.id}.q`, taken);
  out.producer = qId;
  return { id: qId, op: QUANTIZE_OP, inputs: [preId], outputs: [outId], attrs: quantizeAttrs(t), types: {}, span: n.span };
}
