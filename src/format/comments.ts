import type { AstPath } from 'prettier';
import type { AnyNode, Comment, Stmt, TrainSetting } from '../parser/ast.js';
import { findBracket } from './source-text.js';

/**
 * Comments as prettier's comment machinery sees them. Prettier attaches each comment in
 * `Program.comments` to a nearby node as leading, trailing or dangling (comment-placement.ts
 * corrects its generic choices for .lpnet); print-comments.ts and the printer then print them.
 * This file holds the shared types and the facts about nodes that both sides need.
 */

/**
 * Where a dangling comment goes: between a header and its body's `{` (`train T # c` / `{`),
 * right after the `{`, or alone inside an empty body, call or list (`{ }`, `f( )`, `[ ]`).
 */
export type DanglingPlace = 'before-brace' | 'brace-line' | 'empty-body';

/** A comment after prettier has attached it (prettier adds these fields to the object). */
export interface AttachedComment extends Comment {
  leading?: boolean;
  trailing?: boolean;
  printed?: boolean;
  /** Our own mark for dangling comments; see DanglingPlace. */
  place?: DanglingPlace;
  /** Set by prettier: whether the comment stood on its own line or ended a line of code. */
  placement?: 'ownLine' | 'endOfLine' | 'remaining';
  /** Prettier quotes `value` when it reports a comment it failed to print. */
  value?: string;
  enclosingNode?: LpnetNode;
  precedingNode?: LpnetNode;
  followingNode?: LpnetNode;
}

/** Any AST node as prettier sees it: the plain node plus the comments attached to it. */
export type LpnetNode = AnyNode & { comments?: AttachedComment[] };

/** Items and statements whose body sits in `{ ... }`. */
export type BracedNode = Extract<LpnetNode, { kind: 'NetDecl' | 'BlockDecl' | 'RepeatStmt' | 'TrainDecl' }>;

export function isBraced(node: LpnetNode | undefined): node is BracedNode {
  return (
    node !== undefined &&
    (node.kind === 'NetDecl' || node.kind === 'BlockDecl' || node.kind === 'RepeatStmt' || node.kind === 'TrainDecl')
  );
}

export function bodyOf(node: BracedNode): ReadonlyArray<Stmt | TrainSetting> {
  return node.kind === 'TrainDecl' ? node.settings : node.body;
}

/** End offset of the last thing written before the body's `{`. */
function headerEnd(node: BracedNode): number {
  switch (node.kind) {
    case 'NetDecl':
    case 'BlockDecl': {
      const last = node.params.length > 0 ? node.params[node.params.length - 1] : node.name;
      return last.span.end.offset;
    }
    case 'RepeatStmt':
      return (node.index ?? node.count).span.end.offset;
    case 'TrainDecl':
      return node.net.span.end.offset;
  }
}

/** Offset of the `{` that opens a braced node's body (-1 if the source has none, on bad input). */
export function openBraceOffset(text: string, node: BracedNode): number {
  return findBracket(text, headerEnd(node), '{');
}

function includes(list: readonly unknown[], node: unknown): boolean {
  return list.includes(node);
}

/**
 * True when the printer starts `child` on a line of its own as soon as a comment is near it:
 * items, statements, settings, parameters and the elements of bracketed lists (a comment breaks
 * the list one element per line). Other children are printed in the middle of a line.
 */
export function startsALine(parent: LpnetNode, child: LpnetNode): boolean {
  switch (parent.kind) {
    case 'Program':
      return includes(parent.items, child);
    case 'NetDecl':
    case 'BlockDecl':
      return includes(parent.params, child) || includes(parent.body, child);
    case 'RepeatStmt':
      return includes(parent.body, child);
    case 'TrainDecl':
      return includes(parent.settings, child);
    case 'CallExpr':
      return includes(parent.args, child);
    case 'ListExpr':
      return includes(parent.items, child);
    case 'InputStmt':
      return includes(parent.shape, child);
    case 'FixedType':
      return child === parent.intBits || child === parent.fracBits || includes(parent.options, child);
    default:
      return false;
  }
}

/**
 * Identifiers are printed as plain text by their parent, never through `print`, so they must not
 * carry comments; the Program prints its own dangling comments and is never a comment target.
 */
export function canAttachComment(node: unknown): boolean {
  if (typeof node !== 'object' || node === null || !('kind' in node)) return false;
  const kind = (node as { kind: unknown }).kind;
  return typeof kind === 'string' && kind !== 'Identifier' && kind !== 'Comment' && kind !== 'Program';
}

/** `#` and the comment's text; trailing spaces are dropped, everything else kept as written. */
export function commentText(comment: Comment): string {
  return `#${comment.text.trimEnd()}`;
}

export function printComment(commentPath: AstPath<LpnetNode>): string {
  return commentText(commentPath.node as AttachedComment);
}

/**
 * The dangling comments of the node at `path` that go in `place`, in source order, marked as
 * printed (prettier checks that every comment was printed exactly once).
 */
export function takeDanglingComments(path: AstPath<LpnetNode>, place: DanglingPlace): AttachedComment[] {
  const out: AttachedComment[] = [];
  for (const c of path.node.comments ?? []) {
    if (c.leading || c.trailing) continue;
    // Program-level dangling comments are attached by prettier itself, without a place.
    if ((c.place ?? 'empty-body') !== place) continue;
    c.printed = true;
    out.push(c);
  }
  return out.sort((a, b) => a.span.start.offset - b.span.start.offset);
}

/** Keys that hold child nodes, per node kind (spans and `comments` are not children). */
const childKeys: Readonly<Record<string, readonly string[]>> = {
  Program: ['items'],
  ImportDecl: ['path'],
  TypeAliasDecl: ['name', 'type'],
  NetDecl: ['name', 'params', 'body'],
  BlockDecl: ['name', 'params', 'body'],
  TrainDecl: ['net', 'settings'],
  TrainSetting: ['key', 'value'],
  ParamDecl: ['name', 'default'],
  InputStmt: ['name', 'dtype', 'shape'],
  LetStmt: ['name', 'value', 'outType'],
  MarkerStmt: ['name', 'value', 'outType'],
  RepeatStmt: ['count', 'index', 'body'],
  ReturnStmt: ['value', 'outType'],
  NamedType: ['name'],
  FixedType: ['intBits', 'fracBits', 'options'],
  NumberLiteral: [],
  StringLiteral: [],
  BoolLiteral: [],
  NameRef: ['name'],
  TypeValue: ['type'],
  ListExpr: ['items'],
  BinaryExpr: ['left', 'right'],
  UnaryExpr: ['operand'],
  ParenExpr: ['expr'],
  CallExpr: ['callee', 'args'],
  PositionalArgument: ['value'],
  NamedArgument: ['name', 'value'],
  Identifier: [],
  Comment: [],
};

const notChildren = new Set(['span', 'kindSpan', 'comments']);

/**
 * Prettier walks these keys to find where comments go. A kind this table does not know (the AST
 * grew) falls back to every key that holds a node or an array of nodes.
 */
export function getVisitorKeys(node: unknown): string[] {
  if (typeof node !== 'object' || node === null) return [];
  const known = childKeys[(node as { kind?: string }).kind ?? ''];
  if (known) return [...known];
  const isNode = (v: unknown) => typeof v === 'object' && v !== null && 'kind' in v;
  return Object.entries(node)
    .filter(([k, v]) => !notChildren.has(k) && (isNode(v) || (Array.isArray(v) && v.some(isNode))))
    .map(([k]) => k);
}
