import type { AstPath, Doc, ParserOptions, Printer } from 'prettier';
import { builders } from 'prettier/doc';
import type { Comment, Item } from '../parser/ast.js';
import {
  bodyOf,
  canAttachComment,
  commentText,
  getVisitorKeys,
  isBraced,
  printComment,
  takeDanglingComments,
  type AttachedComment,
  type LpnetNode,
} from './comments.js';
import { handleComments } from './comment-placement.js';
import { printWithComments } from './print-comments.js';
import { isNextLineBlank } from './source-text.js';

/**
 * The .lpnet printer: turns the AST into a prettier Doc. The canonical layout it produces is
 * described in grammar/FORMATTING.md; in short, prettier's `group` decides per bracketed list
 * whether it fits on the line (printWidth) or breaks one element per line with a trailing comma.
 */

const { group, indent, softline, line, hardline, join, ifBreak, breakParent, markAsRoot, lineSuffixBoundary } =
  builders;

type Print = (selector?: string | number | Array<string | number> | AstPath<LpnetNode>) => Doc;

/** Prints every element of the array property `key` of the current node. */
function printAll(path: AstPath<LpnetNode>, print: Print, key: string): Doc[] {
  const list = (path.node as unknown as Record<string, unknown>)[key];
  if (!Array.isArray(list)) return [];
  return list.map((_, i) => print([key, i]));
}

/**
 * `open a, b, c close` on one line when it fits; otherwise one element per line, indented, with
 * a trailing comma (the grammar accepts one in every bracketed list). `inside` holds comments of
 * an empty list, printed on their own lines between the brackets.
 */
function bracketed(open: string, elements: Doc[], close: string, inside: Doc = ''): Doc {
  if (inside !== '') return [open, indent([hardline, inside]), hardline, close];
  if (elements.length === 0) return `${open}${close}`;
  // Each element is a root for comments on lines of their own (see print-comments.ts).
  return group([open, indent([softline, join([',', line], elements.map(markAsRoot))]), ifBreak(','), softline, close]);
}

/** The comments left inside an empty call or list, one per line, or '' when there are none. */
function danglingInside(path: AstPath<LpnetNode>, text: string): Doc {
  const comments = takeDanglingComments(path, 'empty-body');
  return comments.length === 0 ? '' : commentLines(comments, text);
}

/** True when prettier attached comments to this node. */
function hasComments(node: unknown): boolean {
  const comments = (node as { comments?: unknown[] } | undefined)?.comments;
  return Array.isArray(comments) && comments.length > 0;
}

/**
 * A call whose only argument is another call (or a list) "hugs" it, `relu(conv(` ... `))`, so a
 * long inner call breaks its own arguments instead of adding an indentation level per wrapper.
 */
function huggedArgument(path: AstPath<LpnetNode>): boolean {
  const node = path.node;
  if (node.kind !== 'CallExpr' || node.args.length !== 1) return false;
  const arg = node.args[0];
  if (arg.kind !== 'PositionalArgument') return false;
  if (arg.value.kind !== 'CallExpr' && arg.value.kind !== 'ListExpr') return false;
  return !hasComments(arg) && !hasComments(arg.value);
}

/** Comments on their own lines, keeping single blank lines the user put between them. */
function commentLines(comments: Comment[], text: string): Doc {
  return comments.map((c, i) => [
    i > 0 ? hardline : '',
    i > 0 && isNextLineBlank(text, comments[i - 1].span.end.offset) ? hardline : '',
    commentText(c),
  ]);
}

/**
 * Statements (or train settings) one per line. A blank line the user left after a statement is
 * kept; several collapse to one, since a hardline pair is all we ever emit.
 */
function statementLines(path: AstPath<LpnetNode>, print: Print, key: string, text: string): Doc {
  const list = (path.node as unknown as Record<string, LpnetNode[]>)[key];
  const printed = printAll(path, print, key);
  return printed.map((doc, i) => [
    i > 0 ? hardline : '',
    i > 0 && isNextLineBlank(text, list[i - 1].span.end.offset) ? hardline : '',
    markAsRoot(doc),
  ]);
}

/**
 * `{ ... }` of a net, block, repeat or train. Nets, blocks and train sections always open one
 * line per statement; a repeat with a single statement stays `{ stmt }` when it fits.
 */
function printBody(path: AstPath<LpnetNode>, print: Print, text: string): Doc {
  const node = path.node;
  if (!isBraced(node)) throw new Error(`printBody on ${node.kind}`);
  const key = node.kind === 'TrainDecl' ? 'settings' : 'body';
  const beforeBrace = takeDanglingComments(path, 'before-brace');
  const braceLine = takeDanglingComments(path, 'brace-line');
  const inside = takeDanglingComments(path, 'empty-body');
  // `lineSuffixBoundary`: a comment still pending from the header must not share this line.
  const header: Doc =
    beforeBrace.length === 0 ? '' : [lineSuffixBoundary, join(hardline, beforeBrace.map(commentText)), hardline];
  const open: Doc = [
    header,
    braceLine.length > 0 ? lineSuffixBoundary : '',
    '{',
    braceLine.map((c) => [' ', commentText(c)]),
  ];
  if (bodyOf(node).length === 0) {
    if (inside.length === 0) return braceLine.length === 0 ? [header, '{}'] : [open, hardline, '}'];
    return [open, indent([hardline, commentLines(inside, text)]), hardline, '}'];
  }
  const statements = statementLines(path, print, key, text);
  if (node.kind === 'RepeatStmt' && node.body.length === 1 && braceLine.length === 0) {
    return group([open, indent([line, statements]), line, '}']);
  }
  return [open, braceLine.length > 0 ? breakParent : '', indent([hardline, statements]), hardline, '}'];
}

/**
 * Whether two neighbouring top-level items get a blank line between them. Always, except inside
 * a run of imports or of type aliases, where the user's choice (none or one) is kept, so
 * `type W8 = ...` / `type A8 = ...` can stay together as a group.
 */
function blankLineBetween(a: Item, b: Item, text: string): boolean {
  const sameSimpleKind = a.kind === b.kind && (a.kind === 'ImportDecl' || a.kind === 'TypeAliasDecl');
  return !sameSimpleKind || isNextLineBlank(text, a.span.end.offset);
}

function printProgram(path: AstPath<LpnetNode>, print: Print, text: string): Doc {
  const node = path.node;
  if (node.kind !== 'Program') throw new Error(`printProgram on ${node.kind}`);
  // With no items, prettier leaves every comment dangling on the Program.
  const loose = takeDanglingComments(path, 'empty-body');
  if (node.items.length === 0) return loose.length === 0 ? '' : [commentLines(loose, text), hardline];
  const items = printAll(path, print, 'items');
  const parts: Doc[] = [];
  items.forEach((doc, i) => {
    if (i > 0) parts.push(hardline, blankLineBetween(node.items[i - 1], node.items[i], text) ? hardline : '');
    parts.push(doc);
  });
  return [parts, hardline];
}

/**
 * A child printed in the middle of a line (after `=`, `:`, `->`, an operator, a keyword). A
 * comment before it puts it on the next line, indented to show it still belongs here; a comment
 * that stood on its own line keeps its own line, so the next run sees the same placement.
 */
function printValue(path: AstPath<LpnetNode>, print: Print, key: string): Doc {
  const child = (path.node as unknown as Record<string, { comments?: AttachedComment[] } | undefined>)[key];
  const leading = child?.comments?.filter((c) => c.leading) ?? [];
  if (leading.length === 0) return print(key);
  // Leading comments print in source order, so the first decides whether the line breaks first.
  const first = leading.reduce((a, b) => (b.span.start.offset < a.span.start.offset ? b : a));
  if (first.placement === 'ownLine') return indent([hardline, print(key)]);
  // An end-of-line comment printed here must not be glued after another one still pending.
  return [lineSuffixBoundary, indent(print(key))];
}

function printOutType(path: AstPath<LpnetNode>, print: Print): Doc {
  return (path.node as { outType?: unknown }).outType ? [' -> ', printValue(path, print, 'outType')] : '';
}

function printNodeItself(path: AstPath<LpnetNode>, options: ParserOptions<LpnetNode>, print: Print): Doc {
  const node = path.node;
  const text = options.originalText;
  switch (node.kind) {
    case 'Program':
      return printProgram(path, print, text);
    case 'ImportDecl':
      return ['import ', printValue(path, print, 'path')];
    case 'TypeAliasDecl':
      return ['type ', node.name.name, ' = ', printValue(path, print, 'type')];
    case 'NetDecl':
    case 'BlockDecl': {
      const keyword = node.kind === 'NetDecl' ? 'net' : 'block';
      // `net X {` and `net X() {` mean the same; the canonical form drops the empty list.
      const params = node.params.length > 0 ? bracketed('(', printAll(path, print, 'params'), ')') : '';
      return [keyword, ' ', node.name.name, params, ' ', printBody(path, print, text)];
    }
    case 'TrainDecl':
      return ['train ', node.net.name, ' ', printBody(path, print, text)];
    case 'TrainSetting':
      return [node.key.name, ' ', printValue(path, print, 'value')];
    case 'ParamDecl':
      return [
        node.name.name,
        // Bare tensor parameters have no written kind; a written `x: tensor` keeps it.
        node.kindSpan ? [': ', node.paramKind] : '',
        node.default ? [' = ', printValue(path, print, 'default')] : '',
      ];
    case 'InputStmt':
      return [
        'input ',
        node.name.name,
        ': ',
        printValue(path, print, 'dtype'),
        bracketed('[', printAll(path, print, 'shape'), ']'),
      ];
    case 'LetStmt':
      return [node.name.name, ' = ', printValue(path, print, 'value'), printOutType(path, print)];
    case 'MarkerStmt':
      return [
        node.marker,
        ' ',
        node.name.name,
        node.value ? [' = ', printValue(path, print, 'value'), printOutType(path, print)] : '',
      ];
    case 'RepeatStmt':
      return [
        'repeat ',
        printValue(path, print, 'count'),
        node.index ? [' as ', node.index.name] : '',
        ' ',
        printBody(path, print, text),
      ];
    case 'ReturnStmt':
      return ['return ', printValue(path, print, 'value'), printOutType(path, print)];
    case 'NamedType':
      return node.name.name;
    case 'FixedType':
      return ['fixed', bracketed('<', [print('intBits'), print('fracBits'), ...printAll(path, print, 'options')], '>')];
    case 'NumberLiteral':
    case 'StringLiteral':
      return node.raw;
    case 'BoolLiteral':
      return node.value ? 'true' : 'false';
    case 'NameRef':
      return node.name.name;
    case 'TypeValue':
      return print('type');
    case 'ListExpr':
      return bracketed('[', printAll(path, print, 'items'), ']', danglingInside(path, text));
    case 'BinaryExpr':
      return [printValue(path, print, 'left'), ' ', node.op, ' ', printValue(path, print, 'right')];
    case 'UnaryExpr':
      // `- # c` rather than `-# c` when a comment separates the sign from its operand.
      return [node.op, hasComments(node.operand) ? ' ' : '', printValue(path, print, 'operand')];
    case 'ParenExpr':
      // A comment at either end of the inner expression puts it on lines of its own, so a
      // comment before `)` cannot drift past the parenthesis into the rest of the line.
      if (hasComments(node.expr)) return ['(', indent([hardline, markAsRoot(print('expr'))]), hardline, ')'];
      return ['(', print('expr'), ')'];
    case 'CallExpr':
      if (huggedArgument(path)) return [node.callee.name, '(', print(['args', 0]), ')'];
      return [node.callee.name, bracketed('(', printAll(path, print, 'args'), ')', danglingInside(path, text))];
    case 'PositionalArgument':
      return print('value');
    case 'NamedArgument':
      return [node.name.name, ': ', printValue(path, print, 'value')];
    case 'Identifier':
      return node.name;
    case 'Comment':
      return commentText(node);
    default: {
      const unknown: never = node;
      throw new Error(`the formatter does not know AST node kind ${(unknown as { kind: string }).kind}`);
    }
  }
}

function printNode(path: AstPath<LpnetNode>, options: ParserOptions<LpnetNode>, print: Print): Doc {
  return printWithComments(path, printNodeItself(path, options, print), options.originalText);
}

export const lpnetPrinter: Printer<LpnetNode> = {
  print: printNode,
  canAttachComment,
  printComment,
  handleComments,
  getVisitorKeys,
  // Leading and trailing comments are placed by printWithComments, not by prettier.
  willPrintOwnComments: () => true,
};
