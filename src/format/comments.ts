import type { AstPath } from 'prettier';
import type { AnyNode, Comment, Stmt, TrainSetting } from '../parser/ast.js';
import { findBracket, onSameLine } from './source-text.js';

/**
 * How `#` comments ride along with prettier's comment machinery. Prettier attaches each comment
 * in `Program.comments` to a nearby node (leading, trailing or dangling) and prints leading and
 * trailing ones itself; the hooks here decide which nodes may carry comments, fix the cases where
 * its generic choice would move a comment across a `{`, and mark the dangling ones that the
 * printer places inside braces.
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
type BracedNode = Extract<LpnetNode, { kind: 'NetDecl' | 'BlockDecl' | 'RepeatStmt' | 'TrainDecl' }>;

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

function addDangling(node: LpnetNode, comment: AttachedComment, place: DanglingPlace): void {
  comment.leading = false;
  comment.trailing = false;
  comment.place = place;
  (node.comments ??= []).push(comment);
}

/**
 * Comments that sit between a body's `{` and its first statement. Left to prettier, one on the
 * `{` line would trail the last parameter (and break the parameter list), and one inside an empty
 * body would trail the header; both belong to the body instead. Returns true when handled.
 */
function attachBodyComment(comment: AttachedComment, text: string): boolean {
  const container = comment.enclosingNode;
  if (!isBraced(container)) return false;
  const brace = openBraceOffset(text, container);
  const start = comment.span.start.offset;
  if (brace < 0) return false;
  if (start < brace) return attachBeforeBrace(comment, container, text);
  const body: ReadonlyArray<LpnetNode> = bodyOf(container);
  // After a statement of the body, prettier's own choice (trailing / leading) is right.
  if (comment.precedingNode && body.includes(comment.precedingNode)) return false;
  if (onSameLine(text, brace, start)) {
    addDangling(container, comment, 'brace-line');
    return true;
  }
  if (comment.followingNode && body.includes(comment.followingNode)) return false;
  addDangling(container, comment, 'empty-body');
  return true;
}

/**
 * A comment between a header and its body's `{`. Inside a net's or block's parameter list it
 * belongs to the parameters: after the last one it trails that one (prettier would move an
 * own-line one into the body). Anywhere else before the `{` it is kept before the `{`, which the
 * printer writes on the next line; prettier would attach it to the header's last part or the first
 * statement, which can reorder it with a comment after the `{` or change its indentation.
 */
function attachBeforeBrace(comment: AttachedComment, container: BracedNode, text: string): boolean {
  const start = comment.span.start.offset;
  // Before a repeat's count the comment leads the count, as prettier has it.
  if (container.kind === 'RepeatStmt' && start < container.count.span.end.offset) return false;
  if ((container.kind === 'NetDecl' || container.kind === 'BlockDecl') && container.params.length > 0) {
    const last = container.params[container.params.length - 1] as LpnetNode;
    const closeParen = findBracket(text, last.span.end.offset, ')');
    if (closeParen < 0 || start < closeParen) {
      if (comment.precedingNode !== last) return false;
      comment.leading = false;
      comment.trailing = true;
      (last.comments ??= []).push(comment);
      return true;
    }
  }
  addDangling(container, comment, 'before-brace');
  return true;
}

/**
 * An end-of-line comment that comes after an own-line comment already leading the next node
 * (`a` / `# own` / `+ # eol` / `b`). Prettier would make it trail `a`, which prints it before
 * `# own`: the comments would swap. It joins the leading comments of the next node instead.
 */
function attachAfterLeadingComment(comment: AttachedComment): boolean {
  const following = comment.followingNode;
  const start = comment.span.start.offset;
  if (!following?.comments?.some((c) => c.leading && c.span.end.offset <= start)) return false;
  comment.leading = true;
  comment.trailing = false;
  following.comments.push(comment);
  return true;
}

/**
 * A comment inside a node with no child around it to hold it. In an empty call or list
 * (`f(` / `# c` / `)`) it stays dangling and the printer puts it between the brackets; elsewhere
 * (`output # c` / `x`, a parameter) it trails the node, which is printed at the start of a line,
 * so the comment stays at the end of that line or on the line after.
 */
function attachLoneComment(comment: AttachedComment): boolean {
  const { enclosingNode, precedingNode, followingNode } = comment;
  if (precedingNode || followingNode || !enclosingNode || isBraced(enclosingNode)) return false;
  if (enclosingNode.kind === 'Program') return false;
  if (enclosingNode.kind === 'CallExpr' || enclosingNode.kind === 'ListExpr') {
    addDangling(enclosingNode, comment, 'empty-body');
    return true;
  }
  comment.leading = false;
  comment.trailing = true;
  (enclosingNode.comments ??= []).push(comment);
  return true;
}

function includes(list: readonly unknown[], node: unknown): boolean {
  return list.includes(node);
}

/**
 * True when the printer starts `child` on a line of its own as soon as a comment is near it:
 * items, statements, settings, parameters and the elements of bracketed lists (a comment breaks
 * the list one element per line). Other children are printed in the middle of a line.
 */
function startsALine(parent: LpnetNode, child: LpnetNode): boolean {
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
 * An end-of-line comment between two parts of one line (`x = a + # c` / `b`, `y = f(x) # c` /
 * `-> T`). Prettier would make it trail `a`, and the rest of the statement would then follow `a`
 * on the same line, after which a second end-of-line comment would land on that line too and
 * merge with the first. It leads the next part instead, which the printer puts on the next line.
 */
function attachBeforeMidLineNode(comment: AttachedComment): boolean {
  const { enclosingNode, followingNode } = comment;
  if (!enclosingNode || !followingNode || startsALine(enclosingNode, followingNode)) return false;
  comment.leading = true;
  comment.trailing = false;
  (followingNode.comments ??= []).push(comment);
  return true;
}

/**
 * An end-of-line comment between a header part and the first element of a list that follows it
 * (`input x: f32[ # c` / `n, 3]`). Prettier would make it trail `f32`, outside the list whose
 * first element starts the next line; it leads that element instead.
 */
function attachBeforeFirstElement(comment: AttachedComment): boolean {
  const { enclosingNode, precedingNode, followingNode } = comment;
  if (!enclosingNode || !precedingNode || !followingNode) return false;
  if (!startsALine(enclosingNode, followingNode) || startsALine(enclosingNode, precedingNode)) return false;
  comment.leading = true;
  comment.trailing = false;
  (followingNode.comments ??= []).push(comment);
  return true;
}

export const handleComments = {
  ownLine: (comment: AttachedComment, text: string) => attachBodyComment(comment, text) || attachLoneComment(comment),
  endOfLine: (comment: AttachedComment, text: string) =>
    attachBodyComment(comment, text) ||
    attachAfterLeadingComment(comment) ||
    attachBeforeMidLineNode(comment) ||
    attachBeforeFirstElement(comment) ||
    attachLoneComment(comment),
  remaining: (comment: AttachedComment, text: string) => attachBodyComment(comment, text) || attachLoneComment(comment),
};

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
