import type { Span } from '../diag/span.js';
import type { NumberType } from '../numeric/number-type.js';
import type { CallExpr, Stmt } from '../parser/ast.js';
import type { GraphBuilder } from './graph-builder.js';
import type { TopLevelDef } from './program-index.js';
import type { Env } from './scope.js';

export type BlockDef = Extract<TopLevelDef, { kind: 'block' }>;

/** A `-> T` written in the source: the type and where, for diagnostics. */
export interface DeclaredOut {
  type: NumberType;
  span: Span;
}

/** What lowering a body produced: the value of its `return` (blocks), if it had one. */
export interface BodyResult {
  returned?: string;
  sawReturn: boolean;
}

/**
 * The steps of lowering that call each other recursively (a call expands a block, whose body
 * holds calls). They are passed around instead of imported because the source files may not
 * import each other in a cycle (the dependency check forbids it); lower-net.ts wires them up.
 */
export interface LowerHooks {
  expandBlock(call: CallExpr, def: BlockDef, x: Expansion, id: string, out?: DeclaredOut): string | undefined;
  lowerBody(stmts: readonly Stmt[], x: Expansion): BodyResult;
}

/**
 * Where lowering is: the names in scope and the file they come from, the graph being built, and
 * how ids are formed here. Inside the expansion of a block call whose result is `s1`, ids get the
 * prefix `s1/`; inside iteration i of a repeat, binding names get the suffix `@i`.
 */
export interface Expansion {
  env: Env;
  builder: GraphBuilder;
  /** `''` in the net body, `s1/` in the block call bound to `s1`, `s1/s2/` nested. */
  prefix: string;
  /** `''`, or `@i` per enclosing repeat iteration (`@1@0` when nested). */
  iter: string;
  /** Blocks being expanded, outermost first, to detect recursion. */
  blockStack: readonly string[];
  /** True at the top level of a net body, where `input`, `output` and `loss` are allowed. */
  netTop: boolean;
  /** Inside a block: the id of the call's result and the caller's `-> T`, for the `return`. */
  returnTo?: { id: string; out?: DeclaredOut };
  hooks: LowerHooks;
}

/** The id base for a binding named `name` at this place: prefix + name + iteration suffix. */
export function bindingBase(x: Expansion, name: string): string {
  return `${x.prefix}${name}${x.iter}`;
}
