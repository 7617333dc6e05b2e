import type { Span } from '../diag/span.js';

/**
 * The .lpnet abstract syntax tree. Every node has a `span`. The tree is plain data (no methods),
 * so the formatter, the checker and tests can build and compare it freely.
 *
 * Newlines are not significant; `;` may separate statements. Comments (`#` to end of line) are
 * not in the tree but in `Program.comments`, for the formatter.
 */

export interface Node {
  span: Span;
}

export interface Identifier extends Node {
  kind: 'Identifier';
  name: string;
}

export interface Comment extends Node {
  kind: 'Comment';
  /** Text after `#`, without the newline. */
  text: string;
}

// ---------------------------------------------------------------------------------------------
// Types

/** `f32`, `i32`, or an alias name. Resolution decides which. */
export interface NamedType extends Node {
  kind: 'NamedType';
  name: Identifier;
}

/** `fixed<I, F>` or `fixed<I, F, round: stochastic, overflow: wrap>`. */
export interface FixedType extends Node {
  kind: 'FixedType';
  intBits: Expr;
  fracBits: Expr;
  options: NamedArgument[];
}

export type TypeExpr = NamedType | FixedType;

// ---------------------------------------------------------------------------------------------
// Expressions

export interface NumberLiteral extends Node {
  kind: 'NumberLiteral';
  value: number;
  /** True when written without `.` or exponent (so `64` is an int, `64.0` a float). */
  isInteger: boolean;
  /** The text as written, so the formatter keeps `5e-4` as `5e-4`. */
  raw: string;
}

export interface StringLiteral extends Node {
  kind: 'StringLiteral';
  /** Unescaped value. */
  value: string;
  raw: string;
}

export interface BoolLiteral extends Node {
  kind: 'BoolLiteral';
  value: boolean;
}

/** A name in expression position: a value, a parameter, a type alias, or an enum word (`floor`). */
export interface NameRef extends Node {
  kind: 'NameRef';
  name: Identifier;
}

/** A number type in expression position (`weights: fixed<2, 6>`). `f32` alone parses as NameRef. */
export interface TypeValue extends Node {
  kind: 'TypeValue';
  type: FixedType;
}

export interface ListExpr extends Node {
  kind: 'ListExpr';
  items: Expr[];
}

export type BinaryOperator = '+' | '-' | '*' | '/' | '%';

export interface BinaryExpr extends Node {
  kind: 'BinaryExpr';
  op: BinaryOperator;
  left: Expr;
  right: Expr;
}

export interface UnaryExpr extends Node {
  kind: 'UnaryExpr';
  op: '-';
  operand: Expr;
}

/** `(expr)` kept so the formatter can keep the user's parentheses. */
export interface ParenExpr extends Node {
  kind: 'ParenExpr';
  expr: Expr;
}

/** A call of an op (from the registry) or a block: `conv(x, filters: 20, kernel: 5)`. */
export interface CallExpr extends Node {
  kind: 'CallExpr';
  callee: Identifier;
  args: Argument[];
}

export interface PositionalArgument extends Node {
  kind: 'PositionalArgument';
  value: Expr;
}

export interface NamedArgument extends Node {
  kind: 'NamedArgument';
  name: Identifier;
  value: Expr;
}

export type Argument = PositionalArgument | NamedArgument;

export type Expr =
  | NumberLiteral
  | StringLiteral
  | BoolLiteral
  | NameRef
  | TypeValue
  | ListExpr
  | BinaryExpr
  | UnaryExpr
  | ParenExpr
  | CallExpr;

// ---------------------------------------------------------------------------------------------
// Statements (inside net and block bodies)

/** `input image: f32[batch, 1, 28, 28]` */
export interface InputStmt extends Node {
  kind: 'InputStmt';
  name: Identifier;
  dtype: TypeExpr;
  shape: Expr[];
}

/** `c1 = conv(image, filters: 20, kernel: 5) -> A8` (the `-> T` is the output type). */
export interface LetStmt extends Node {
  kind: 'LetStmt';
  name: Identifier;
  value: Expr;
  outType?: TypeExpr;
}

/**
 * `output probs = softmax(logits)`, `loss xent = softmax_cross_entropy(logits, label)`,
 * or just `output logits` to mark an existing value.
 */
export interface MarkerStmt extends Node {
  kind: 'MarkerStmt';
  marker: 'output' | 'loss';
  name: Identifier;
  value?: Expr;
  outType?: TypeExpr;
}

/** `repeat convs as i { ... }`: the body runs `count` times with `i` = 0, 1, ..., count-1. */
export interface RepeatStmt extends Node {
  kind: 'RepeatStmt';
  count: Expr;
  index?: Identifier;
  body: Stmt[];
}

/** `return max_pool(x, kernel: 2, stride: 2)` — blocks only, last statement. */
export interface ReturnStmt extends Node {
  kind: 'ReturnStmt';
  value: Expr;
  outType?: TypeExpr;
}

export type Stmt = InputStmt | LetStmt | MarkerStmt | RepeatStmt | ReturnStmt;

// ---------------------------------------------------------------------------------------------
// Top-level items

export type ParamKind = 'int' | 'float' | 'bool' | 'type' | 'tensor';

/**
 * A net or block parameter. `filters: int = 64`, `W: type = fixed<2, 14>`. In blocks, a bare
 * name (`x`) is a tensor parameter (`kind: 'tensor'`, no `kindSpan`).
 */
export interface ParamDecl extends Node {
  kind: 'ParamDecl';
  name: Identifier;
  paramKind: ParamKind;
  /** Span of the written kind keyword, absent for bare tensor parameters. */
  kindSpan?: Span;
  /** Default value: an Expr, or (for `type` params) a TypeValue/NameRef. */
  default?: Expr;
}

export interface ImportDecl extends Node {
  kind: 'ImportDecl';
  path: StringLiteral;
}

/** `type W8 = fixed<2, 6>` */
export interface TypeAliasDecl extends Node {
  kind: 'TypeAliasDecl';
  name: Identifier;
  type: TypeExpr;
}

export interface NetDecl extends Node {
  kind: 'NetDecl';
  name: Identifier;
  params: ParamDecl[];
  body: Stmt[];
}

export interface BlockDecl extends Node {
  kind: 'BlockDecl';
  name: Identifier;
  params: ParamDecl[];
  body: Stmt[];
}

/**
 * `optimizer sgd(lr: 0.01)`, `schedule inv(gamma: 1e-4, power: 0.75)`, `batch 64`, `epochs 10`,
 * `seed 1`. Which keys exist and what they take is checked after parsing, not by the grammar.
 */
export interface TrainSetting extends Node {
  kind: 'TrainSetting';
  key: Identifier;
  value: Expr;
}

/** `train LeNet { ... }` */
export interface TrainDecl extends Node {
  kind: 'TrainDecl';
  net: Identifier;
  settings: TrainSetting[];
}

export type Item = ImportDecl | TypeAliasDecl | NetDecl | BlockDecl | TrainDecl;

export interface Program extends Node {
  kind: 'Program';
  /** File name as given to the parser (used in spans). */
  file: string;
  items: Item[];
  comments: Comment[];
}

export type AnyNode =
  | Program
  | Item
  | Stmt
  | Expr
  | TypeExpr
  | Argument
  | ParamDecl
  | TrainSetting
  | Identifier
  | Comment;
