import { describe, expect, it } from 'vitest';
import { findBracket, isNextLineBlank, onSameLine } from '../../src/format/source-text.js';

describe('source scanners', () => {
  it('finds a blank line after the end of a statement, past `;` and a trailing comment', () => {
    const text = 'a = 1 ;  # note\n   \nb = 2\nc = 3';
    expect(isNextLineBlank(text, 'a = 1'.length)).toBe(true);
    expect(isNextLineBlank(text, text.indexOf('b = 2') + 5)).toBe(false);
    expect(isNextLineBlank(text, text.length)).toBe(false);
    expect(isNextLineBlank('a\r\n\r\nb', 1)).toBe(true);
    expect(isNextLineBlank('a; b\n\nc', 1)).toBe(false);
  });

  it('finds a bracket past comments that contain brackets', () => {
    const text = 'net X(a: int # not ) this\n) # { either\n {';
    expect(findBracket(text, text.indexOf('int'), ')')).toBe(text.indexOf('\n)') + 1);
    expect(findBracket(text, text.indexOf('int'), '{')).toBe(text.length - 1);
    expect(findBracket('net X', 5, '{')).toBe(-1);
  });

  it('tells whether two offsets are on one line', () => {
    expect(onSameLine('ab cd', 0, 4)).toBe(true);
    expect(onSameLine('ab\ncd', 4, 0)).toBe(false);
  });
});
