import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KEYWORDS } from '../../src/parser/lexer.js';

interface Rule {
  match?: string;
  begin?: string;
  end?: string;
  include?: string;
  patterns?: Rule[];
  [key: string]: unknown;
}

const grammar = JSON.parse(readFileSync(new URL('../../grammar/lpnet.tmLanguage.json', import.meta.url), 'utf8')) as {
  scopeName: string;
  fileTypes: string[];
  patterns: Rule[];
  repository: Record<string, Rule>;
};

function allRules(): Rule[] {
  const out: Rule[] = [];
  const walk = (r: Rule) => {
    out.push(r);
    for (const p of r.patterns ?? []) walk(p);
  };
  for (const r of grammar.patterns) walk(r);
  for (const r of Object.values(grammar.repository)) walk(r);
  return out;
}

/** The first rule (in the given list, following includes) whose `match` matches `text` at 0. */
function scopeOf(text: string, rules: Rule[] = grammar.patterns): string | undefined {
  for (const r of rules) {
    if (r.include) {
      const found = scopeOf(text, [grammar.repository[r.include.slice(1)]]);
      if (found) return found;
      continue;
    }
    if (r.patterns && !r.begin) {
      const found = scopeOf(text, r.patterns);
      if (found) return found;
      continue;
    }
    const pattern = r.match ?? r.begin;
    if (!pattern) continue;
    const m = new RegExp(`^(?:${pattern})`).exec(text);
    if (!m) continue;
    const captures = (r.captures ?? r.beginCaptures) as Record<string, { name: string }> | undefined;
    const scope = (r.name as string | undefined) ?? captures?.['1']?.name;
    // TextMate substitutes `$n` in scope names with the n-th capture.
    return scope?.replace(/\$(\d)/g, (_, n: string) => m[Number(n)] ?? '');
  }
  return undefined;
}

describe('grammar/lpnet.tmLanguage.json', () => {
  it('is a TextMate grammar for .lpnet files', () => {
    expect(grammar.scopeName).toBe('source.lpnet');
    expect(grammar.fileTypes).toEqual(['lpnet']);
  });

  it('has regexes that compile and includes that resolve', () => {
    for (const r of allRules()) {
      for (const p of [r.match, r.begin, r.end]) if (p !== undefined) expect(() => new RegExp(p)).not.toThrow();
      if (r.include) expect(grammar.repository[r.include.slice(1)], r.include).toBeDefined();
    }
  });

  it('highlights every reserved word of the lexer', () => {
    const text = JSON.stringify(grammar);
    for (const k of KEYWORDS) expect(text, (k.PATTERN as RegExp).source).toContain((k.PATTERN as RegExp).source);
  });

  it('gives the main constructs the expected scopes', () => {
    expect(scopeOf('# a comment')).toBe('comment.line.number-sign.lpnet');
    expect(scopeOf('net LeNet(')).toBe('storage.type.net.lpnet');
    expect(scopeOf('"a\\n"')).toBe('string.quoted.double.lpnet');
    expect(scopeOf('5e-4')).toBe('constant.numeric.lpnet');
    expect(scopeOf('fixed<2, 6>')).toBe('meta.type.fixed.lpnet');
    expect(scopeOf('f32[')).toBe('support.type.primitive.lpnet');
    expect(scopeOf('-> A8')).toBe('keyword.operator.arrow.lpnet');
    expect(scopeOf('conv(x)')).toBe('entity.name.function.call.lpnet');
    expect(scopeOf('repeat n')).toBe('keyword.control.repeat.lpnet');
    expect(scopeOf('true')).toBe('constant.language.boolean.lpnet');
  });
});
