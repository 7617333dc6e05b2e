import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderOneLine } from '../../src/diag/render.js';
import { parseProgram } from '../../src/parser/parse.js';

/**
 * Every example in grammar/README.md must parse, so the reference cannot drift from the parser.
 * Snippets that are statements are wrapped in a block, `name: value` snippets in a call.
 */
const readme = readFileSync(new URL('../../grammar/README.md', import.meta.url), 'utf8');
const snippets = [...readme.matchAll(/```(\w*)\n([\s\S]*?)```/g)]
  .filter((m) => m[1] === '')
  .map((m) => m[2])
  .filter((s) => !/^\S+\.lpnet:\d+/.test(s)); // rendered diagnostics, not source

function asProgram(snippet: string): string {
  const firstWord = /^\s*(?:#.*\n\s*)*(\w+)/.exec(snippet)?.[1] ?? '';
  if (['import', 'type', 'net', 'block', 'train'].includes(firstWord)) return snippet;
  if (/^\s*\w+: /.test(snippet)) {
    const args = snippet
      .trim()
      .split('\n')
      .map((line) => line.trim())
      .join(', ');
    return `net N { v = f(${args}) }`;
  }
  return `block B(x) {\n${snippet}\n}`;
}

describe('grammar/README.md examples', () => {
  it('has examples to check', () => {
    expect(snippets.length).toBeGreaterThan(12);
  });
  for (const [i, snippet] of snippets.entries()) {
    it(`example ${i + 1} parses: ${snippet.split('\n')[0].slice(0, 50)}`, () => {
      const { diagnostics } = parseProgram(asProgram(snippet), 'readme.lpnet');
      expect(diagnostics.map(renderOneLine)).toEqual([]);
    });
  }
});
