import type { AttrValue, Attrs, DeclaredTypes } from '../../ir/graph.js';
import { sameNumberType, type NumberType } from '../../numeric/number-type.js';
import { getOp } from '../../ops/registry.js';

/**
 * The pieces of .lpnet text that every writer of nets needs (the Caffe importer's write-lpnet.ts
 * and graph-to-lpnet.ts): string and number literals, comments, and one op call with its
 * attributes (those that differ from the op's defaults) and its declared types. How a type is
 * spelled (an alias name, or `fixed<2, 6>` inline) is the caller's choice.
 */

export function quoteString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (c < 0x20 || c === 0x7f) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

export function formatNumber(n: number): string {
  // String() gives the shortest text that reads back as the same double (1e-7, 0.0001, 5e-324)
  return String(n);
}

/** A `# ...` comment on one line. */
export function comment(text: string): string {
  return `# ${text.replace(/[\r\n]+/g, ' ')}`;
}

export function sameAttr(a: AttrValue, b: AttrValue | undefined): boolean {
  if (b === undefined) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) return sameNumberType(a, b);
  return a === b;
}

export type TypeText = (t: NumberType) => string;

export function attrText(v: AttrValue, typeText: TypeText, arity: number | undefined): string {
  if (Array.isArray(v)) {
    if (arity !== undefined && v.length === arity && v.length > 0 && v.every((x) => x === v[0])) return formatNumber(v[0]);
    return `[${v.map(formatNumber).join(', ')}]`;
  }
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return v; // enum words are bare; `string` attributes are quoted by the caller
  return typeText(v);
}

/** What one call is made of. */
export interface CallParts {
  op: string;
  /** Data inputs, as identifiers. */
  inputs: string[];
  attrs: Attrs;
  types: DeclaredTypes;
}

/**
 * `op(inputs, name: value, ..., weights: T, bias: T, acc: T) -> T`: attributes equal to the op's
 * default are left out; `attrOverride` may give the text of an attribute (an expression such as
 * `batch`) instead of its value.
 */
export function callText(n: CallParts, typeText: TypeText, attrOverride?: (name: string) => string | undefined): string {
  const op = getOp(n.op);
  const args: string[] = [...n.inputs];
  for (const [name, v] of Object.entries(n.attrs)) {
    const spec = op?.attrs[name];
    if (spec && sameAttr(v, spec.default)) continue;
    const given = attrOverride?.(name);
    const text = given ?? (spec?.kind === 'string' && typeof v === 'string' ? quoteString(v) : attrText(v, typeText, spec?.arity));
    args.push(`${name}: ${text}`);
  }
  if (n.types.weights) args.push(`weights: ${typeText(n.types.weights)}`);
  if (n.types.bias) args.push(`bias: ${typeText(n.types.bias)}`);
  if (n.types.acc) args.push(`acc: ${typeText(n.types.acc)}`);
  const out = n.types.output ? ` -> ${typeText(n.types.output)}` : '';
  return `${n.op}(${args.join(', ')})${out}`;
}
