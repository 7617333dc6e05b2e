import type { Span } from '../diag/span.js';
import type { Expr } from '../parser/ast.js';
import type { ConstValue } from './const-value.js';
import { BUILTIN_TYPES, type ProgramIndex } from './program-index.js';
import type { Reporter } from './reporter.js';

/**
 * What a name means inside a net or block body:
 * - `tensor`: a value of the graph (an input, a binding, a block's tensor parameter);
 * - `const`: a compile-time value (a net/block parameter, a repeat index, `n = 2 * filters`);
 * - `broken`: its definition failed and was reported; uses stay silent so that one mistake is
 *   reported once, not at every use.
 */
export type Binding =
  | { kind: 'tensor'; valueId: string; span: Span }
  | { kind: 'const'; value: ConstValue; span: Span; origin: 'param' | 'let' | 'index' }
  | { kind: 'broken'; span: Span };

/** The names of one net or block expansion. Repeat bodies share their enclosing frame. */
export class Frame {
  private readonly bindings = new Map<string, Binding>();

  get(name: string): Binding | undefined {
    return this.bindings.get(name);
  }

  set(name: string, b: Binding): void {
    this.bindings.set(name, b);
  }

  delete(name: string): void {
    this.bindings.delete(name);
  }

  names(): string[] {
    return [...this.bindings.keys()];
  }
}

/** Everything name resolution needs: local names, the file whose definitions are visible, the index. */
export interface Env {
  frame: Frame;
  /** The file the code being lowered was written in (block bodies: the block's file). */
  file: string;
  index: ProgramIndex;
  report: Reporter;
}

/** Did-you-mean candidates for a name in value position: locals, type aliases, built-in types. */
export function valueCandidates(env: Env): string[] {
  return [...env.frame.names(), ...env.index.visibleNames(env.file, 'type'), ...BUILTIN_TYPES];
}

/** Did-you-mean candidates for a callee: ops and visible blocks. */
export function calleeCandidates(env: Env): string[] {
  return [...env.index.ops.names(), ...env.index.visibleNames(env.file, 'block')];
}

/** A bare word (`floor`, `xavier`) or a string literal used as one (`"floor"`), else undefined. */
export function wordOf(expr: Expr): string | undefined {
  if (expr.kind === 'NameRef') return expr.name.name;
  if (expr.kind === 'StringLiteral') return expr.value;
  if (expr.kind === 'ParenExpr') return wordOf(expr.expr);
  return undefined;
}
