import { EOF, type IParserErrorMessageProvider, type IToken, type TokenType } from 'chevrotain';
import * as T from './lexer.js';
import { describeOpener, findUnclosedOpener } from './open-delimiters.js';

/**
 * Parser error messages in the user's terms ("expected `)` to close the call to `conv` but found
 * `{`") instead of Chevrotain's token-type names.
 *
 * Chevrotain only lets a provider return a string, so each message starts with its LPC code
 * and a space; parse.ts splits it off ({@link splitCodedMessage}). The code says which kind of
 * mistake it is (unclosed delimiter, missing statement, ...) so users can look it up.
 */

const CLOSERS = new Set<TokenType>([T.RParen, T.RBracket, T.RCurly, T.Greater]);
const OPENERS = new Set<TokenType>([T.LParen, T.LBracket, T.LCurly, T.Less]);
/** Rules that hold comma-separated lists closed by a delimiter. */
const LISTS = new Set(['nameOrCall', 'paramList', 'listExpr', 'fixedType']);

const TOKEN_TEXT = new Map<TokenType, string>([
  [T.Arrow, '->'],
  [T.LParen, '('],
  [T.RParen, ')'],
  [T.LCurly, '{'],
  [T.RCurly, '}'],
  [T.LBracket, '['],
  [T.RBracket, ']'],
  [T.Less, '<'],
  [T.Greater, '>'],
  [T.Comma, ','],
  [T.Colon, ':'],
  [T.Semicolon, ';'],
  [T.Equals, '='],
  [T.Plus, '+'],
  [T.Minus, '-'],
  [T.Star, '*'],
  [T.Slash, '/'],
  [T.Percent, '%'],
]);

const STATEMENT_LIST = 'a statement (a binding `name = ...`, `input`, `output`, `loss`, `repeat` or `return`)';
const ITEM_LIST = '`import`, `type`, `net`, `block` or `train`';
const EXPRESSION_LIST = 'an expression (a number, string, name, call, list `[...]`, `fixed<...>` or `(...)`)';
const TYPE_LIST = 'a number type (`fixed<I, F>`, `f32`, `i32` or a type alias)';
const SETTING_LIST = 'a setting (such as `optimizer sgd(lr: 0.01)` or `batch 64`)';

/** How a found token reads in a message. */
export function describeToken(token: IToken): string {
  if (token.tokenType === EOF) return 'the end of the file';
  const image = token.image.length > 24 ? `${token.image.slice(0, 21)}...` : token.image;
  return `\`${image}\``;
}

/** How an expected token type reads in a message, given the rule that wanted it. */
function describeExpected(expected: TokenType, ruleName: string, previous: IToken): string {
  const text = TOKEN_TEXT.get(expected);
  if (text !== undefined) {
    if (expected === T.Equals && ruleName === 'letStmt')
      return `\`=\` after \`${previous.image}\` (a binding is \`name = ...\`)`;
    return `\`${text}\``;
  }
  if (expected === T.Identifier) return describeExpectedName(ruleName, previous);
  if (expected === T.NumberLit) return 'a number';
  if (expected === T.StringLit) return ruleName === 'importDecl' ? 'a file path in double quotes' : 'a string';
  if (expected === EOF) return 'the end of the file';
  // Keywords: their pattern is their text.
  const pattern = expected.PATTERN;
  return pattern instanceof RegExp ? `\`${pattern.source}\`` : `\`${expected.name}\``;
}

function describeExpectedName(ruleName: string, previous: IToken): string {
  switch (ruleName) {
    case 'netDecl':
      return 'a name for the net';
    case 'blockDecl':
      return 'a name for the block';
    case 'typeAliasDecl':
      return 'a name for the type';
    case 'trainDecl':
      return 'the name of the net to train';
    case 'inputStmt':
      return 'a name for the input';
    case 'markerStmt':
      return `a value name after \`${previous.image}\``;
    case 'repeatStmt':
      return 'a name for the repeat index';
    case 'param':
    case 'paramList':
      return 'a parameter name';
    default:
      return 'a name';
  }
}

function mismatch(expected: TokenType, actual: IToken, previous: IToken, ruleName: string): string {
  const found = describeToken(actual);
  if (CLOSERS.has(expected)) {
    const opener = findUnclosedOpener(previous);
    const closes = opener ? ` to close ${describeOpener(opener)}` : '';
    if (expected === T.RCurly && ruleName === 'body') {
      return `LPC1011 expected ${STATEMENT_LIST} or \`}\`${closes} but found ${found}`;
    }
    if (expected === T.RCurly && ruleName === 'trainDecl') {
      return `LPC1016 expected ${SETTING_LIST} or \`}\`${closes} but found ${found}`;
    }
    // In a comma-separated list, a missing `,` is as likely as a missing closer.
    const listed = LISTS.has(ruleName) && previous.tokenType !== T.Comma && !OPENERS.has(previous.tokenType);
    const what = listed ? `\`,\` or \`${TOKEN_TEXT.get(expected)}\`` : `\`${TOKEN_TEXT.get(expected)}\``;
    return `LPC1015 expected ${what}${closes} but found ${found}`;
  }
  if (expected === EOF) return `LPC1012 expected ${ITEM_LIST} at the top level but found ${found}`;
  return `LPC1010 expected ${describeExpected(expected, ruleName, previous)} but found ${found}`;
}

function noViableAlternative(ruleName: string, actual: IToken): string {
  const found = describeToken(actual);
  switch (ruleName) {
    case 'statement':
      return `LPC1011 expected ${STATEMENT_LIST} but found ${found}`;
    case 'item':
    case 'program':
      return `LPC1012 expected ${ITEM_LIST} at the top level but found ${found}`;
    case 'typeExpr':
      return `LPC1014 expected ${TYPE_LIST} but found ${found}`;
    case 'param':
      return `LPC1010 expected a parameter kind (\`int\`, \`float\`, \`bool\` or \`type\`) but found ${found}`;
    case 'markerStmt':
      return `LPC1010 expected \`output\` or \`loss\` but found ${found}`;
    default:
      return `LPC1013 expected ${EXPRESSION_LIST} but found ${found}`;
  }
}

export const lpnetErrorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected, actual, previous, ruleName }) {
    return mismatch(expected, actual, previous, ruleName);
  },
  buildNotAllInputParsedMessage({ firstRedundant }) {
    if (firstRedundant.tokenType === T.RCurly) {
      return `LPC1012 expected ${ITEM_LIST} at the top level but found \`}\` with no \`{\` open`;
    }
    return `LPC1012 expected ${ITEM_LIST} at the top level but found ${describeToken(firstRedundant)}`;
  },
  buildNoViableAltMessage({ actual, ruleName }) {
    return noViableAlternative(ruleName, actual[0]);
  },
  buildEarlyExitMessage({ actual, ruleName }) {
    return noViableAlternative(ruleName, actual[0]);
  },
};

/** Splits a provider message into its code and text; foreign messages get the generic code. */
export function splitCodedMessage(message: string): {
  code: string;
  message: string;
} {
  const m = /^(LPC\d{4}) ([\s\S]*)$/.exec(message);
  return m ? { code: m[1], message: m[2] } : { code: 'LPC1010', message };
}
