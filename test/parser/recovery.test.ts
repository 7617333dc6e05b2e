import { describe, expect, it } from 'vitest';
import { PARSER_CODES } from '../../src/parser/codes.js';
import { parseProgram } from '../../src/parser/parse.js';

describe('error recovery', () => {
  it('reports three separate syntax errors and keeps the later items', () => {
    const text = [
      'type A8 = fixed<4, 4>',
      'net First(batch: int = 8) {',
      '  input x: f32[batch, 3, 8, 8]',
      '  c1 = conv(x, filters: 4, kernel: 3 -> A8', // 1: unclosed call
      '  c2 = relu(c1)',
      '}',
      'block middle(x, n: int) {',
      '  y = * x', // 2: no expression
      '  return y',
      '}',
      'net Second {',
      '  input z: f32[1]',
      '  output out = max_pool(z, kernel: 2,, stride: 2)', // 3: empty argument
      '}',
      'block last(x) { return relu(x) }',
      'train Second { batch 4 }',
    ].join('\n');
    const { program, diagnostics } = parseProgram(text, 'r.lpnet');
    expect(diagnostics.length).toBeGreaterThanOrEqual(3);
    expect(diagnostics.map((d) => d.span?.start.line)).toEqual(expect.arrayContaining([4, 8, 13]));
    const names = program.items.map(
      (i) => `${i.kind}:${'name' in i ? i.name.name : i.kind === 'TrainDecl' ? i.net.name : ''}`,
    );
    expect(names).toEqual([
      'TypeAliasDecl:A8',
      'NetDecl:First',
      'BlockDecl:middle',
      'NetDecl:Second',
      'BlockDecl:last',
      'TrainDecl:Second',
    ]);
  });

  it('keeps the good statements of a body that has a broken one', () => {
    const { program, diagnostics } = parseProgram('net N {\n  a = f(x)\n  b = = 2\n  c = g(a)\n}', 'r.lpnet');
    expect(diagnostics).toHaveLength(1);
    const net = program.items[0];
    if (net.kind !== 'NetDecl') throw new Error('expected a net');
    expect(net.body.map((s) => (s.kind === 'LetStmt' ? s.name.name : s.kind))).toEqual(['a', 'c']);
  });

  it('skips garbage between items', () => {
    const { program, diagnostics } = parseProgram('net A { }\n) ] garbage 12 "s"\nnet B { }\n', 'r.lpnet');
    expect(diagnostics.map((d) => d.code)).toEqual(['LPC1012']);
    expect(program.items.map((i) => i.kind)).toEqual(['NetDecl', 'NetDecl']);
  });

  it('reports at most one syntax error per line', () => {
    const { diagnostics } = parseProgram('net N { a = f(x } b = ) }', 'r.lpnet');
    expect(diagnostics).toHaveLength(1);
  });
});

/** Deterministic pseudo-random numbers (mulberry32) so a failure reproduces. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const FRAGMENTS = [
  'net',
  'block',
  'type',
  'train',
  'import',
  'input',
  'output',
  'loss',
  'repeat',
  'as',
  'return',
  'fixed',
  'true',
  'x',
  'conv',
  'int',
  'f32',
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  '<',
  '>',
  ',',
  ':',
  ';',
  '=',
  '->',
  '+',
  '-',
  '*',
  '/',
  '%',
  '1',
  '2.5',
  '5e-4',
  '"s"',
  '"\\q',
  '#c\n',
  '\n',
  ' ',
  '@',
  "'",
  '.',
  '\\',
  '\u00e9',
];

describe('the parser never throws', () => {
  it('on random token soup and random characters', () => {
    const next = random(1234);
    for (let n = 0; n < 400; n++) {
      let text = '';
      const len = Math.floor(next() * 60);
      for (let i = 0; i < len; i++) {
        text +=
          next() < 0.8
            ? `${FRAGMENTS[Math.floor(next() * FRAGMENTS.length)]} `
            : String.fromCharCode(Math.floor(next() * 0x2000));
      }
      const { program, diagnostics } = parseProgram(text, 'fuzz.lpnet');
      expect(program.kind).toBe('Program');
      for (const d of diagnostics) {
        expect(PARSER_CODES[d.code], `${d.code} for ${JSON.stringify(text)}`).toBeDefined();
        expect(d.code).not.toBe('LPC1000');
        if (d.span) {
          expect(d.span.start.offset).toBeGreaterThanOrEqual(0);
          expect(d.span.end.offset).toBeLessThanOrEqual(text.length);
          expect(d.span.start.line).toBeGreaterThanOrEqual(1);
        }
      }
    }
  });

  it('on every prefix of a valid file', () => {
    const text =
      'type A = fixed<4, 4, round: floor>\nnet N(b: int = 2) {\n  input x: f32[b, 3]\n  y = relu(conv(x, k: [1, 2])) -> A\n  output y\n}\ntrain N { batch 2 }\n';
    for (let i = 0; i <= text.length; i++) {
      const { program, diagnostics } = parseProgram(text.slice(0, i), 'p.lpnet');
      expect(program.kind).toBe('Program');
      expect(diagnostics.every((d) => d.code !== 'LPC1000')).toBe(true);
    }
  });
});
