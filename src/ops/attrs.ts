import type { AttrValue, Attrs } from '../ir/graph.js';
import type { NumberType } from '../numeric/number-type.js';

/**
 * Typed readers for op attributes, shared by every op file.
 *
 * Lowering and the Caffe importer fill defaults and check kinds and bounds against each op's
 * AttrSpec before any op code runs, so a wrong kind here is a bug in the caller, not a user
 * error: the readers throw a TypeError naming the attribute. The `fallback` argument repeats the
 * op's schema default so that ops also behave when called directly (tests, passes that build
 * nodes by hand) with attributes left out.
 */

function read(attrs: Attrs, name: string, fallback: AttrValue | undefined): AttrValue {
  const v = attrs[name] ?? fallback;
  if (v === undefined) throw new TypeError(`attribute '${name}' is required but missing`);
  return v;
}

function wrongKind(name: string, want: string, v: AttrValue): TypeError {
  return new TypeError(`attribute '${name}' must be ${want}, got ${JSON.stringify(v)}`);
}

export function intAttr(attrs: Attrs, name: string, fallback?: number): number {
  const v = read(attrs, name, fallback);
  if (typeof v !== 'number' || !Number.isInteger(v)) throw wrongKind(name, 'an integer', v);
  return v;
}

/** An int attribute that may be absent with no default (`ignore_label`). */
export function optionalIntAttr(attrs: Attrs, name: string): number | undefined {
  return attrs[name] === undefined ? undefined : intAttr(attrs, name);
}

export function floatAttr(attrs: Attrs, name: string, fallback?: number): number {
  const v = read(attrs, name, fallback);
  if (typeof v !== 'number' || Number.isNaN(v)) throw wrongKind(name, 'a number', v);
  return v;
}

export function boolAttr(attrs: Attrs, name: string, fallback?: boolean): boolean {
  const v = read(attrs, name, fallback);
  if (typeof v !== 'boolean') throw wrongKind(name, 'true or false', v);
  return v;
}

/** A string or enum attribute; `allowed` (the enum's words) is checked when given. */
export function stringAttr<T extends string = string>(
  attrs: Attrs,
  name: string,
  fallback?: T,
  allowed?: readonly T[],
): T {
  const v = read(attrs, name, fallback);
  if (typeof v !== 'string') throw wrongKind(name, 'a word', v);
  if (allowed && !(allowed as readonly string[]).includes(v)) throw wrongKind(name, `one of ${allowed.join(', ')}`, v);
  return v as T;
}

/** A list of numbers; a single number is read as a list of one. */
export function floatsAttr(attrs: Attrs, name: string, fallback?: number[]): number[] {
  const v = read(attrs, name, fallback);
  if (typeof v === 'number') return [v];
  if (!Array.isArray(v)) throw wrongKind(name, 'a list of numbers', v);
  return [...v];
}

/** An optional list of numbers (`coeffs`): undefined when absent. */
export function optionalFloatsAttr(attrs: Attrs, name: string): number[] | undefined {
  return attrs[name] === undefined ? undefined : floatsAttr(attrs, name);
}

/** A list of integers of any length; a single int is read as a list of one. */
export function intsAttr(attrs: Attrs, name: string, fallback?: number[]): number[] {
  const list = floatsAttr(attrs, name, fallback);
  if (!list.every((x) => Number.isInteger(x))) throw wrongKind(name, 'a list of integers', list);
  return list;
}

/**
 * An `ints` attribute of arity 2 as [h, w] (kernel, stride, pad, dilation). A single int is
 * broadcast to both, as AttrSpec.arity documents (`kernel: 3` means [3, 3]).
 */
export function pairAttr(attrs: Attrs, name: string, fallback?: [number, number]): [number, number] {
  const list = intsAttr(attrs, name, fallback);
  if (list.length === 1) return [list[0], list[0]];
  if (list.length !== 2) throw wrongKind(name, 'one integer or a list of two', list);
  return [list[0], list[1]];
}

/** A `type` attribute (`quantize(to: A8)`). */
export function typeAttr(attrs: Attrs, name: string, fallback?: NumberType): NumberType {
  const v = read(attrs, name, fallback);
  if (typeof v !== 'object' || Array.isArray(v) || !('kind' in v)) throw wrongKind(name, 'a number type', v);
  return v;
}
