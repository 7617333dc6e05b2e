import type { AttrValue, Graph, Node, TensorType, Value } from '../ir/graph.js';
import { F32, sameNumberType, type NumberType } from '../numeric/number-type.js';
import type { OpDef } from '../ops/op-def.js';
import { getOp } from '../ops/registry.js';

/**
 * What the passes ask of a node through the op registry: which inputs are data and which are
 * parameters, a parameter's slot and effective number type, and the op's defaults. Nothing here
 * switches on op names except the one op the passes themselves create, `quantize`.
 */

/** The op quantize insertion creates and fusion folds. */
export const QUANTIZE_OP = 'quantize';

export function opOf(n: Node): OpDef | undefined {
  return getOp(n.op);
}

/** A parameter, or a copy derived from one (a quantized weight): it sits in a node's parameter positions. */
export function isParamLike(v: Value | undefined): boolean {
  return v !== undefined && (v.role === 'param' || v.derivedFrom !== undefined);
}

/**
 * How many of `n.inputs` are data inputs. Node.inputs lists data inputs, then parameters; an op
 * without parameters has only data inputs (a quantize node reading a parameter takes it as data).
 */
export function dataInputCount(g: Graph, n: Node): number {
  const op = opOf(n);
  if (!op?.params) return n.inputs.length;
  let k = 0;
  while (k < n.inputs.length && !isParamLike(g.values.get(n.inputs[k]))) k++;
  return k;
}

export function dataInputs(g: Graph, n: Node): string[] {
  return n.inputs.slice(0, dataInputCount(g, n));
}

export function paramInputs(g: Graph, n: Node): string[] {
  return n.inputs.slice(dataInputCount(g, n));
}

export function typesOf(g: Graph, ids: readonly string[]): TensorType[] {
  return ids.map((id) => {
    const v = g.values.get(id);
    if (!v) throw new Error(`internal: value '${id}' is missing from graph '${g.name}'`);
    return v.type;
  });
}

/** The master parameter behind a value: itself when it is a parameter, the source of a derived copy, else undefined. */
export function masterParam(g: Graph, id: string): Value | undefined {
  const v = g.values.get(id);
  if (!v) return undefined;
  if (v.role === 'param') return v;
  return v.derivedFrom !== undefined ? g.values.get(v.derivedFrom) : undefined;
}

/** The input of `n` that holds its parameter `slot` (`weights`, `bias`, ...), or undefined. */
export function paramInputForSlot(g: Graph, n: Node, slot: string): string | undefined {
  return paramInputs(g, n).find((id) => masterParam(g, id)?.param?.slot === slot);
}

/**
 * The number type a node's parameter `slot` is used in: the declared type before quantize
 * insertion (`weights: W8`), the quantized copy's type after it, the parameter quantizer's type
 * after fusion, else the master's f32. Undefined when the node has no such parameter.
 */
export function paramNumberType(g: Graph, n: Node, slot: 'weights' | 'bias'): NumberType | undefined {
  const id = paramInputForSlot(g, n, slot);
  if (id === undefined) return undefined;
  const declared = n.types[slot];
  if (declared) return declared;
  const q = n.paramQuantizers?.find((p) => p.param === id);
  if (q) return q.type;
  return g.values.get(id)?.type.dtype ?? F32;
}

function sameAttrValue(a: AttrValue, b: AttrValue): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b)) {
      // `kernel: 3` and [3, 3] mean the same for an arity-2 attribute
      const list = Array.isArray(a) ? a : (b as number[]);
      const one = Array.isArray(a) ? b : a;
      return list.every((x) => x === one);
    }
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (typeof a === 'object' || typeof b === 'object') {
    return typeof a === 'object' && typeof b === 'object' && sameNumberType(a, b);
  }
  return a === b;
}

/** For printIR's `hideAttr`: true when the attribute equals the op's schema default. */
export function isDefaultAttr(op: string, name: string, value: AttrValue): boolean {
  const spec = getOp(op)?.attrs[name];
  return spec?.default !== undefined && sameAttrValue(spec.default, value);
}
