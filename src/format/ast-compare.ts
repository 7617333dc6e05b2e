import type { Program } from '../parser/ast.js';

/**
 * Structural comparison of two parsed programs, for the formatter's promise that formatting never
 * changes meaning: positions differ after reformatting, so spans are reduced to "present", and
 * comments are compared by text (trailing spaces aside, which the formatter drops).
 */

function isSpan(v: unknown): boolean {
  return typeof v === 'object' && v !== null && 'start' in v && 'end' in v && 'file' in v;
}

/** A copy of `value` with every span replaced by `true` and the program's comments left out. */
export function stripSpans(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripSpans);
  if (typeof value !== 'object' || value === null) return value;
  if (isSpan(value)) return true;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === undefined || k === 'comments') continue;
    out[k] = stripSpans(v);
  }
  return out;
}

/** Comment texts in source order, as the formatter prints them. */
export function commentTexts(program: Program): string[] {
  return [...program.comments].sort((a, b) => a.span.start.offset - b.span.start.offset).map((c) => c.text.trimEnd());
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Where two programs differ, as a short description, or undefined when they are the same up to
 * layout: same items, same statements and expressions, same comments in the same order.
 */
export function programDifference(before: Program, after: Program): string | undefined {
  const a = before.items.map(stripSpans);
  const b = after.items.map(stripSpans);
  if (a.length !== b.length) return `${a.length} top-level items became ${b.length}`;
  for (let i = 0; i < a.length; i++) {
    if (!sameJson(a[i], b[i])) return `top-level item ${i + 1} (${before.items[i].kind}) changed`;
  }
  const ca = commentTexts(before);
  const cb = commentTexts(after);
  if (ca.length !== cb.length) return `${ca.length} comments became ${cb.length}`;
  for (let i = 0; i < ca.length; i++) {
    if (ca[i] !== cb[i]) return `comment ${i + 1} changed from "#${ca[i]}" to "#${cb[i]}"`;
  }
  return undefined;
}
