import { formatNumberType, type NumberType } from '../numeric/number-type.js';

/**
 * A compile-time value: what net and block parameters, repeat indices, attribute arguments and
 * shape dimensions evaluate to. Ints and floats are kept apart so that `64` stays an int while
 * `64 / 2` is a float (int-only places accept a float only when it is a whole number).
 */
export type ConstValue =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'string'; value: string }
  | { kind: 'type'; type: NumberType }
  | { kind: 'list'; items: ConstValue[] };

export const intValue = (value: number): ConstValue => ({ kind: 'int', value });
export const floatValue = (value: number): ConstValue => ({ kind: 'float', value });
export const boolValue = (value: boolean): ConstValue => ({ kind: 'bool', value });
export const typeValue = (type: NumberType): ConstValue => ({ kind: 'type', type });

/** Short spelling of a value for messages: `2.5`, `"2"`, `true`, `fixed<2, 6>`, `[3, 5]`. */
export function formatConst(v: ConstValue): string {
  switch (v.kind) {
    case 'int':
    case 'float':
      return formatNumber(v.value);
    case 'bool':
      return String(v.value);
    case 'string':
      return JSON.stringify(v.value);
    case 'type':
      return formatNumberType(v.type);
    case 'list':
      return `[${v.items.map(formatConst).join(', ')}]`;
  }
}

export function formatNumber(n: number): string {
  return String(n);
}

/** "the float 2.5", "the string \"2\"", "the type fixed<2, 6>", "a list [3, 5]": for "got ..." in messages. */
export function describeConst(v: ConstValue): string {
  switch (v.kind) {
    case 'int':
      return `the int ${formatConst(v)}`;
    case 'float':
      return `the float ${formatConst(v)}`;
    case 'bool':
      return `the bool ${formatConst(v)}`;
    case 'string':
      return `the string ${formatConst(v)}`;
    case 'type':
      return `the type ${formatConst(v)}`;
    case 'list':
      return `the list ${formatConst(v)}`;
  }
}

/** The number of an int or float value, else undefined. */
export function numberOf(v: ConstValue): number | undefined {
  return v.kind === 'int' || v.kind === 'float' ? v.value : undefined;
}

/** An int, or a float holding a whole number (`64 / 2`); undefined for anything else. */
export function wholeNumberOf(v: ConstValue): number | undefined {
  const n = numberOf(v);
  return n !== undefined && Number.isSafeInteger(n) ? n : undefined;
}

/** A plain JS value for `Graph.netParams` and train settings (types in their canonical spelling). */
export function toPlain(v: ConstValue): number | boolean | string {
  switch (v.kind) {
    case 'int':
    case 'float':
    case 'bool':
    case 'string':
      return v.value;
    case 'type':
      return formatNumberType(v.type);
    case 'list':
      return formatConst(v);
  }
}
