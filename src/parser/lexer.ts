import { createToken, Lexer, type TokenType } from 'chevrotain';

/**
 * The .lpnet tokens. Ops, number kinds (`int`, `f32`, ...) and train keys are ordinary
 * identifiers: the op registry and the checker give them meaning, so the grammar never grows a
 * keyword per op.
 */

/** Token group that collects `#` comments for the formatter instead of skipping them. */
export const COMMENT_GROUP = 'comments';

export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  label: 'name',
});

function keyword(word: string, name: string, extra: { categories?: TokenType[] } = {}): TokenType {
  return createToken({
    name,
    pattern: new RegExp(word),
    label: `'${word}'`,
    longer_alt: Identifier,
    ...extra,
  });
}

export const Import = keyword('import', 'Import');
export const Type = keyword('type', 'Type');
export const Net = keyword('net', 'Net');
export const Block = keyword('block', 'Block');
export const Input = keyword('input', 'Input');
export const Output = keyword('output', 'Output');
export const Loss = keyword('loss', 'Loss');
export const Repeat = keyword('repeat', 'Repeat');
export const As = keyword('as', 'As');
export const Return = keyword('return', 'Return');
export const Train = keyword('train', 'Train');
export const True = keyword('true', 'True');
export const False = keyword('false', 'False');
/**
 * `fixed` is contextual: it starts a number type only when `<` follows, and is an ordinary name
 * otherwise, so the Caffe learning-rate policy `schedule fixed` still reads naturally. Being in
 * the Identifier category lets every CONSUME(Identifier) accept it.
 */
export const Fixed = keyword('fixed', 'Fixed', { categories: [Identifier] });

/** Integers (`64`) and floats (`0.01`, `5e-4`, `1.5E+3`). A leading `-` is the unary operator. */
export const NumberLit = createToken({
  name: 'NumberLit',
  pattern: /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/,
  label: 'number',
});

/** Any double-quoted string; both the closed and the unterminated form belong to it. */
export const StringLit = createToken({ name: 'StringLit', pattern: Lexer.NA, label: 'string' });
export const ClosedString = createToken({
  name: 'ClosedString',
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*"/,
  categories: [StringLit],
});
/**
 * A string cut off by the end of the line. Lexing it as a string (instead of failing on `"`)
 * keeps the rest of the line from turning into a cascade of bogus errors; the AST builder
 * reports it once.
 */
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*\\?/,
  categories: [StringLit],
});

export const Arrow = createToken({ name: 'Arrow', pattern: /->/, label: "'->'" });
export const LParen = createToken({ name: 'LParen', pattern: /\(/, label: "'('" });
export const RParen = createToken({ name: 'RParen', pattern: /\)/, label: "')'" });
export const LCurly = createToken({ name: 'LCurly', pattern: /\{/, label: "'{'" });
export const RCurly = createToken({ name: 'RCurly', pattern: /\}/, label: "'}'" });
export const LBracket = createToken({ name: 'LBracket', pattern: /\[/, label: "'['" });
export const RBracket = createToken({ name: 'RBracket', pattern: /\]/, label: "']'" });
export const Less = createToken({ name: 'Less', pattern: /</, label: "'<'" });
export const Greater = createToken({ name: 'Greater', pattern: />/, label: "'>'" });
export const Comma = createToken({ name: 'Comma', pattern: /,/, label: "','" });
export const Colon = createToken({ name: 'Colon', pattern: /:/, label: "':'" });
export const Semicolon = createToken({ name: 'Semicolon', pattern: /;/, label: "';'" });
export const Equals = createToken({ name: 'Equals', pattern: /=/, label: "'='" });
/** Category of the binary operators, so an expression chain consumes any of them in one step. */
export const BinaryOperator = createToken({ name: 'BinaryOperator', pattern: Lexer.NA, label: 'operator' });
export const Plus = createToken({ name: 'Plus', pattern: /\+/, label: "'+'", categories: [BinaryOperator] });
export const Minus = createToken({ name: 'Minus', pattern: /-/, label: "'-'", categories: [BinaryOperator] });
export const Star = createToken({ name: 'Star', pattern: /\*/, label: "'*'", categories: [BinaryOperator] });
export const Slash = createToken({ name: 'Slash', pattern: /\//, label: "'/'", categories: [BinaryOperator] });
export const Percent = createToken({ name: 'Percent', pattern: /%/, label: "'%'", categories: [BinaryOperator] });

export const Comment = createToken({
  name: 'Comment',
  pattern: /#[^\r\n]*/,
  group: COMMENT_GROUP,
});
export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

/** Keywords, in the order the lexer must try them (before Identifier). */
export const KEYWORDS: readonly TokenType[] = [
  Import,
  Type,
  Net,
  Block,
  Input,
  Output,
  Loss,
  Repeat,
  As,
  Return,
  Train,
  True,
  False,
  Fixed,
];

/** Every token type, in match order (the parser also needs StringLit, the abstract category). */
export const ALL_TOKENS: readonly TokenType[] = [
  WhiteSpace,
  Comment,
  ClosedString,
  UnterminatedString,
  StringLit,
  NumberLit,
  Arrow,
  ...KEYWORDS,
  Identifier,
  LParen,
  RParen,
  LCurly,
  RCurly,
  LBracket,
  RBracket,
  Less,
  Greater,
  Comma,
  Colon,
  Semicolon,
  Equals,
  BinaryOperator,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
];

/** Built once per process: Chevrotain's lexer analysis is the costly part of construction. */
export const lpnetLexer = new Lexer(ALL_TOKENS as TokenType[], {
  positionTracking: 'full',
  ensureOptimizations: true,
});
