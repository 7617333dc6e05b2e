import { DiagnosticError, error, type Diagnostic } from '../../diag/diagnostic.js';

/**
 * The error a compiled net's methods throw: a DiagnosticError (so tools that render diagnostics
 * catch it as one) whose message also carries each diagnostic's hint, since an app developer sees
 * the message in a console rather than through lpc's renderer.
 */
export class LpcError extends DiagnosticError {
  constructor(diagnostics: Diagnostic[]) {
    super(diagnostics);
    this.name = 'LpcError';
    this.message = diagnostics.map((d) => `${d.code}: ${d.message}${d.hint ? ` (${d.hint})` : ''}`).join('\n');
  }
}

export function lpcError(code: string, message: string, hint?: string): LpcError {
  return new LpcError([error(code, message, undefined, hint ? { hint } : {})]);
}

/** Runs fn; a DiagnosticError from the layers below comes out as an LpcError with the same diagnostics. */
export async function withLpcErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof DiagnosticError && !(e instanceof LpcError)) throw new LpcError(e.diagnostics);
    throw e;
  }
}
