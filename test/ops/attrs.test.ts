import { describe, expect, it } from 'vitest';
import {
  boolAttr,
  floatAttr,
  floatsAttr,
  intAttr,
  intsAttr,
  optionalFloatsAttr,
  optionalIntAttr,
  pairAttr,
  stringAttr,
  typeAttr,
} from '../../src/ops/attrs.js';
import { F32, fixed } from '../../src/numeric/number-type.js';

describe('attribute readers', () => {
  const attrs = { k: 3, f: 0.5, b: false, s: 'max', l: [2, 3], one: [4], t: fixed(2, 6), bad: 1.5 };

  it('read present values and fall back to the schema default', () => {
    expect(intAttr(attrs, 'k')).toBe(3);
    expect(intAttr(attrs, 'missing', 7)).toBe(7);
    expect(floatAttr(attrs, 'f')).toBe(0.5);
    expect(boolAttr(attrs, 'b', true)).toBe(false);
    expect(boolAttr(attrs, 'missing', true)).toBe(true);
    expect(stringAttr(attrs, 's', 'sum', ['sum', 'prod', 'max'])).toBe('max');
    expect(typeAttr(attrs, 't')).toEqual(fixed(2, 6));
    expect(typeAttr(attrs, 'missing', F32)).toEqual(F32);
  });

  it('broadcast a single int to [h, w] and check the arity', () => {
    expect(pairAttr(attrs, 'k')).toEqual([3, 3]);
    expect(pairAttr(attrs, 'l')).toEqual([2, 3]);
    expect(pairAttr(attrs, 'one')).toEqual([4, 4]);
    expect(pairAttr(attrs, 'missing', [1, 1])).toEqual([1, 1]);
    expect(() => pairAttr({ p: [1, 2, 3] }, 'p')).toThrow(/one integer or a list of two/);
  });

  it('read lists of any length, a single number as a list of one', () => {
    expect(intsAttr(attrs, 'l')).toEqual([2, 3]);
    expect(intsAttr(attrs, 'k')).toEqual([3]);
    expect(floatsAttr({ c: [0.5, -1] }, 'c')).toEqual([0.5, -1]);
    expect(() => intsAttr({ c: [0.5] }, 'c')).toThrow(/list of integers/);
  });

  it('give undefined for absent optional attributes', () => {
    expect(optionalIntAttr(attrs, 'missing')).toBeUndefined();
    expect(optionalIntAttr(attrs, 'k')).toBe(3);
    expect(optionalFloatsAttr(attrs, 'missing')).toBeUndefined();
  });

  it('throw a TypeError naming the attribute on a missing required value or a wrong kind', () => {
    expect(() => intAttr(attrs, 'missing')).toThrow("attribute 'missing' is required but missing");
    expect(() => intAttr(attrs, 'bad')).toThrow(/attribute 'bad' must be an integer/);
    expect(() => boolAttr(attrs, 'k')).toThrow(TypeError);
    expect(() => stringAttr(attrs, 's', 'sum', ['sum', 'prod'])).toThrow(/one of sum, prod/);
    expect(() => typeAttr(attrs, 'l')).toThrow(/a number type/);
  });
});
