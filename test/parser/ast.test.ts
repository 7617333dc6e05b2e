import { describe, expect, it } from 'vitest';
import type {
  BlockDecl,
  Expr,
  InputStmt,
  LetStmt,
  MarkerStmt,
  NetDecl,
  RepeatStmt,
  ReturnStmt,
  TrainDecl,
  TypeAliasDecl,
} from '../../src/parser/ast.js';
import { parseOk, stripSpans } from './helpers.js';

const id = (name: string) => ({ kind: 'Identifier', name });
const ref = (name: string) => ({ kind: 'NameRef', name: id(name) });
const int = (raw: string) => ({ kind: 'NumberLiteral', value: Number(raw), isInteger: true, raw });
const float = (raw: string) => ({ kind: 'NumberLiteral', value: Number(raw), isInteger: false, raw });
const named = (name: string, value: unknown) => ({ kind: 'NamedArgument', name: id(name), value });
const pos = (value: unknown) => ({ kind: 'PositionalArgument', value });

/** The value of `x = <expr>` inside a net. */
function expr(text: string): Expr {
  const net = parseOk(`net N { x = ${text} }`).items[0] as NetDecl;
  return stripSpans((net.body[0] as LetStmt).value);
}

function firstStmt<T>(body: string): T {
  const net = parseOk(`block B(x) { ${body} }`).items[0] as BlockDecl;
  return stripSpans(net.body[0]) as T;
}

describe('items', () => {
  it('import', () => {
    expect(stripSpans(parseOk('import "lib/common.lpnet"').items[0])).toEqual({
      kind: 'ImportDecl',
      path: { kind: 'StringLiteral', value: 'lib/common.lpnet', raw: '"lib/common.lpnet"' },
    });
  });

  it('type alias with options', () => {
    const alias = parseOk('type A8 = fixed<4, 4, round: stochastic, overflow: saturate>').items[0] as TypeAliasDecl;
    expect(stripSpans(alias)).toEqual({
      kind: 'TypeAliasDecl',
      name: id('A8'),
      type: {
        kind: 'FixedType',
        intBits: int('4'),
        fracBits: int('4'),
        options: [named('round', ref('stochastic')), named('overflow', ref('saturate'))],
      },
    });
  });

  it('type alias of a named type', () => {
    expect(stripSpans((parseOk('type F = f32').items[0] as TypeAliasDecl).type)).toEqual({
      kind: 'NamedType',
      name: id('f32'),
    });
  });

  it('net with every parameter kind, and without a parameter list', () => {
    const net = parseOk('net N(a: int = 1, b: float = 0.5, c: bool = true, W: type = fixed<2, 2>, d: int) { }')
      .items[0] as NetDecl;
    expect(stripSpans(net.params)).toEqual([
      { kind: 'ParamDecl', name: id('a'), paramKind: 'int', default: int('1') },
      { kind: 'ParamDecl', name: id('b'), paramKind: 'float', default: float('0.5') },
      { kind: 'ParamDecl', name: id('c'), paramKind: 'bool', default: { kind: 'BoolLiteral', value: true } },
      {
        kind: 'ParamDecl',
        name: id('W'),
        paramKind: 'type',
        default: {
          kind: 'TypeValue',
          type: { kind: 'FixedType', intBits: int('2'), fracBits: int('2'), options: [] },
        },
      },
      { kind: 'ParamDecl', name: id('d'), paramKind: 'int' },
    ]);
    expect(stripSpans(parseOk('net Plain { }').items[0])).toEqual({
      kind: 'NetDecl',
      name: id('Plain'),
      params: [],
      body: [],
    });
  });

  it('block with a bare tensor parameter and a type parameter defaulting to an alias', () => {
    const block = parseOk('block b(x, y, A: type = A8) { return x }').items[0] as BlockDecl;
    expect(stripSpans(block.params)).toEqual([
      { kind: 'ParamDecl', name: id('x'), paramKind: 'tensor' },
      { kind: 'ParamDecl', name: id('y'), paramKind: 'tensor' },
      { kind: 'ParamDecl', name: id('A'), paramKind: 'type', default: ref('A8') },
    ]);
  });

  it('train section with call, number and list values', () => {
    const train = parseOk(
      'train N { optimizer sgd(lr: 0.01); schedule multistep(gamma: 0.1, steps: [10, 20]) batch 64 schedule fixed }',
    ).items[0] as TrainDecl;
    expect(stripSpans(train)).toEqual({
      kind: 'TrainDecl',
      net: id('N'),
      settings: [
        {
          kind: 'TrainSetting',
          key: id('optimizer'),
          value: { kind: 'CallExpr', callee: id('sgd'), args: [named('lr', float('0.01'))] },
        },
        {
          kind: 'TrainSetting',
          key: id('schedule'),
          value: {
            kind: 'CallExpr',
            callee: id('multistep'),
            args: [named('gamma', float('0.1')), named('steps', { kind: 'ListExpr', items: [int('10'), int('20')] })],
          },
        },
        { kind: 'TrainSetting', key: id('batch'), value: int('64') },
        { kind: 'TrainSetting', key: id('schedule'), value: ref('fixed') },
      ],
    });
  });

  it('`;` may separate items and statements, and newlines are not significant', () => {
    const program = parseOk('type A = fixed<1, 1>;; net N { a = f(x); ; b = g(a) } ;');
    expect(program.items.map((i) => i.kind)).toEqual(['TypeAliasDecl', 'NetDecl']);
    expect((program.items[1] as NetDecl).body).toHaveLength(2);
    const multiLine = parseOk('net\nN\n(\nb: int\n=\n1\n)\n{\nc\n=\nconv(\nx,\nk: 3\n)\n->\nA8\n}');
    expect((multiLine.items[0] as NetDecl).body[0].kind).toBe('LetStmt');
  });
});

describe('statements', () => {
  it('input with a fixed-point dtype and an expression shape', () => {
    expect(firstStmt<InputStmt>('input img: fixed<8, 0>[n * 2, 3]')).toEqual({
      kind: 'InputStmt',
      name: id('img'),
      dtype: { kind: 'FixedType', intBits: int('8'), fracBits: int('0'), options: [] },
      shape: [{ kind: 'BinaryExpr', op: '*', left: ref('n'), right: int('2') }, int('3')],
    });
    expect(firstStmt<InputStmt>('input s: f32[]').shape).toEqual([]);
  });

  it('binding with and without an output type', () => {
    expect(firstStmt<LetStmt>('y = relu(x) -> fixed<4, 4>')).toEqual({
      kind: 'LetStmt',
      name: id('y'),
      value: { kind: 'CallExpr', callee: id('relu'), args: [pos(ref('x'))] },
      outType: { kind: 'FixedType', intBits: int('4'), fracBits: int('4'), options: [] },
    });
    expect(firstStmt<LetStmt>('y = x')).toEqual({ kind: 'LetStmt', name: id('y'), value: ref('x') });
  });

  it('output and loss markers, with a value, a type, or neither', () => {
    expect(firstStmt<MarkerStmt>('output p = softmax(x) -> A8')).toEqual({
      kind: 'MarkerStmt',
      marker: 'output',
      name: id('p'),
      value: { kind: 'CallExpr', callee: id('softmax'), args: [pos(ref('x'))] },
      outType: { kind: 'NamedType', name: id('A8') },
    });
    expect(firstStmt<MarkerStmt>('loss l = xent(x, y)')).toMatchObject({ marker: 'loss', name: id('l') });
    expect(firstStmt<MarkerStmt>('output x')).toEqual({ kind: 'MarkerStmt', marker: 'output', name: id('x') });
  });

  it('repeat with and without an index, nested', () => {
    expect(firstStmt<RepeatStmt>('repeat n - 1 as i { repeat 2 { x = f(x, k: i) } }')).toEqual({
      kind: 'RepeatStmt',
      count: { kind: 'BinaryExpr', op: '-', left: ref('n'), right: int('1') },
      index: id('i'),
      body: [
        {
          kind: 'RepeatStmt',
          count: int('2'),
          body: [
            {
              kind: 'LetStmt',
              name: id('x'),
              value: { kind: 'CallExpr', callee: id('f'), args: [pos(ref('x')), named('k', ref('i'))] },
            },
          ],
        },
      ],
    });
  });

  it('return with an output type', () => {
    expect(firstStmt<ReturnStmt>('return max_pool(x, kernel: 2) -> A')).toEqual({
      kind: 'ReturnStmt',
      value: { kind: 'CallExpr', callee: id('max_pool'), args: [pos(ref('x')), named('kernel', int('2'))] },
      outType: { kind: 'NamedType', name: id('A') },
    });
  });
});

describe('expressions', () => {
  it('literals', () => {
    expect(expr('5')).toEqual(int('5'));
    expect(expr('5e-4')).toEqual(float('5e-4'));
    expect(expr('"s"')).toEqual({ kind: 'StringLiteral', value: 's', raw: '"s"' });
    expect(expr('false')).toEqual({ kind: 'BoolLiteral', value: false });
    expect(expr('[]')).toEqual({ kind: 'ListExpr', items: [] });
    expect(expr('[1, [2], "a",]')).toEqual({
      kind: 'ListExpr',
      items: [int('1'), { kind: 'ListExpr', items: [int('2')] }, { kind: 'StringLiteral', value: 'a', raw: '"a"' }],
    });
  });

  it('precedence: * / % bind tighter than + -, both left-associative', () => {
    expect(expr('a + b * c - d % e')).toEqual({
      kind: 'BinaryExpr',
      op: '-',
      left: {
        kind: 'BinaryExpr',
        op: '+',
        left: ref('a'),
        right: { kind: 'BinaryExpr', op: '*', left: ref('b'), right: ref('c') },
      },
      right: { kind: 'BinaryExpr', op: '%', left: ref('d'), right: ref('e') },
    });
    expect(expr('a / b / c')).toEqual({
      kind: 'BinaryExpr',
      op: '/',
      left: { kind: 'BinaryExpr', op: '/', left: ref('a'), right: ref('b') },
      right: ref('c'),
    });
  });

  it('unary minus and kept parentheses', () => {
    expect(expr('-(a - -1) * 2')).toEqual({
      kind: 'BinaryExpr',
      op: '*',
      left: {
        kind: 'UnaryExpr',
        op: '-',
        operand: {
          kind: 'ParenExpr',
          expr: {
            kind: 'BinaryExpr',
            op: '-',
            left: ref('a'),
            right: { kind: 'UnaryExpr', op: '-', operand: int('1') },
          },
        },
      },
      right: int('2'),
    });
  });

  it('calls: empty, nested, positional then named, trailing comma, type values as arguments', () => {
    expect(expr('f()')).toEqual({ kind: 'CallExpr', callee: id('f'), args: [] });
    expect(expr('relu(dense(x, units: 10,),)')).toEqual({
      kind: 'CallExpr',
      callee: id('relu'),
      args: [pos({ kind: 'CallExpr', callee: id('dense'), args: [pos(ref('x')), named('units', int('10'))] })],
    });
    expect(expr('conv(x, weights: fixed<2, 6, round: floor>, bias: W8)')).toEqual({
      kind: 'CallExpr',
      callee: id('conv'),
      args: [
        pos(ref('x')),
        named('weights', {
          kind: 'TypeValue',
          type: { kind: 'FixedType', intBits: int('2'), fracBits: int('6'), options: [named('round', ref('floor'))] },
        }),
        named('bias', ref('W8')),
      ],
    });
  });

  it('`fixed` is a plain name unless `<` follows', () => {
    expect(expr('fixed')).toEqual(ref('fixed'));
    expect(expr('fixed(1)')).toEqual({ kind: 'CallExpr', callee: id('fixed'), args: [pos(int('1'))] });
    expect(expr('fixed<I, F + 1>')).toMatchObject({
      kind: 'TypeValue',
      type: { kind: 'FixedType', intBits: ref('I') },
    });
  });
});

describe('spans', () => {
  const text = 'type W8 = fixed<2, 6>\nnet N(b: int = 4) {\n  c1 = conv(x, k: 5) -> W8\n}\n';
  const program = parseOk(text, 'span.lpnet');

  it('the program spans the whole file', () => {
    expect(program.span).toEqual({
      file: 'span.lpnet',
      start: { offset: 0, line: 1, col: 1 },
      end: { offset: text.length, line: 5, col: 1 },
    });
  });

  it('items, names and types carry 1-based lines and columns and half-open offsets', () => {
    const alias = program.items[0] as TypeAliasDecl;
    expect(alias.span).toMatchObject({ start: { offset: 0, line: 1, col: 1 }, end: { offset: 21, line: 1, col: 22 } });
    expect(alias.name.span).toMatchObject({ start: { offset: 5, col: 6 }, end: { offset: 7, col: 8 } });
    expect(text.slice(alias.type.span.start.offset, alias.type.span.end.offset)).toBe('fixed<2, 6>');
  });

  it('every node in a net points at its own text', () => {
    const net = program.items[1] as NetDecl;
    const slice = (s: { start: { offset: number }; end: { offset: number } }) =>
      text.slice(s.start.offset, s.end.offset);
    expect(slice(net.span)).toBe('net N(b: int = 4) {\n  c1 = conv(x, k: 5) -> W8\n}');
    expect(slice(net.params[0].span)).toBe('b: int = 4');
    expect(slice(net.params[0].kindSpan!)).toBe('int');
    const c1 = net.body[0] as LetStmt;
    expect(slice(c1.span)).toBe('c1 = conv(x, k: 5) -> W8');
    expect(c1.span.start).toEqual({ offset: 44, line: 3, col: 3 });
    const call = c1.value;
    expect(slice(call.span)).toBe('conv(x, k: 5)');
    if (call.kind !== 'CallExpr') throw new Error('expected a call');
    expect(slice(call.args[1].span)).toBe('k: 5');
    expect(slice(c1.outType!.span)).toBe('W8');
  });

  it('binary and unary expressions span their operands', () => {
    const t = 'net N { x = -a + b * (c) }';
    const value = ((parseOk(t).items[0] as NetDecl).body[0] as LetStmt).value;
    expect(t.slice(value.span.start.offset, value.span.end.offset)).toBe('-a + b * (c)');
    if (value.kind !== 'BinaryExpr') throw new Error('expected a binary expression');
    expect(t.slice(value.left.span.start.offset, value.left.span.end.offset)).toBe('-a');
    expect(t.slice(value.right.span.start.offset, value.right.span.end.offset)).toBe('b * (c)');
  });
});
