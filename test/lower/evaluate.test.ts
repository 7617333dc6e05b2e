import { describe, expect, it } from 'vitest';
import { renderOneLine } from '../../src/diag/render.js';
import { resolveAllAliases } from '../../src/lower/aliases.js';
import { floatValue, intValue, type ConstValue } from '../../src/lower/const-value.js';
import { evaluate } from '../../src/lower/evaluate.js';
import { registryOps } from '../../src/lower/op-table.js';
import { ProgramIndex } from '../../src/lower/program-index.js';
import { Reporter } from '../../src/lower/reporter.js';
import { Frame } from '../../src/lower/scope.js';
import { fixed, F32 } from '../../src/numeric/number-type.js';
import type { LetStmt, NetDecl } from '../../src/parser/ast.js';
import { parseProgram } from '../../src/parser/parse.js';

/** Evaluates `expr` in a file that also defines `type W8 = fixed<2, 6>`, with `locals` in scope. */
function evalText(expr: string, locals: Record<string, ConstValue> = {}) {
  const { program, diagnostics } = parseProgram(`type W8 = fixed<2, 6>\nnet N { v = ${expr} }`, 'e.lpnet');
  expect(diagnostics).toEqual([]);
  const stmt = (program.items[1] as NetDecl).body[0] as LetStmt;
  const report = new Reporter();
  const index = new ProgramIndex(new Map([['e.lpnet', program]]), new Map(), registryOps, report);
  resolveAllAliases(index, report);
  const frame = new Frame();
  for (const [name, value] of Object.entries(locals)) frame.set(name, { kind: 'const', value, span: stmt.span, origin: 'param' });
  const value = evaluate(stmt.value, { frame, file: 'e.lpnet', index, report });
  return { value, errors: report.items.map(renderOneLine) };
}

const valueOf = (expr: string, locals?: Record<string, ConstValue>) => {
  const r = evalText(expr, locals);
  expect(r.errors).toEqual([]);
  return r.value;
};

describe('constant evaluation', () => {
  it('keeps int arithmetic int and makes `/` a float', () => {
    expect(valueOf('2 + 3 * 4')).toEqual(intValue(14));
    expect(valueOf('(2 + 3) * 4')).toEqual(intValue(20));
    expect(valueOf('7 - 10')).toEqual(intValue(-3));
    expect(valueOf('8 / 2')).toEqual(floatValue(4));
    expect(valueOf('7 / 2')).toEqual(floatValue(3.5));
    expect(valueOf('2 * 0.5')).toEqual(floatValue(1));
    expect(valueOf('-(3)')).toEqual(intValue(-3));
  });

  it('takes the sign of the dividend for %', () => {
    expect(valueOf('7 % 3')).toEqual(intValue(1));
    expect(valueOf('-7 % 3')).toEqual(intValue(-1));
    expect(valueOf('7.5 % 2')).toEqual(floatValue(1.5));
  });

  it('reads literals, lists, types and names', () => {
    expect(valueOf('5e-4')).toEqual(floatValue(5e-4));
    expect(valueOf('64.0')).toEqual(floatValue(64));
    expect(valueOf('"s"')).toEqual({ kind: 'string', value: 's' });
    expect(valueOf('false')).toEqual({ kind: 'bool', value: false });
    expect(valueOf('[1, 2 + 1]')).toEqual({ kind: 'list', items: [intValue(1), intValue(3)] });
    expect(valueOf('fixed<n, 8 - n, overflow: wrap>', { n: intValue(3) })).toEqual({ kind: 'type', type: fixed(3, 5, 'nearest', 'wrap') });
    expect(valueOf('W8')).toEqual({ kind: 'type', type: fixed(2, 6) });
    expect(valueOf('f32')).toEqual({ kind: 'type', type: F32 });
    expect(valueOf('batch * 2', { batch: intValue(32) })).toEqual(intValue(64));
  });

  it('reports what cannot be computed, with the values involved', () => {
    expect(evalText('W8 * 2').errors).toEqual(['e.lpnet:2:13: error LPC1212: cannot apply `*` to the type fixed<2, 6> and the int 2']);
    expect(evalText('-true').errors).toEqual(['e.lpnet:2:13: error LPC1212: cannot negate the bool true']);
    expect(evalText('1 / 0').errors).toEqual(['e.lpnet:2:17: error LPC1213: division by zero']);
    expect(evalText('1e308 * 10').errors).toEqual(['e.lpnet:2:13: error LPC1215: the value is not a finite number (Infinity)']);
    expect(evalText('conv').errors).toEqual(['e.lpnet:2:13: error LPC1200: `conv` is an op, not a value']);
    expect(evalText('relu(3)').errors).toEqual(['e.lpnet:2:13: error LPC1211: `relu(...)` computes a tensor, but a constant is needed here']);
    expect(evalText('fixed<2.5, 3>').errors).toEqual([
      'e.lpnet:2:19: error LPC1214: the integer bits of `fixed<I, F>` must be a whole number, got 2.5',
    ]);
    expect(evalText('fixed<2, 40>').errors).toEqual([
      'e.lpnet:2:13: error LPC1301: fixed<2, 40> is not a legal type: width I + F must be between 2 and 32, got 42',
    ]);
  });

  it('suggests near names for unknown ones', () => {
    const r = lowerUnknown();
    expect(r).toBe('did you mean `batch`?');
  });
});

function lowerUnknown(): string | undefined {
  const { program } = parseProgram('net N { v = bath }', 'e.lpnet');
  const stmt = (program.items[0] as NetDecl).body[0] as LetStmt;
  const report = new Reporter();
  const index = new ProgramIndex(new Map([['e.lpnet', program]]), new Map(), registryOps, report);
  const frame = new Frame();
  frame.set('batch', { kind: 'const', value: intValue(1), span: stmt.span, origin: 'param' });
  evaluate(stmt.value, { frame, file: 'e.lpnet', index, report });
  return report.items[0]?.hint;
}
