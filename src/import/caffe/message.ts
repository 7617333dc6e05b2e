import type protobuf from 'protobufjs';
import type { Span } from '../../diag/span.js';

/**
 * A Caffe message as plain data: scalars as numbers/strings/booleans, enums as their names,
 * repeated fields as arrays, sub-messages as nested objects. Text and binary readers produce the
 * same shape. Source locations live in a side table (so messages stay plain and comparable).
 */
export type ScalarValue = number | string | boolean;
export type FieldValue = ScalarValue | CaffeMessage | (ScalarValue | CaffeMessage)[];
export interface CaffeMessage {
  [field: string]: FieldValue | undefined;
}

interface MessageSpans {
  span?: Span;
  /** Per field name: the span of each occurrence (one per element for repeated fields). */
  fields: Map<string, Span[]>;
}

const spanTable = new WeakMap<CaffeMessage, MessageSpans>();

export function recordSpan(msg: CaffeMessage, span: Span | undefined): void {
  const entry: MessageSpans = spanTable.get(msg) ?? { fields: new Map() };
  entry.span = span;
  spanTable.set(msg, entry);
}

export function recordFieldSpan(msg: CaffeMessage, field: string, span: Span): void {
  const entry: MessageSpans = spanTable.get(msg) ?? { fields: new Map() };
  const list = entry.fields.get(field) ?? [];
  list.push(span);
  entry.fields.set(field, list);
  spanTable.set(msg, entry);
}

/** Where a message (or one of its fields, or one element of a repeated field) was written. */
export function spanOf(msg: CaffeMessage, field?: string, index = 0): Span | undefined {
  const entry = spanTable.get(msg);
  if (!entry) return undefined;
  if (field === undefined) return entry.span;
  return entry.fields.get(field)?.[index] ?? entry.span;
}

export function isMessage(v: FieldValue | undefined): v is CaffeMessage {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The value of an optional field, or the schema default when absent. */
export function fieldOrDefault(msg: CaffeMessage | undefined, type: protobuf.Type, field: string): ScalarValue | undefined {
  const v = msg?.[field];
  if (v !== undefined && !isMessage(v) && !Array.isArray(v)) return v;
  const f = type.fields[field];
  if (!f || f.options?.default === undefined) return undefined;
  return f.options.default as ScalarValue;
}

export function asList(v: FieldValue | undefined): (ScalarValue | CaffeMessage)[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

export function numbersOf(v: FieldValue | undefined): number[] {
  return asList(v).filter((x): x is number => typeof x === 'number');
}

export function stringsOf(v: FieldValue | undefined): string[] {
  return asList(v).filter((x): x is string => typeof x === 'string');
}

export function messagesOf(v: FieldValue | undefined): CaffeMessage[] {
  return asList(v).filter((x): x is CaffeMessage => isMessage(x));
}

export function num(msg: CaffeMessage | undefined, field: string): number | undefined {
  const v = msg?.[field];
  return typeof v === 'number' ? v : undefined;
}

export function str(msg: CaffeMessage | undefined, field: string): string | undefined {
  const v = msg?.[field];
  return typeof v === 'string' ? v : undefined;
}

export function bool(msg: CaffeMessage | undefined, field: string): boolean | undefined {
  const v = msg?.[field];
  return typeof v === 'boolean' ? v : undefined;
}

export function sub(msg: CaffeMessage | undefined, field: string): CaffeMessage | undefined {
  const v = msg?.[field];
  return isMessage(v) ? v : undefined;
}
