import { error, warning, type Diagnostic, type DiagnosticNote } from '../diag/diagnostic.js';
import type { Span } from '../diag/span.js';

export interface ReportExtra {
  hint?: string;
  notes?: DiagnosticNote[];
}

/**
 * Collects the checker's diagnostics. Two things make it more than a list:
 * - While a block is being expanded inline, every diagnostic gets a note pointing at the block's
 *   call site (the innermost call first), so an error inside a block says which use caused it.
 * - A block called many times, or a repeat body unrolled many times, would report the same
 *   mistake once per copy; diagnostics with the same code, place and message are kept once.
 */
export class Reporter {
  readonly items: Diagnostic[] = [];
  private readonly seen = new Set<string>();
  private readonly callSites: DiagnosticNote[] = [];
  private errors = 0;

  get errorCount(): number {
    return this.errors;
  }

  error(code: string, message: string, span?: Span, extra: ReportExtra = {}): void {
    this.push(error(code, message, span, this.withContext(extra)));
  }

  warning(code: string, message: string, span?: Span, extra: ReportExtra = {}): void {
    this.push(warning(code, message, span, this.withContext(extra)));
  }

  /** Adds diagnostics produced elsewhere (the parser, the module loader) unchanged. */
  addAll(ds: Iterable<Diagnostic>): void {
    for (const d of ds) this.push(d);
  }

  /** Runs `f` with a "called from here" note for the expansion of `block` at `span`. */
  inBlock<T>(block: string, span: Span, f: () => T): T {
    this.callSites.push({ message: `in block \`${block}\` expanded here`, span });
    try {
      return f();
    } finally {
      this.callSites.pop();
    }
  }

  private withContext(extra: ReportExtra): ReportExtra {
    if (this.callSites.length === 0) return extra;
    const context = [...this.callSites].reverse();
    return { hint: extra.hint, notes: [...(extra.notes ?? []), ...context] };
  }

  private push(d: Diagnostic): void {
    const where = d.span ? `${d.span.file}:${d.span.start.offset}:${d.span.end.offset}` : '';
    const key = `${d.code}|${where}|${d.message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.items.push(d);
    if (d.severity === 'error') this.errors++;
  }
}
