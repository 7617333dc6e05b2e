import type { IToken, TokenType } from 'chevrotain';
import * as T from './lexer.js';

/**
 * Finds what an expected closing delimiter would close, so a message can say "to close the call
 * to `conv`" instead of only "expected `)`". Chevrotain's message provider sees just the tokens
 * around the error, so the token vector of the parse in progress is kept here.
 */

let tokens: readonly IToken[] = [];

/** Called by the parse driver before each parse (the parser is a shared singleton). */
export function setDelimiterTokens(vector: readonly IToken[]): void {
  tokens = vector;
}

const OPENERS = new Set<TokenType>([T.LParen, T.LBracket, T.LCurly, T.Less]);
const CLOSERS = new Set<TokenType>([T.RParen, T.RBracket, T.RCurly, T.Greater]);

/** Bounds the backward scan so a pathological file cannot make error reporting quadratic. */
const MAX_SCAN = 20_000;

function indexOfToken(token: IToken): number {
  const offset = token.startOffset;
  if (!Number.isFinite(offset)) return -1;
  let lo = 0;
  let hi = tokens.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = tokens[mid].startOffset;
    if (at === offset) return mid;
    if (at < offset) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** The innermost delimiter opened at or before `last` and not closed by it, if any. */
export function findUnclosedOpener(last: IToken): { token: IToken; index: number } | undefined {
  const from = indexOfToken(last);
  let depth = 0;
  for (let i = from; i >= 0 && from - i < MAX_SCAN; i--) {
    const type = tokens[i].tokenType;
    if (CLOSERS.has(type)) depth++;
    else if (OPENERS.has(type)) {
      if (depth === 0) return { token: tokens[i], index: i };
      depth--;
    }
  }
  return undefined;
}

function typeAt(i: number): TokenType | undefined {
  return i >= 0 && i < tokens.length ? tokens[i].tokenType : undefined;
}

function isName(i: number): boolean {
  const type = typeAt(i);
  return type === T.Identifier || type === T.Fixed;
}

/** Index of the `(` matching the `)` at `close`, or -1. */
function matchingParen(close: number): number {
  let depth = 0;
  for (let i = close; i >= 0 && close - i < MAX_SCAN; i--) {
    const type = tokens[i].tokenType;
    if (type === T.RParen) depth++;
    else if (type === T.LParen && --depth === 0) return i;
  }
  return -1;
}

function itemWord(type: TokenType | undefined): string | undefined {
  if (type === T.Net) return 'net';
  if (type === T.Block) return 'block';
  return undefined;
}

/** "the call to `conv`", "the body of net `LeNet`", "the list opened at line 4", ... */
export function describeOpener(opener: { token: IToken; index: number }): string {
  const { token, index } = opener;
  const where = `line ${token.startLine ?? '?'}`;
  switch (token.tokenType) {
    case T.LParen: {
      if (isName(index - 1)) {
        const name = tokens[index - 1].image;
        const word = itemWord(typeAt(index - 2));
        return word ? `the parameters of ${word} \`${name}\`` : `the call to \`${name}\``;
      }
      return `the parenthesis opened at ${where}`;
    }
    case T.LBracket: {
      if (typeAt(index - 2) === T.Colon && typeAt(index - 4) === T.Input) {
        return `the shape of input \`${tokens[index - 3].image}\``;
      }
      return `the list opened at ${where}`;
    }
    case T.LCurly: {
      let before = index - 1;
      if (typeAt(before) === T.RParen) before = matchingParen(before) - 1;
      if (isName(before)) {
        const name = tokens[before].image;
        const word = itemWord(typeAt(before - 1));
        if (word) return `the body of ${word} \`${name}\``;
        if (typeAt(before - 1) === T.Train) return `the train section for \`${name}\``;
        if (typeAt(before - 1) === T.As || typeAt(before - 1) === T.Repeat)
          return `the body of \`repeat\` (opened at ${where})`;
      }
      return `the \`{\` opened at ${where}`;
    }
    default:
      return '`fixed<...>`';
  }
}
