import {
  bodyOf,
  isBraced,
  openBraceOffset,
  startsALine,
  type AttachedComment,
  type BracedNode,
  type DanglingPlace,
  type LpnetNode,
} from './comments.js';
import { findBracket, onSameLine } from './source-text.js';

/**
 * Where each `#` comment attaches: prettier's `handleComments` hooks. Prettier first finds, for
 * each comment, the enclosing node and the attachable nodes just before and after it; its default
 * then makes an own-line comment lead the next node and an end-of-line comment trail the previous
 * one. For .lpnet that default can move a comment across a `{`, swap two comments, or print two
 * end-of-line comments on one line (which would merge them), and a second run would then attach
 * them differently. Each rule below fixes one such case so that formatting keeps every comment,
 * keeps their order, and is idempotent; the property test in test/format checks all three.
 */

function addLeading(node: LpnetNode, comment: AttachedComment): true {
  comment.leading = true;
  comment.trailing = false;
  (node.comments ??= []).push(comment);
  return true;
}

function addTrailing(node: LpnetNode, comment: AttachedComment): true {
  comment.leading = false;
  comment.trailing = true;
  (node.comments ??= []).push(comment);
  return true;
}

function addDangling(node: LpnetNode, comment: AttachedComment, place: DanglingPlace): true {
  comment.leading = false;
  comment.trailing = false;
  comment.place = place;
  (node.comments ??= []).push(comment);
  return true;
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
  if (onSameLine(text, brace, start)) return addDangling(container, comment, 'brace-line');
  if (comment.followingNode && body.includes(comment.followingNode)) return false;
  return addDangling(container, comment, 'empty-body');
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
      return comment.precedingNode === last && addTrailing(last, comment);
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
  const already: AttachedComment[] = following?.comments ?? [];
  if (!following || !already.some((c) => c.leading && c.span.end.offset <= start)) return false;
  return addLeading(following, comment);
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
    return addDangling(enclosingNode, comment, 'empty-body');
  }
  return addTrailing(enclosingNode, comment);
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
  return addLeading(followingNode, comment);
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
  return addLeading(followingNode, comment);
}

/** Each hook returns true when it attached the comment, false to leave it to prettier. */
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
