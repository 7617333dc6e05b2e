import { describe, expect, it } from 'vitest';
import { fixed } from '../../src/numeric/number-type.js';
import { describeValue, graphOf, linesOf } from './helpers.js';
import { testOps } from './test-ops.js';

const withOps = { ops: testOps };
const twoInputs = (body: string) => `net N {\n  input a: f32[2, 3]\n  input b: f32[2, 5]\n${body}\n}`;

describe('argument matching', () => {
  it('gives a variadic input every remaining positional argument', () => {
    const g = graphOf(twoInputs('  output j = join(a, b, a)'), withOps);
    expect(g.nodes[0].inputs).toEqual(['a', 'b', 'a']);
    expect(describeValue(g, 'j')).toBe('j: f32[2, 11]');
    expect(graphOf(twoInputs('  output j = join(a)'), withOps).nodes[0].inputs).toEqual(['a']);
  });

  it('leaves optional attributes without a default out, and reads floats as lists', () => {
    expect(graphOf(twoInputs('  output j = join(a)'), withOps).nodes[0].attrs).toEqual({});
    expect(graphOf(twoInputs('  output j = join(a, b, scale: 2)'), withOps).nodes[0].attrs).toEqual({ scale: [2] });
    expect(graphOf(twoInputs('  output j = join(a, b, scale: [0.5, 2])'), withOps).nodes[0].attrs).toEqual({ scale: [0.5, 2] });
  });

  it('rejects an input given both by position and by name', () => {
    expect(linesOf(twoInputs('  output j = join(a, first: b)'), withOps)).toEqual([
      't.lpnet:4:22: error LPC1204: `first` is given twice in the call of `join`',
    ]);
  });

  it('takes type attributes and enum words', () => {
    const g = graphOf(twoInputs('  output q = quantize(a, to: fixed<4, 4, round: floor>, ste: clipped)'));
    expect(g.nodes[0].attrs).toEqual({ to: fixed(4, 4, 'floor'), ste: 'clipped' });
    expect(describeValue(g, 'q')).toBe('q: fixed<4, 4, round: floor>[2, 3]');
  });

  it('warns when a declared weights type has no parameter to apply to', () => {
    expect(linesOf(twoInputs('  output j = join(a, weights: fixed<2, 6>)'), withOps)).toEqual([
      't.lpnet:4:31: warning LPC1229: `weights:` has no effect: this `join` has no weights parameter',
    ]);
  });

  it('checks each list entry of ints and floats', () => {
    expect(
      linesOf(`net N {
  input x: f32[1, 1, 8, 8]
  a = conv(x, filters: 2, kernel: [3, 0])
  b = conv(x, filters: 2, kernel: [3, 2.5])
  c = conv(x, filters: 2, kernel: 3, stride: true)
  output x
}`),
    ).toEqual([
      't.lpnet:3:35: error LPC1206: `kernel` of `conv` entries must be at least 1, got [3, 0]',
      't.lpnet:4:35: error LPC1205: `kernel` of `conv` must be one int or a list of 2 ints, got the list [3, 2.5]',
      't.lpnet:5:46: error LPC1205: `stride` of `conv` must be one int or a list of 2 ints, got the bool true',
    ]);
  });

  it('points shape errors at the argument the op blames', () => {
    expect(linesOf('net N {\n  input x: f32[1, 1, 3, 3]\n  output y = conv(x, filters: 2, kernel: 5)\n}').map((l) => l.slice(0, 30))).toEqual([
      't.lpnet:3:42: error LPC1400: k',
    ]);
    expect(linesOf('net N {\n  input x: f32[4]\n  output y = matrix_only(x)\n}', withOps)).toEqual([
      't.lpnet:3:26: error LPC1400: matrix_only needs a rank-2 input, got rank 1',
    ]);
  });
});
