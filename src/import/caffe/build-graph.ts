import { error, type Diagnostic } from '../../diag/diagnostic.js';
import type { Attrs, AttrValue, Graph, Node, ParamInfo, TensorType, Value } from '../../ir/graph.js';
import { F32, I32, type NumberType } from '../../numeric/number-type.js';
import type { AttrSpec, OpDef, ParamSpec } from '../../ops/op-def.js';
import { getOp } from '../../ops/registry.js';
import type { ImportedNet, ImportedNode } from './imported-net.js';

/**
 * ImportedNet -> IR Graph, by the same rules the .lpnet lowering applies to the written text
 * (src/lower): op attributes checked against the OpDef and defaulted, shape/type/params from the
 * op's rules, parameter values `<node>.<slot>` after the data inputs, multipliers from
 * `weight_*`/`bias_*`/`<slot>_*` attributes. That is what lets tests compare this direct import
 * with lowering the written .lpnet. A layer whose op rejects its input shape is a diagnostic at the
 * layer; nodes downstream of it are skipped, not reported again.
 */

function checkAttr(spec: AttrSpec, v: AttrValue): string | undefined {
  const range = (n: number) =>
    spec.min !== undefined && n < spec.min ? `at least ${spec.min}` : spec.max !== undefined && n > spec.max ? `at most ${spec.max}` : undefined;
  switch (spec.kind) {
    case 'int':
    case 'float': {
      if (typeof v !== 'number' || (spec.kind === 'int' && !Number.isInteger(v))) return `must be ${spec.kind === 'int' ? 'an integer' : 'a number'}`;
      const r = range(v);
      return r ? `must be ${r}, got ${v}` : undefined;
    }
    case 'ints':
    case 'floats': {
      if (!Array.isArray(v) || v.some((n) => typeof n !== 'number' || (spec.kind === 'ints' && !Number.isInteger(n)))) return 'must be a list of numbers';
      if (spec.arity !== undefined && v.length !== spec.arity) return `takes ${spec.arity} values, got ${v.length}`;
      for (const n of v) {
        const r = range(n);
        if (r) return `entries must be ${r}, got [${v.join(', ')}]`;
      }
      return undefined;
    }
    case 'bool':
      return typeof v === 'boolean' ? undefined : 'must be true or false';
    case 'enum':
      return typeof v === 'string' && (spec.values ?? []).includes(v) ? undefined : `must be one of ${(spec.values ?? []).join(', ')}, got ${String(v)}`;
    case 'string':
      return typeof v === 'string' ? undefined : 'must be a string';
    case 'type':
      return typeof v === 'object' && v !== null && !Array.isArray(v) ? undefined : 'must be a number type';
  }
}

/** Given attributes checked, the op's defaults filled in (as the lowering does). */
export function completeAttrs(op: OpDef, given: Attrs, where: ImportedNode, diags: Diagnostic[]): Attrs | undefined {
  const attrs: Attrs = {};
  let ok = true;
  for (const [name, v] of Object.entries(given)) {
    const spec = op.attrs[name];
    if (!spec) {
      diags.push(error('LPC4112', `op \`${op.name}\` has no attribute \`${name}\` (needed for ${where.layerType} layer \`${where.layerName}\`)`, where.span));
      ok = false;
      continue;
    }
    const problem = checkAttr(spec, v);
    if (problem) {
      diags.push(error('LPC4103', `${where.layerType} layer \`${where.layerName}\`: \`${name}\` of \`${op.name}\` ${problem}`, where.span, { hint: spec.doc }));
      ok = false;
      continue;
    }
    attrs[name] = Array.isArray(v) ? [...v] : v;
  }
  for (const [name, spec] of Object.entries(op.attrs)) {
    if (name in attrs || name in given) continue;
    if (spec.default !== undefined) attrs[name] = Array.isArray(spec.default) ? [...spec.default] : spec.default;
    else if (!spec.optional) {
      diags.push(error('LPC4103', `${where.layerType} layer \`${where.layerName}\` gives no \`${name}\` for \`${op.name}\``, where.span, { hint: spec.doc }));
      ok = false;
    }
  }
  return ok ? attrs : undefined;
}

function paramInfo(spec: ParamSpec, owner: string, attrs: Attrs): ParamInfo {
  const prefix = spec.typeSlot === 'weights' ? 'weight' : spec.typeSlot === 'bias' ? 'bias' : spec.slot;
  const mult = (key: string) => {
    const v = attrs[`${prefix}_${key}`];
    return typeof v === 'number' ? v : 1;
  };
  return { slot: spec.slot, owner, filler: { ...spec.filler }, lrMult: mult('lr_mult'), decayMult: mult('decay_mult'), trainable: spec.trainable ?? true };
}

const isDim = (d: number) => Number.isSafeInteger(d) && d >= 1;

function inferNode(op: OpDef, inputs: TensorType[], attrs: Attrs, n: ImportedNode, diags: Diagnostic[]) {
  const fail = (message: string, hint?: string) => {
    diags.push(error('LPC4106', `${n.layerType} layer \`${n.layerName}\`: ${message}`, n.span, { hint }));
    return undefined;
  };
  try {
    const r = op.inferShape(inputs, attrs);
    if (!r.ok) return fail(r.message, r.hint);
    if (!r.shape.every(isDim)) return fail(`the output shape would be [${r.shape.join(', ')}], which has an empty dimension`, 'the input is too small for this layer');
    const dtype: NumberType = n.types.output ?? op.inferType?.(inputs, attrs) ?? F32;
    const params = op.params?.(attrs, inputs) ?? [];
    for (const p of params) if (!p.shape.every(isDim)) return fail(`its ${p.slot} parameter would have the empty shape [${p.shape.join(', ')}]`);
    return { shape: [...r.shape], dtype, params };
  } catch (e) {
    return fail(`internal error in op \`${op.name}\`: ${e instanceof Error ? e.message : String(e)}`, 'this is a bug in lpc; please report it');
  }
}

/** Builds the IR graph of an imported net. Returns undefined graph entries only on errors (reported). */
export function buildGraph(net: ImportedNet, diags: Diagnostic[]): Graph {
  const graph: Graph = { name: net.name, netParams: {}, values: new Map(), nodes: [], inputs: [], params: [], outputs: [], losses: [] };
  const unknown = new Set<string>();
  for (const input of net.inputs) {
    const v: Value = { id: input.id, type: { dtype: input.dtype === 'i32' ? I32 : F32, shape: [...input.shape] }, role: 'input', span: input.span };
    graph.values.set(v.id, v);
    graph.inputs.push(v.id);
  }
  for (const n of net.nodes) {
    const op = getOp(n.op);
    const node: Node = { id: n.id, op: n.op, inputs: [...n.inputs], outputs: [n.id], attrs: {}, types: { ...n.types }, span: n.span };
    const addUnknown = () => {
      unknown.add(n.id);
      graph.values.set(n.id, { id: n.id, type: { dtype: F32, shape: [] }, role: 'activation', producer: n.id, span: n.span });
    };
    if (!op) {
      diags.push(error('LPC4112', `op \`${n.op}\` (for ${n.layerType} layer \`${n.layerName}\`) is not registered in this build of lpc`, n.span));
      addUnknown();
      continue;
    }
    const attrs = completeAttrs(op, n.attrs, n, diags);
    const inputTypes = n.inputs.map((id) => (unknown.has(id) ? undefined : graph.values.get(id)?.type));
    if (!attrs || inputTypes.some((t) => t === undefined)) {
      if (attrs) node.attrs = attrs;
      graph.nodes.push(node);
      addUnknown();
      continue;
    }
    node.attrs = attrs;
    const inferred = inferNode(op, inputTypes as TensorType[], attrs, n, diags);
    graph.nodes.push(node);
    if (!inferred) {
      addUnknown();
      continue;
    }
    for (const spec of inferred.params) {
      const pid = `${n.id}.${spec.slot}`;
      graph.values.set(pid, { id: pid, type: { dtype: F32, shape: [...spec.shape] }, role: 'param', param: paramInfo(spec, n.id, attrs), span: n.span });
      graph.params.push(pid);
      node.inputs.push(pid);
    }
    graph.values.set(n.id, { id: n.id, type: { dtype: inferred.dtype, shape: inferred.shape }, role: 'activation', producer: n.id, span: n.span });
  }
  for (const n of net.nodes) {
    if (n.marker === 'loss') graph.losses.push({ name: n.id, value: n.id, span: n.span });
    else if (n.marker === 'output') graph.outputs.push({ name: n.id, value: n.id, span: n.span });
  }
  return graph;
}

/** Total number of parameter elements (what `lpc check` reports). */
export function parameterCount(graph: Graph): number {
  let total = 0;
  for (const id of graph.params) total += graph.values.get(id)?.type.shape.reduce((a, b) => a * b, 1) ?? 0;
  return total;
}
