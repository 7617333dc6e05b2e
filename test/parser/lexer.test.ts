import { describe, expect, it } from 'vitest';
import type { LetStmt, NetDecl } from '../../src/parser/ast.js';
import { lpnetLexer } from '../../src/parser/lexer.js';
import { parseProgram } from '../../src/parser/parse.js';
import { parseOk } from './helpers.js';

/** Token type names and images of `text` (comments and whitespace excluded). */
function lex(text: string): string[] {
  return lpnetLexer.tokenize(text).tokens.map((t) => `${t.tokenType.name}:${t.image}`);
}

/** The value of `x = <literal>`. */
function literal(text: string) {
  const net = parseOk(`net N { x = ${text} }`).items[0] as NetDecl;
  return (net.body[0] as LetStmt).value;
}

describe('tokens', () => {
  it('keywords need a word boundary; op and kind names are identifiers', () => {
    expect(lex('net network input inputs type types conv int f32 fixed fixed_point')).toEqual([
      'Net:net',
      'Identifier:network',
      'Input:input',
      'Identifier:inputs',
      'Type:type',
      'Identifier:types',
      'Identifier:conv',
      'Identifier:int',
      'Identifier:f32',
      'Fixed:fixed',
      'Identifier:fixed_point',
    ]);
  });

  it('tells the arrow from minus', () => {
    expect(lex('a->b - -c-1')).toEqual([
      'Identifier:a',
      'Arrow:->',
      'Identifier:b',
      'Minus:-',
      'Minus:-',
      'Identifier:c',
      'Minus:-',
      'NumberLit:1',
    ]);
  });

  it('tracks lines and columns across LF, CRLF and tabs', () => {
    const tokens = lpnetLexer.tokenize('a\r\n\tb\nc').tokens;
    expect(tokens.map((t) => [t.image, t.startLine, t.startColumn, t.startOffset])).toEqual([
      ['a', 1, 1, 0],
      ['b', 2, 2, 4],
      ['c', 3, 1, 6],
    ]);
  });
});

describe('comments', () => {
  it('are collected with their spans, not skipped', () => {
    const text = '# head\nnet N { # open\n  x = f(y) # tail\n}\n#end';
    const program = parseOk(text);
    expect(program.comments.map((c) => c.text)).toEqual([' head', ' open', ' tail', 'end']);
    for (const c of program.comments) {
      expect(text.slice(c.span.start.offset, c.span.end.offset)).toBe(`#${c.text}`);
    }
    expect(program.comments[2].span).toMatchObject({ start: { line: 3, col: 12 }, end: { line: 3, col: 18 } });
    expect(program.comments[3].span.start).toEqual({ offset: text.length - 4, line: 5, col: 1 });
  });

  it('stop at CR as well as LF, and do not start inside strings', () => {
    const program = parseOk('import "a#b.lpnet" # c\r\nnet N { }');
    expect(program.comments.map((c) => c.text)).toEqual([' c']);
    expect(program.items[0]).toMatchObject({ path: { value: 'a#b.lpnet' } });
  });
});

describe('numbers', () => {
  it('integers have isInteger, floats and exponents do not, raw keeps the spelling', () => {
    expect(literal('0')).toMatchObject({ value: 0, isInteger: true, raw: '0' });
    expect(literal('007')).toMatchObject({ value: 7, isInteger: true, raw: '007' });
    expect(literal('64.0')).toMatchObject({ value: 64, isInteger: false, raw: '64.0' });
    expect(literal('5e-4')).toMatchObject({ value: 5e-4, isInteger: false, raw: '5e-4' });
    expect(literal('1E+3')).toMatchObject({ value: 1000, isInteger: false, raw: '1E+3' });
    expect(literal('1.5e3')).toMatchObject({ value: 1500, isInteger: false, raw: '1.5e3' });
  });

  it('a leading minus is the unary operator, not part of the literal', () => {
    expect(literal('-3')).toMatchObject({ kind: 'UnaryExpr', operand: { value: 3, raw: '3' } });
  });

  it('very long integers keep their text', () => {
    expect(literal('123456789012345678901234567890')).toMatchObject({
      isInteger: true,
      raw: '123456789012345678901234567890',
      value: 123456789012345678901234567890,
    });
  });

  it('`5.` and `.5` are not numbers', () => {
    expect(parseProgram('net N { x = 5. }', 'n.lpnet').diagnostics.map((d) => d.code)).toEqual(['LPC1001']);
    expect(parseProgram('net N { x = .5 }', 'n.lpnet').diagnostics.map((d) => d.code)).toEqual(['LPC1001']);
  });
});

describe('strings', () => {
  it('decode every escape and keep raw as written', () => {
    const raw = String.raw`"q\"b\\n\nt\tu\u00e9\u0041"`;
    expect(literal(raw)).toEqual(expect.objectContaining({ kind: 'StringLiteral', value: 'q"b\\n\nt\tu\u00e9A', raw }));
  });

  it('keep non-ASCII text and empty strings', () => {
    expect(literal('"héllo ✓"')).toMatchObject({ value: 'héllo ✓' });
    expect(literal('""')).toMatchObject({ value: '', raw: '""' });
  });

  it('an unterminated string ends at the line and the next line still parses', () => {
    const { program, diagnostics } = parseProgram('import "a.lpnet\nnet N { }', 's.lpnet');
    expect(diagnostics.map((d) => d.code)).toEqual(['LPC1002']);
    expect(diagnostics[0].span).toMatchObject({ start: { col: 8 }, end: { col: 16 } });
    expect(program.items.map((i) => i.kind)).toEqual(['ImportDecl', 'NetDecl']);
    expect(program.items[0]).toMatchObject({ path: { value: 'a.lpnet' } });
  });

  it('a trailing backslash of an unterminated string is not an escape error', () => {
    expect(parseProgram('import "a\\', 's.lpnet').diagnostics.map((d) => d.code)).toEqual(['LPC1002']);
  });
});

describe('line ends', () => {
  it('the program span ends at the right line for LF, CRLF and CR files', () => {
    for (const nl of ['\n', '\r\n', '\r']) {
      const text = `net A { }${nl}${nl}net B {${nl}  x = f(y)${nl}}${nl}# end`;
      const { program, diagnostics } = parseProgram(text, 'l.lpnet');
      expect(diagnostics).toEqual([]);
      expect(program.span.end).toEqual({ offset: text.length, line: 6, col: 6 });
      expect(program.items[1].span.start).toMatchObject({ line: 3, col: 1 });
    }
  });

  it('an error at the end of a CR-only file points after the last token', () => {
    const { diagnostics } = parseProgram('net A {\r  x = f(y', 'l.lpnet');
    expect(diagnostics[0].span?.start).toMatchObject({ line: 2, col: 10 });
  });
});
