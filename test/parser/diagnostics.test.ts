import { afterEach, describe, expect, it, vi } from 'vitest';
import { renderOneLine } from '../../src/diag/render.js';
import { PARSER_CODES } from '../../src/parser/codes.js';
import { AstBuilder } from '../../src/parser/cst-to-ast.js';
import { loadModules } from '../../src/parser/module-loader.js';
import { MAX_NESTING, parseProgram } from '../../src/parser/parse.js';
import { memoryHost } from './memory-host.js';

/** The one-line renders and hints of a file's diagnostics. */
function diagnose(text: string) {
  return parseProgram(text, 'e.lpnet').diagnostics;
}

/** One small input per code, with the exact one-line render it must produce. */
const CASES: { code: string; text: string; render: string }[] = [
  {
    code: 'LPC1001',
    text: 'net N { x = 1 @ 2 }',
    render: 'e.lpnet:1:15: error LPC1001: unexpected character `@`',
  },
  {
    code: 'LPC1002',
    text: 'import "abc\nnet N { }',
    render: 'e.lpnet:1:8: error LPC1002: this string is not closed before the end of the line',
  },
  {
    code: 'LPC1003',
    text: 'import "a\\qb"',
    render: 'e.lpnet:1:10: error LPC1003: unknown escape sequence `\\q` in a string',
  },
  {
    code: 'LPC1004',
    text: 'net N { x = 1e400 }',
    render: 'e.lpnet:1:13: error LPC1004: the number `1e400` is too large to represent',
  },
  {
    code: 'LPC1010',
    text: 'net { }',
    render: 'e.lpnet:1:5: error LPC1010: expected a name for the net but found `{`',
  },
  {
    code: 'LPC1011',
    text: 'net N {\n  42\n}',
    render:
      'e.lpnet:2:3: error LPC1011: expected a statement (a binding `name = ...`, `input`, `output`, `loss`, `repeat` or `return`) or `}` to close the body of net `N` but found `42`',
  },
  {
    code: 'LPC1012',
    text: 'net N { }\nx = 3',
    render:
      'e.lpnet:2:1: error LPC1012: expected `import`, `type`, `net`, `block` or `train` at the top level but found `x`',
  },
  {
    code: 'LPC1013',
    text: 'net N { x = * 2 }',
    render:
      'e.lpnet:1:13: error LPC1013: expected an expression (a number, string, name, call, list `[...]`, `fixed<...>` or `(...)`) but found `*`',
  },
  {
    code: 'LPC1014',
    text: 'net N { input x: 3[1] }',
    render:
      'e.lpnet:1:18: error LPC1014: expected a number type (`fixed<I, F>`, `f32`, `i32` or a type alias) but found `3`',
  },
  {
    code: 'LPC1015',
    text: 'net N { c1 = conv(x, filters: 3 { }',
    render: 'e.lpnet:1:33: error LPC1015: expected `,` or `)` to close the call to `conv` but found `{`',
  },
  {
    code: 'LPC1016',
    text: 'train N { 5 }',
    render:
      'e.lpnet:1:11: error LPC1016: expected a setting (such as `optimizer sgd(lr: 0.01)` or `batch 64`) or `}` to close the train section for `N` but found `5`',
  },
  {
    code: 'LPC1020',
    text: 'net N(a: integer) { }',
    render: 'e.lpnet:1:10: error LPC1020: unknown parameter kind `integer` for `a`',
  },
  {
    code: 'LPC1021',
    text: 'net N { x = f(k: 1, y) }',
    render: 'e.lpnet:1:21: error LPC1021: a positional argument cannot follow a named argument',
  },
  {
    code: 'LPC1022',
    text: 'block B(x = 1) { return x }',
    render: 'e.lpnet:1:13: error LPC1022: the tensor parameter `x` cannot have a default value',
  },
];

describe('every parser diagnostic code', () => {
  for (const c of CASES) {
    it(`${c.code}: ${c.text.replace(/\n/g, '\\n')}`, () => {
      const ds = diagnose(c.text);
      expect(ds.map(renderOneLine)).toEqual([c.render]);
      expect(ds[0].hint, 'every parser diagnostic has a hint').toBeTruthy();
    });
  }

  it('LPC1005: nesting deeper than the parser allows, at the first bracket too deep', () => {
    const ds = diagnose(`net N {\n  x = ${'('.repeat(3000)}1${')'.repeat(3000)}\n}`);
    expect(ds.map(renderOneLine)).toEqual([
      `e.lpnet:2:${6 + MAX_NESTING}: error LPC1005: brackets are nested more than ${MAX_NESTING} levels deep`,
    ]);
    expect(ds[0].hint).toBeTruthy();
    expect(diagnose('net N { x = ' + 'f('.repeat(5000))[0].code).toBe('LPC1005');
  });

  it('parses nesting up to the limit, and long operator and minus chains', () => {
    const depth = MAX_NESTING - 1;
    expect(diagnose(`net N { x = ${'('.repeat(depth)}1${')'.repeat(depth)} }`)).toEqual([]);
    // Calls are the deepest recursion per bracket (call, argument, expression, operand).
    expect(diagnose(`net N { x = ${'f('.repeat(depth)}1${')'.repeat(depth)} }`)).toEqual([]);
    const half = Math.floor(depth / 2);
    expect(diagnose(`net N { x = ${'[f(a: '.repeat(half)}1${')]'.repeat(half)} }`)).toEqual([]);
    expect(diagnose(`net N { x = ${'-'.repeat(20000)}1 }`)).toEqual([]);
    expect(diagnose(`net N { x = 1${' + 1'.repeat(20000)} }`)).toEqual([]);
  });

  it('LPC1101 and LPC1102 come from the module loader', () => {
    const host = memoryHost({ 'a.lpnet': 'import "gone.lpnet"\nimport "b.lpnet"', 'b.lpnet': 'import "a.lpnet"' });
    const ds = loadModules('a.lpnet', host).diagnostics;
    expect(ds.map(renderOneLine)).toEqual([
      'a.lpnet:1:8: error LPC1101: imported file `gone.lpnet` not found',
      'b.lpnet:1:1: error LPC1102: import cycle: a.lpnet -> b.lpnet -> a.lpnet',
    ]);
    expect(ds.every((d) => d.hint)).toBe(true);
  });

  describe('LPC1000 (a parser bug) becomes a diagnostic, not an exception', () => {
    afterEach(() => vi.restoreAllMocks());
    it('catches an exception from inside the parser', () => {
      vi.spyOn(AstBuilder.prototype, 'program').mockImplementation(() => {
        throw new Error('boom');
      });
      const r = parseProgram('net N { }', 'e.lpnet');
      expect(r.diagnostics.map(renderOneLine)).toEqual(['error LPC1000: internal error in the parser: boom']);
      expect(r.program).toMatchObject({ kind: 'Program', file: 'e.lpnet', items: [] });
    });
  });

  it('the code table documents exactly the codes that are produced', () => {
    const produced = new Set([...CASES.map((c) => c.code), 'LPC1000', 'LPC1005', 'LPC1101', 'LPC1102']);
    expect(Object.keys(PARSER_CODES).sort()).toEqual([...produced].sort());
    for (const [code, doc] of Object.entries(PARSER_CODES)) {
      expect(code).toMatch(/^LPC1[01]\d\d$/);
      expect(doc.summary.length).toBeGreaterThan(10);
      expect(doc.fix).toBeTruthy();
    }
  });
});

describe('message details', () => {
  const first = (text: string) => diagnose(text)[0];

  it('names what an unclosed delimiter would close', () => {
    expect(first('net N(a: int { }').message).toBe(
      'expected `,` or `)` to close the parameters of net `N` but found `{`',
    );
    expect(first('net N { input x: f32[1, 2 }').message).toBe(
      'expected `,` or `]` to close the shape of input `x` but found `}`',
    );
    expect(first('type T = fixed<1, 2').message).toBe(
      'expected `,` or `>` to close `fixed<...>` but found the end of the file',
    );
    expect(first('net N { x = (a + b }').message).toBe(
      'expected `)` to close the parenthesis opened at line 1 but found `}`',
    );
    expect(first('block b(x) {\n  repeat 2 as i {\n    x = f(x)\n').message).toContain(
      'to close the body of `repeat` (opened at line 2) but found the end of the file',
    );
  });

  it('points at the end of the last token when the file ends early', () => {
    const d = first('net N {\n  x = f(y');
    expect(d.span?.start).toEqual({ offset: 17, line: 2, col: 10 });
  });

  it('hints that statement keywords cannot name values', () => {
    expect(first('net N { output = relu(x) }').hint).toBe(
      '`output` is a keyword and cannot name a value; choose another name',
    );
  });

  it('explains that `-> T` cannot type a call argument', () => {
    const d = first('net N { f = dropout(relu(x) -> A8, ratio: 0.5) }');
    expect(d.code).toBe('LPC1015');
    expect(d.hint).toContain('bind an inner value to its own name');
  });

  it('explains single quotes and bare decimal points', () => {
    expect(first("import 'a.lpnet'").hint).toBe('strings use double quotes: `"..."`');
    expect(first('net N { x = .5 }').hint).toContain('`0.5`');
  });

  it('suggests a kind for a misspelled parameter kind, and a bare name for tensors', () => {
    expect(first('net N(a: integer) { }').hint).toBe('did you mean `int`?');
    expect(first('block B(a: tensor) { return a }').hint).toBe('a tensor parameter is written as a bare name: `a`');
  });

  it('reports `fixed` without bit counts where a type is expected', () => {
    expect(first('net N { y = f(x) -> fixed }').message).toBe('`fixed` needs its bit counts here: `fixed<I, F>`');
  });

  it('reports each bad escape once, at the escape', () => {
    expect(diagnose('import "\\u12x \\z"').map(renderOneLine)).toEqual([
      'e.lpnet:1:9: error LPC1003: unknown escape sequence `\\u12` in a string',
      'e.lpnet:1:15: error LPC1003: unknown escape sequence `\\z` in a string',
    ]);
  });
});
