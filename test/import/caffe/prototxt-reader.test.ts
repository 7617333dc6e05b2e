import { describe, expect, it } from 'vitest';
import { parseNumberText, readPrototxt, type TextField } from '../../../src/import/caffe/prototxt-reader.js';
import { lines } from './helpers.js';

const read = (text: string) => readPrototxt(text, 'n.prototxt');
const scalar = (f: TextField) => f.value;

describe('prototxt reader', () => {
  it('reads scalars, nested messages in every bracket form, and separators', () => {
    const r = read(`name: "LeNet" # a comment
layer { name: 'c1'; top: "a", top: "b" }
layer: { type: "X" }
layer < bottom: "z" >
`);
    expect(r.diagnostics).toEqual([]);
    expect(r.fields.map((f) => f.name)).toEqual(['name', 'layer', 'layer', 'layer']);
    expect(scalar(r.fields[0])).toEqual({ kind: 'string', value: 'LeNet' });
    expect(r.fields[1].children!.map((c) => [c.name, c.value?.kind === 'string' ? c.value.value : undefined])).toEqual([
      ['name', 'c1'],
      ['top', 'a'],
      ['top', 'b'],
    ]);
    expect(r.fields[2].children![0].name).toBe('type');
    expect(r.fields[3].children![0].name).toBe('bottom');
  });

  it('keeps line and column of names and values', () => {
    const r = read('a: 1\n  layer {\n    kernel_size: 5\n  }\n');
    const k = r.fields[1].children![0];
    expect(k.nameSpan.start).toEqual({ offset: 19, line: 3, col: 5 });
    expect(k.valueSpan!.start).toMatchObject({ line: 3, col: 18 });
    expect(r.fields[1].span.start).toMatchObject({ line: 2, col: 3 });
    expect(r.fields[1].span.end).toMatchObject({ line: 4, col: 4 });
  });

  it('reads numbers: ints, floats, exponents, hex, octal, suffix f, inf and nan with signs', () => {
    const r = read('a: 5 a: -3 a: 0.5 a: .25 a: 5e-4 a: 1E+3 a: 0x1F a: 017 a: 1.5f a: inf a: -inf a: nan a: -Infinity');
    const vals = r.fields.map((f) => (f.value?.kind === 'number' ? f.value.value : undefined));
    expect(vals).toEqual([5, -3, 0.5, 0.25, 5e-4, 1000, 31, 15, 1.5, Infinity, -Infinity, NaN, -Infinity]);
    expect(r.fields.map((f) => (f.value?.kind === 'number' ? f.value.isInteger : undefined)).slice(0, 4)).toEqual([true, true, false, false]);
    expect(parseNumberText('1.2.3')).toBeUndefined();
  });

  it('reads enums and booleans as bare words', () => {
    const r = read('pool: MAX phase: TRAIN bias_term: false');
    expect(r.fields.map((f) => f.value)).toEqual([
      { kind: 'ident', value: 'MAX' },
      { kind: 'ident', value: 'TRAIN' },
      { kind: 'ident', value: 'false' },
    ]);
  });

  it('unescapes strings and concatenates adjacent ones', () => {
    const r = read(String.raw`s: "a\"b\\c\n\t" 'it\'s' "\x41\101\u00e9"`);
    expect(r.diagnostics).toEqual([]);
    expect(r.fields[0].value).toEqual({ kind: 'string', value: 'a"b\\c\n\tit\'sAAé' });
  });

  it('reads list syntax for repeated scalars and messages', () => {
    const r = read('dim: [1, 3, 224, 224] shape [{ dim: 1 }, { dim: 2 }]');
    expect(r.diagnostics).toEqual([]);
    expect(r.fields.map((f) => f.name)).toEqual(['dim', 'dim', 'dim', 'dim', 'shape', 'shape']);
    expect(r.fields[4].children![0].value).toMatchObject({ value: 1 });
  });

  it('reports syntax errors with file:line:col and keeps reading', () => {
    const r = read('name: "x"\nlayer { name: }\nlayer { type: "ReLU" }\n');
    expect(lines(r.diagnostics)).toEqual(['n.prototxt:2:15: error LPC4001: expected a value (number, string, word or `{`), found `}`']);
    expect(r.fields.filter((f) => f.name === 'layer')).toHaveLength(2);
    expect(r.fields[2].children![0].value).toEqual({ kind: 'string', value: 'ReLU' });
  });

  it('reports unterminated strings, bad escapes, unclosed and stray braces, missing colons', () => {
    expect(lines(read('name: "abc\nx: 1').diagnostics)).toEqual(['n.prototxt:1:7: error LPC4002: unterminated string: a string must close on the line it starts']);
    expect(lines(read(String.raw`s: "a\qb"`).diagnostics)).toEqual(['n.prototxt:1:6: error LPC4002: unknown escape \\q in a string']);
    expect(lines(read('layer {\n  name: "a"\n').diagnostics)).toEqual(['n.prototxt:1:7: error LPC4001: this `{` is never closed']);
    expect(lines(read('a: 1 }\nb: 2').diagnostics)).toEqual(['n.prototxt:1:6: error LPC4001: unmatched `}`: no message is open here']);
    expect(lines(read('name "x"\nb: 2').diagnostics)).toEqual(['n.prototxt:1:6: error LPC4001: expected `:` or `{` after field name `name`, found string "x"']);
    expect(lines(read('a: 1.2.3').diagnostics)).toEqual(['n.prototxt:1:4: error LPC4001: malformed number `1.2.3`']);
    expect(lines(read('a: -MAX').diagnostics)).toEqual(['n.prototxt:1:5: error LPC4001: expected a number after `-`, found `MAX`']);
    expect(lines(read('a: [1, 2').diagnostics)).toEqual(['n.prototxt:1:4: error LPC4001: this `[` is never closed']);
  });

  it('survives pathological nesting without a stack overflow', () => {
    const r = read('a {'.repeat(5000));
    expect(r.diagnostics.some((d) => d.message.includes('nested deeper'))).toBe(true);
  });
});
