import { describe, expect, it } from 'vitest';
import { programDifference, stripSpans } from '../../src/format/ast-compare.js';
import { parseProgram } from '../../src/parser/parse.js';

const parse = (text: string) => {
  const r = parseProgram(text, 'x.lpnet');
  expect(r.diagnostics).toEqual([]);
  return r.program;
};

describe('programDifference (the guard lpc fmt runs before writing)', () => {
  it('sees no difference between layouts of the same program', () => {
    const a = parse('net X(a:int=1){y=f(x,k:2)->fixed<2,2>}  # c\n');
    const b = parse('net X(a: int = 1) {\n  y = f(x, k: 2) -> fixed<2, 2>\n} # c   \n');
    expect(programDifference(a, b)).toBeUndefined();
  });

  it('notices a changed literal, a dropped parenthesis, a lost output type and a moved item', () => {
    const base = parse('type A = fixed<2, 2>\nnet X { y = f((a + b) * 2, k: 5e-4) -> A }');
    expect(
      programDifference(base, parse('type A = fixed<2, 2>\nnet X { y = f((a + b) * 2, k: 0.0005) -> A }')),
    ).toMatch(/item 2/);
    expect(programDifference(base, parse('type A = fixed<2, 2>\nnet X { y = f(a + b * 2, k: 5e-4) -> A }'))).toMatch(
      /item 2/,
    );
    expect(programDifference(base, parse('type A = fixed<2, 2>\nnet X { y = f((a + b) * 2, k: 5e-4) }'))).toMatch(
      /item 2/,
    );
    expect(programDifference(base, parse('net X { y = f((a + b) * 2, k: 5e-4) -> A }\ntype A = fixed<2, 2>'))).toMatch(
      /item 1/,
    );
    expect(programDifference(base, parse('type A = fixed<2, 2>'))).toMatch(/2 top-level items became 1/);
  });

  it('notices a lost, changed or reordered comment', () => {
    const base = parse('# a\nnet X {} # b\n');
    expect(programDifference(base, parse('# a\nnet X {}\n'))).toMatch(/2 comments became 1/);
    expect(programDifference(base, parse('# a\nnet X {} # c\n'))).toMatch(/comment 2 changed/);
    expect(programDifference(base, parse('# b\nnet X {} # a\n'))).toMatch(/comment 1 changed/);
  });

  it('tells a bare tensor parameter from one with a written kind', () => {
    expect(stripSpans(parse('block b(x) {}').items)).not.toEqual(stripSpans(parse('block b(x: int) {}').items));
  });
});
