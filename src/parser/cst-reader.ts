import type { CstElement, CstNode, IToken } from 'chevrotain';
import type { Position, Span } from '../diag/span.js';

/**
 * Typed access to Chevrotain CST children, and spans from tokens and CST locations.
 *
 * Tokens that error recovery inserted (`isInsertedInRecovery`) have no text and no position, so
 * they read as absent: the AST builder then drops the incomplete node instead of inventing one.
 */

function isCstNode(e: CstElement): e is CstNode {
  return (e as CstNode).children !== undefined;
}

/** The sub-rule nodes under `key` (a rule name or a LABEL), in source order. */
export function nodesOf(node: CstNode, key: string): CstNode[] {
  const list = node.children[key];
  if (!list) return [];
  return list.filter(isCstNode);
}

export function nodeOf(node: CstNode, key: string, index = 0): CstNode | undefined {
  return nodesOf(node, key)[index];
}

/** The real (not recovery-inserted) tokens under `key`, in source order. */
export function tokensOf(node: CstNode, key: string): IToken[] {
  const list = node.children[key];
  if (!list) return [];
  const out: IToken[] = [];
  for (const e of list) if (!isCstNode(e) && !e.isInsertedInRecovery) out.push(e);
  return out;
}

export function tokenOf(node: CstNode, key: string, index = 0): IToken | undefined {
  return tokensOf(node, key)[index];
}

/** Tokens under any of `keys`, merged in source order (Chevrotain groups children by name). */
export function tokensInOrder(node: CstNode, keys: readonly string[]): IToken[] {
  const all: IToken[] = [];
  for (const k of keys) all.push(...tokensOf(node, k));
  return all.sort((a, b) => a.startOffset - b.startOffset);
}

export function tokenStart(t: IToken): Position {
  return {
    offset: t.startOffset,
    line: t.startLine ?? 1,
    col: t.startColumn ?? 1,
  };
}

/** Position just after the token's last character (spans are half-open). */
export function tokenEnd(t: IToken): Position {
  return {
    offset: (t.endOffset ?? t.startOffset) + 1,
    line: t.endLine ?? 1,
    col: (t.endColumn ?? 0) + 1,
  };
}

export function tokenSpan(file: string, t: IToken): Span {
  return { file, start: tokenStart(t), end: tokenEnd(t) };
}

function firstRealToken(node: CstNode): IToken | undefined {
  let best: IToken | undefined;
  for (const list of Object.values(node.children)) {
    for (const e of list) {
      const t = isCstNode(e) ? firstRealToken(e) : e.isInsertedInRecovery ? undefined : e;
      if (t && Number.isFinite(t.startOffset) && (!best || t.startOffset < best.startOffset)) best = t;
    }
  }
  return best;
}

function lastRealToken(node: CstNode): IToken | undefined {
  let best: IToken | undefined;
  for (const list of Object.values(node.children)) {
    for (const e of list) {
      const t = isCstNode(e) ? lastRealToken(e) : e.isInsertedInRecovery ? undefined : e;
      if (t && Number.isFinite(t.startOffset) && (!best || t.startOffset > best.startOffset)) best = t;
    }
  }
  return best;
}

/**
 * The node's span from Chevrotain's location tracking; after error recovery the location can
 * be partly NaN, and then the real tokens underneath decide.
 */
export function nodeSpan(file: string, node: CstNode): Span | undefined {
  const loc = node.location;
  if (
    loc &&
    Number.isFinite(loc.startOffset) &&
    Number.isFinite(loc.endOffset) &&
    loc.startLine !== undefined &&
    loc.startColumn !== undefined &&
    loc.endLine !== undefined &&
    loc.endColumn !== undefined &&
    Number.isFinite(loc.startLine) &&
    Number.isFinite(loc.endLine)
  ) {
    return {
      file,
      start: {
        offset: loc.startOffset,
        line: loc.startLine,
        col: loc.startColumn,
      },
      end: {
        offset: (loc.endOffset as number) + 1,
        line: loc.endLine,
        col: loc.endColumn + 1,
      },
    };
  }
  const first = firstRealToken(node);
  const last = lastRealToken(node);
  if (!first || !last) return undefined;
  return { file, start: tokenStart(first), end: tokenEnd(last) };
}
