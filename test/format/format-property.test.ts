import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { commentTexts, programDifference } from '../../src/format/ast-compare.js';
import { formatLpnet } from '../../src/format/format.js';
import { parseProgram } from '../../src/parser/parse.js';

/**
 * Random programs in random layouts. Programs are generated as token lists from a small grammar of
 * .lpnet; the layout is then randomised by putting spaces, newlines, blank lines and comments
 * (own-line and end-of-line) between tokens, which newline-insensitive .lpnet always allows.
 */

type Tokens = string[];

const names = fc.constantFrom('x', 'y', 'n', 'W8', 'conv', 'relu', 'filters', 'kernel', 'fixed_ish');
const numbers = fc.constantFrom('0', '1', '64', '0.5', '5e-4', '1E+3', '64.0');
const strings = fc.constantFrom('"a"', '"b c"', '"q\\"uote"');

const { expr } = fc.letrec<{ expr: Tokens; call: Tokens; fixed: Tokens }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    numbers.map((t) => [t]),
    names.map((t) => [t]),
    strings.map((t) => [t]),
    fc.constantFrom('true', 'false').map((t) => [t]),
    tie('call'),
    tie('fixed'),
    fc.array(tie('expr'), { maxLength: 3 }).map((items) => ['[', ...joinWith(items, ','), ']']),
    tie('expr').map((e) => ['(', ...e, ')']),
    tie('expr').map((e) => ['-', ...e]),
    fc.tuple(tie('expr'), fc.constantFrom('+', '-', '*', '/', '%'), tie('expr')).map(([a, op, b]) => [...a, op, ...b]),
  ),
  call: fc
    .tuple(names, fc.array(tie('expr'), { maxLength: 3 }), fc.array(fc.tuple(names, tie('expr')), { maxLength: 4 }))
    .map(([callee, positional, named]) => [
      callee,
      '(',
      ...joinWith([...positional, ...named.map(([n, v]) => [n, ':', ...v])], ','),
      ')',
    ]),
  fixed: fc
    .tuple(numbers, numbers, fc.subarray(['round: floor', 'overflow: wrap']))
    .map(([i, f, opts]) => ['fixed', '<', i, ',', f, ...opts.flatMap((o) => [',', ...o.split(' ')]), '>']),
}));

function joinWith(parts: Tokens[], sep: string): Tokens {
  return parts.flatMap((p, i) => (i === 0 ? p : [sep, ...p]));
}

const typeExpr: fc.Arbitrary<Tokens> = fc.oneof(
  fc.constantFrom('f32', 'A8').map((t) => [t]),
  fc.tuple(numbers, numbers).map(([i, f]) => ['fixed', '<', i, ',', f, '>']),
);
const outType = fc
  .option(
    typeExpr.map((t) => ['->', ...t]),
    { nil: undefined },
  )
  .map((t) => t ?? []);

const simpleStatement: fc.Arbitrary<Tokens> = fc.oneof(
  fc.tuple(names, expr, outType).map(([n, e, t]) => [n, '=', ...e, ...t]),
  fc
    .tuple(names, fc.array(expr, { minLength: 1, maxLength: 3 }))
    .map(([n, dims]) => ['input', n, ':', 'f32', '[', ...joinWith(dims, ','), ']']),
  fc.tuple(fc.constantFrom('output', 'loss'), names, expr, outType).map(([m, n, e, t]) => [m, n, '=', ...e, ...t]),
  names.map((n) => ['output', n]),
  fc.tuple(expr, outType).map(([e, t]) => ['return', ...e, ...t]),
);
const statement: fc.Arbitrary<Tokens> = fc.oneof(
  { weight: 4, arbitrary: simpleStatement },
  {
    weight: 1,
    arbitrary: fc
      .tuple(expr, fc.option(names, { nil: undefined }), fc.array(simpleStatement, { maxLength: 3 }))
      .map(([count, index, body]) => ['repeat', ...count, ...(index ? ['as', index] : []), '{', ...body.flat(), '}']),
  },
);

const param: fc.Arbitrary<Tokens> = fc.oneof(
  names.map((n) => [n]),
  fc
    .tuple(names, fc.constantFrom('int', 'float', 'bool', 'type'), fc.option(expr, { nil: undefined }))
    .map(([n, k, d]) => [n, ':', k, ...(d ? ['=', ...d] : [])]),
);

const item: fc.Arbitrary<Tokens> = fc.oneof(
  strings.map((s) => ['import', s]),
  fc.tuple(names, typeExpr).map(([n, t]) => ['type', n, '=', ...t]),
  fc
    .tuple(
      fc.constantFrom('net', 'block'),
      names,
      fc.option(fc.array(param, { maxLength: 4 }), { nil: undefined }),
      fc.array(statement, { maxLength: 5 }),
    )
    .map(([kw, n, params, body]) => [
      kw,
      n,
      ...(params ? ['(', ...joinWith(params, ','), ')'] : []),
      '{',
      ...body.flat(),
      '}',
    ]),
  fc
    .tuple(names, fc.array(fc.tuple(names, expr), { maxLength: 4 }))
    .map(([n, settings]) => ['train', n, '{', ...settings.flatMap(([k, v]) => [k, ...v]), '}']),
);

/** What may stand between two tokens: whitespace, blank lines, and comments of every kind. */
const separator = fc.constantFrom(
  ' ',
  ' ',
  '\n',
  '  ',
  '\n\n\n',
  ' # end of line\n',
  '\n  # own line\n',
  '\n# own, then a blank line\n\n',
  ' # end of line\n# and one on its own\n',
);

const program: fc.Arbitrary<string> = fc.array(item, { maxLength: 4 }).chain((items) => {
  const tokens = items.flat();
  return fc
    .array(separator, { minLength: tokens.length + 1, maxLength: tokens.length + 1 })
    .map((seps) => tokens.map((t, i) => seps[i] + t).join('') + seps[tokens.length]);
});

describe('formatting random programs', () => {
  it('never changes the AST or the comments, and formatting twice changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(program, async (text) => {
        const before = parseProgram(text, 'random.lpnet');
        // Token soup can still be ill-formed (a keyword used as a name); such inputs prove nothing here.
        fc.pre(!before.diagnostics.some((d) => d.severity === 'error'));
        const formatted = await formatLpnet(text, 'random.lpnet');
        const after = parseProgram(formatted, 'random.lpnet');
        expect(after.diagnostics).toEqual([]);
        expect(programDifference(before.program, after.program)).toBeUndefined();
        expect(commentTexts(after.program)).toEqual(commentTexts(before.program));
        expect(await formatLpnet(formatted, 'random.lpnet')).toBe(formatted);
      }),
      { numRuns: 300, seed: 20240611 },
    );
  });
});
