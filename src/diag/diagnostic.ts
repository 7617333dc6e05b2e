import type { Span } from './span.js';

export type Severity = 'error' | 'warning' | 'note';

/** A secondary message, optionally pointing at another place in the source. */
export interface DiagnosticNote {
  message: string;
  span?: Span;
}

/**
 * A diagnostic is data: a stable code (documented in docs/diagnostics.md), a message that says
 * what was expected, where, notes, and an optional hint ("did you mean ...", what to do next).
 * Renderers turn it into text; nothing in the compiler throws raw errors at users.
 */
export interface Diagnostic {
  code: string;
  severity: Severity;
  message: string;
  span?: Span;
  notes: DiagnosticNote[];
  hint?: string;
}

export function error(
  code: string,
  message: string,
  span?: Span,
  extra: { notes?: DiagnosticNote[]; hint?: string } = {},
): Diagnostic {
  return { code, severity: 'error', message, span, notes: extra.notes ?? [], hint: extra.hint };
}

export function warning(
  code: string,
  message: string,
  span?: Span,
  extra: { notes?: DiagnosticNote[]; hint?: string } = {},
): Diagnostic {
  return { code, severity: 'warning', message, span, notes: extra.notes ?? [], hint: extra.hint };
}

/** Collects diagnostics across a phase; phases keep going after errors so users see many at once. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  add(d: Diagnostic): void {
    this.items.push(d);
  }

  addAll(ds: Iterable<Diagnostic>): void {
    for (const d of ds) this.items.push(d);
  }

  get hasErrors(): boolean {
    return this.items.some((d) => d.severity === 'error');
  }
}

/**
 * Thrown only to unwind a phase that cannot continue; the CLI catches it and renders the
 * diagnostics it carries. Never shown as a stack trace.
 */
export class DiagnosticError extends Error {
  constructor(readonly diagnostics: Diagnostic[]) {
    super(diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'));
    this.name = 'DiagnosticError';
  }
}
