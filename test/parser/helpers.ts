import { renderOneLine } from '../../src/diag/render.js';
import type { Program } from '../../src/parser/ast.js';
import { parseProgram } from '../../src/parser/parse.js';

/** Deep copy without `span`/`kindSpan`, to compare tree shapes independently of positions. */
export function stripSpans<T>(value: T): T {
  return JSON.parse(JSON.stringify(value, (k, v: unknown) => (k === 'span' || k === 'kindSpan' ? undefined : v))) as T;
}

/** Parses text that must be error-free and returns the program. */
export function parseOk(text: string, file = 'test.lpnet'): Program {
  const { program, diagnostics } = parseProgram(text, file);
  if (diagnostics.length > 0) throw new Error(`unexpected diagnostics:\n${diagnostics.map(renderOneLine).join('\n')}`);
  return program;
}

/** One-line renders of the diagnostics of `text`. */
export function errorsOf(text: string, file = 'test.lpnet'): string[] {
  return parseProgram(text, file).diagnostics.map(renderOneLine);
}
