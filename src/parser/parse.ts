import type { ILexingError, IRecognitionException, IToken } from 'chevrotain';
import { error, type Diagnostic } from '../diag/diagnostic.js';
import type { Position, Span } from '../diag/span.js';
import type { Program } from './ast.js';
import { tokenEnd, tokenSpan } from './cst-reader.js';
import { AstBuilder } from './cst-to-ast.js';
import { describeToken, splitCodedMessage } from './error-messages.js';
import {
  Arrow,
  As,
  COMMENT_GROUP,
  Fixed,
  Greater,
  Input,
  KEYWORDS,
  LBracket,
  LCurly,
  Less,
  Loss,
  LParen,
  lpnetLexer,
  Output,
  RBracket,
  RCurly,
  Repeat,
  Return,
  RParen,
} from './lexer.js';
import { setDelimiterTokens } from './open-delimiters.js';
import { parseTokens } from './parser.js';
import { hintForRuleStack } from './syntax-hints.js';

export interface ParseResult {
  /** Always present; after errors it holds every item that could be built. */
  program: Program;
  /** Lexer and parser diagnostics (LPC10xx), in source order. */
  diagnostics: Diagnostic[];
}

/** Position of character `offset`, counting LF, CRLF and CR as line ends like the lexer does. */
function positionAt(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  const lineEnd = /\r\n?|\n/g;
  for (let m = lineEnd.exec(text); m !== null && m.index < offset; m = lineEnd.exec(text)) {
    line++;
    lineStart = m.index + m[0].length;
  }
  return { offset, line, col: offset - lineStart + 1 };
}

function lexerDiagnostic(text: string, file: string, e: ILexingError): Diagnostic {
  const chars = text.slice(e.offset, e.offset + e.length);
  const start: Position = {
    offset: e.offset,
    line: e.line ?? 1,
    col: e.column ?? 1,
  };
  const end: Position = {
    offset: e.offset + e.length,
    line: start.line,
    col: start.col + e.length,
  };
  const shown = chars.length > 16 ? `${chars.slice(0, 16)}...` : chars;
  const what = e.length === 1 ? 'character' : 'characters';
  let hint = 'remove it; comments start with `#`';
  if (chars.startsWith("'")) hint = 'strings use double quotes: `"..."`';
  else if (chars.startsWith('.'))
    hint = 'a number is written with digits on both sides of `.` (`0.5`, not `.5` or `5.`)';
  return error('LPC1001', `unexpected ${what} \`${shown}\``, { file, start, end }, { hint });
}

const KEYWORD_SET = new Set(KEYWORDS.filter((k) => k !== Fixed));
/** Statement keywords a user may plausibly have meant as a value name (`output = ...`). */
const NAME_LIKE_KEYWORDS = new Set([Input, Output, Loss, Repeat, Return, As]);

/** Where a parse error points: the offending token, or just after the last real one at EOF. */
function errorSpan(text: string, file: string, e: IRecognitionException): Span {
  const token = e.token;
  if (Number.isFinite(token.startOffset) && token.image !== '') return tokenSpan(file, token);
  const previous = (e as { previousToken?: IToken }).previousToken;
  const at =
    previous && Number.isFinite(previous.startOffset) && previous.image !== ''
      ? tokenEnd(previous)
      : positionAt(text, text.length);
  return { file, start: at, end: at };
}

function errorHint(e: IRecognitionException, code: string): string | undefined {
  const previous = (e as { previousToken?: IToken }).previousToken;
  if (previous && NAME_LIKE_KEYWORDS.has(previous.tokenType) && e.token.image === '=') {
    return `\`${previous.image}\` is a keyword and cannot name a value; choose another name`;
  }
  if (e.token.tokenType === Arrow) {
    return 'an output type `-> T` ends a binding, marker or return (`y = relu(x) -> A8`); bind an inner value to its own name to type it';
  }
  if (KEYWORD_SET.has(e.token.tokenType) && code === 'LPC1010') {
    return `${describeToken(e.token)} is a keyword; if it is meant as a name, choose another name`;
  }
  switch (code) {
    case 'LPC1015':
      return e.message.includes('expected `,` or')
        ? 'separate the items with `,`, and close the list where it ends'
        : 'add the closing delimiter, or remove the extra opening one';
    case 'LPC1011':
      return 'a body holds `name = expr`, `input`, `output`, `loss`, `repeat` and `return` statements';
    case 'LPC1012':
      return 'a file holds `import`, `type`, `net`, `block` and `train` items; statements belong inside a net or block';
    case 'LPC1013':
      return 'an expression is a number, string, `true`/`false`, name, call, list, `fixed<...>` or `(...)`';
    case 'LPC1014':
      return 'a type is `fixed<I, F>`, `f32`, `i32` or a `type` alias';
    case 'LPC1016':
      return 'a setting is a key and a value, such as `optimizer sgd(lr: 0.01)` or `batch 64`';
    default:
      return hintForRuleStack(e.context?.ruleStack ?? []);
  }
}

function parserDiagnostic(text: string, file: string, e: IRecognitionException): Diagnostic {
  const { code, message } = splitCodedMessage(e.message);
  return error(code, message, errorSpan(text, file, e), {
    hint: errorHint(e, code),
  });
}

/**
 * Deepest bracket nesting the parser accepts. It recurses a few frames per level, so absurd
 * nesting (machine-made files, thousands of unclosed `(`) would exhaust the stack; real nets
 * nest a handful of levels.
 */
export const MAX_NESTING = 200;

/** The opener that first exceeds MAX_NESTING, if any. */
function tooDeepOpener(tokens: readonly IToken[]): IToken | undefined {
  let depth = 0;
  for (const t of tokens) {
    const type = t.tokenType;
    if (type === LParen || type === LBracket || type === LCurly || type === Less) {
      if (++depth > MAX_NESTING) return t;
    } else if (type === RParen || type === RBracket || type === RCurly || type === Greater) {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

function tooDeep(file: string, opener: IToken | undefined): Diagnostic {
  return error(
    'LPC1005',
    `brackets are nested more than ${MAX_NESTING} levels deep`,
    opener && tokenSpan(file, opener),
    { hint: 'split the nested expression into several bindings, or close the brackets that were left open' },
  );
}

function emptyProgram(text: string, file: string): Program {
  const span: Span = {
    file,
    start: { offset: 0, line: 1, col: 1 },
    end: positionAt(text, text.length),
  };
  return { kind: 'Program', file, items: [], comments: [], span };
}

/**
 * Parses one .lpnet file. Never throws: syntax errors become diagnostics (LPC10xx) and the
 * program holds every item that survived error recovery, so the formatter and checker can keep
 * going and users see several mistakes per run.
 */
export function parseProgram(text: string, file: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  try {
    const lexed = lpnetLexer.tokenize(text);
    for (const e of lexed.errors) diagnostics.push(lexerDiagnostic(text, file, e));
    const deepest = tooDeepOpener(lexed.tokens);
    if (deepest) {
      diagnostics.push(tooDeep(file, deepest));
      return { program: emptyProgram(text, file), diagnostics };
    }
    setDelimiterTokens(lexed.tokens);
    const { cst, parser } = parseTokens(lexed.tokens);
    // One syntax error per line: after recovery, the rest of a broken line mostly yields
    // follow-on errors (a missing `)` then "unexpected `}`") that bury the real one.
    // A line with a lexer error is skipped too: the dropped character is the real mistake.
    const lexerErrorLines = new Set(diagnostics.map((d) => d.span?.start.line));
    let lastLine = -1;
    for (const e of parser.errors) {
      const d = parserDiagnostic(text, file, e);
      const line = d.span?.start.line ?? -1;
      if (line === lastLine || lexerErrorLines.has(line)) continue;
      lastLine = line;
      diagnostics.push(d);
    }
    const comments = (lexed.groups[COMMENT_GROUP] ?? []) as IToken[];
    const wholeFile = emptyProgram(text, file).span;
    const program = new AstBuilder(file, diagnostics).program(cst, comments, wholeFile);
    setDelimiterTokens([]);
    diagnostics.sort((a, b) => (a.span?.start.offset ?? 0) - (b.span?.start.offset ?? 0));
    return { program, diagnostics };
  } catch (cause) {
    setDelimiterTokens([]);
    if (cause instanceof RangeError && /call stack/i.test(cause.message)) {
      // The bracket guard keeps real input far from this; a host with a much smaller stack may not.
      diagnostics.push(tooDeep(file, undefined));
      return { program: emptyProgram(text, file), diagnostics };
    }
    // A bug in the parser must not reach the user as a stack trace.
    const detail = cause instanceof Error ? cause.message : String(cause);
    diagnostics.push(
      error('LPC1000', `internal error in the parser: ${detail}`, undefined, {
        hint: 'this is a bug in lpc; please report it with the file that triggers it',
      }),
    );
    return { program: emptyProgram(text, file), diagnostics };
  }
}
