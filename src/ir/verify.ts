import { error, type Diagnostic } from '../diag/diagnostic.js';
import { IR_CODES as C } from './codes.js';
import type { Graph, Value } from './graph.js';

/**
 * Structural checks of an IR graph: ids unique, values defined before use (the node list is a
 * topological order), producer links consistent, shapes made of non-negative integers, every
 * parameter described by a ParamInfo, and every listed input/param/output/loss present. The
 * pipeline runs it after each pass; an error here is an lpc bug, reported as a diagnostic (with
 * the node's span when it has one) rather than as a crash later in codegen.
 */
export function verifyGraph(g: Graph): Diagnostic[] {
  const out: Diagnostic[] = [];
  checkValues(g, out);
  checkLists(g, out);
  checkNodes(g, out);
  checkReferences(g, out);
  return out;
}

function checkValues(g: Graph, out: Diagnostic[]): void {
  for (const [key, v] of g.values) {
    if (key !== v.id) out.push(error(C.DUPLICATE_ID, `value stored under '${key}' has id '${v.id}'`, v.span));
    const shape = v.type.shape;
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
      out.push(error(C.BAD_SHAPE, `value '${v.id}' has shape [${String(shape)}]; dimensions must be non-negative integers`, v.span));
    }
    if (v.role === 'param') {
      if (!v.param) out.push(error(C.BAD_PARAM, `parameter '${v.id}' has no ParamInfo`, v.span));
      if (v.producer !== undefined) out.push(error(C.BAD_ROLE, `parameter '${v.id}' has a producer ('${v.producer}')`, v.span));
    } else if (v.role === 'input') {
      if (v.producer !== undefined) out.push(error(C.BAD_ROLE, `input '${v.id}' has a producer ('${v.producer}')`, v.span));
    } else if (v.producer === undefined) {
      out.push(error(C.BAD_PRODUCER, `activation '${v.id}' has no producer`, v.span));
    }
  }
}

function checkLists(g: Graph, out: Diagnostic[]): void {
  const listed = (what: string, ids: string[], role: Value['role']) => {
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) out.push(error(C.DUPLICATE_ID, `${what} '${id}' is listed twice`));
      seen.add(id);
      const v = g.values.get(id);
      if (!v) out.push(error(C.MISSING_EXTERNAL, `${what} '${id}' is not a value of the graph`));
      else if (v.role !== role) out.push(error(C.BAD_ROLE, `${what} '${id}' has role '${v.role}'`, v.span));
    }
    return seen;
  };
  const inputs = listed('input', g.inputs, 'input');
  const params = listed('parameter', g.params, 'param');
  for (const v of g.values.values()) {
    if (v.role === 'input' && !inputs.has(v.id)) out.push(error(C.BAD_ROLE, `input value '${v.id}' is not listed in the graph inputs`, v.span));
    if (v.role === 'param' && !params.has(v.id)) out.push(error(C.BAD_PARAM, `parameter '${v.id}' is not listed in the graph parameters`, v.span));
  }
  for (const [what, list] of [
    ['output', g.outputs],
    ['loss', g.losses],
  ] as const) {
    for (const o of list) {
      if (!g.values.has(o.value)) out.push(error(C.MISSING_EXTERNAL, `${what} '${o.name}' names value '${o.value}', which does not exist`, o.span));
    }
  }
}

function checkNodes(g: Graph, out: Diagnostic[]): void {
  const nodeIds = new Set<string>();
  // Values available so far: inputs and parameters first, then each node's outputs in order.
  // (A role mismatch with the graph's lists is checkLists' report, not a second one here.)
  const defined = new Set<string>([...g.values.values()].filter((v) => v.role !== 'activation').map((v) => v.id));
  const producedAt = new Map<string, number>();
  g.nodes.forEach((n, i) => n.outputs.forEach((o) => producedAt.has(o) || producedAt.set(o, i)));

  g.nodes.forEach((n, i) => {
    if (nodeIds.has(n.id)) out.push(error(C.DUPLICATE_ID, `node id '${n.id}' is used twice`, n.span));
    nodeIds.add(n.id);
    for (const id of n.inputs) {
      if (defined.has(id)) continue;
      const later = producedAt.get(id);
      if (later !== undefined && later >= i) {
        out.push(error(C.NOT_TOPOLOGICAL, `node '${n.id}' reads '${id}', which node '${g.nodes[later].id}' produces later`, n.span));
      } else if (!g.values.has(id)) {
        out.push(error(C.UNDEFINED_VALUE, `node '${n.id}' reads '${id}', which is not a value of the graph`, n.span));
      } else {
        out.push(error(C.UNDEFINED_VALUE, `node '${n.id}' reads '${id}', which nothing produces`, n.span));
      }
    }
    for (const id of n.outputs) {
      const v = g.values.get(id);
      if (!v) {
        out.push(error(C.UNDEFINED_VALUE, `node '${n.id}' outputs '${id}', which is not a value of the graph`, n.span));
      } else if (v.producer !== n.id) {
        out.push(error(C.BAD_PRODUCER, `node '${n.id}' outputs '${id}', whose producer is '${v.producer ?? 'none'}'`, n.span));
      } else if (v.role !== 'activation') {
        out.push(error(C.BAD_ROLE, `node '${n.id}' outputs '${id}', which has role '${v.role}'`, n.span));
      }
      if (defined.has(id)) out.push(error(C.DUPLICATE_ID, `value '${id}' is defined twice (again by node '${n.id}')`, n.span));
      defined.add(id);
    }
  });
  for (const v of g.values.values()) {
    if (v.producer !== undefined && !nodeIds.has(v.producer)) {
      out.push(error(C.BAD_PRODUCER, `value '${v.id}' names producer '${v.producer}', which is not a node`, v.span));
    }
  }
}

function checkReferences(g: Graph, out: Diagnostic[]): void {
  const isParam = (id: string) => g.values.get(id)?.role === 'param';
  for (const v of g.values.values()) {
    if (v.derivedFrom !== undefined && !isParam(v.derivedFrom)) {
      out.push(error(C.BAD_REFERENCE, `value '${v.id}' is derived from '${v.derivedFrom}', which is not a parameter`, v.span));
    }
  }
  for (const n of g.nodes) {
    for (const q of n.paramQuantizers ?? []) {
      if (!isParam(q.param)) out.push(error(C.BAD_REFERENCE, `node '${n.id}' quantizes '${q.param}', which is not a parameter`, n.span));
      else if (!n.inputs.includes(q.param)) out.push(error(C.BAD_REFERENCE, `node '${n.id}' quantizes '${q.param}' but does not read it`, n.span));
    }
  }
  for (const t of g.paramTransforms ?? []) {
    for (const [role, id] of Object.entries(t.writes)) {
      if (!isParam(id)) out.push(error(C.BAD_REFERENCE, `parameter transform '${t.kind}' writes ${role} '${id}', which is not a parameter`));
    }
  }
}
