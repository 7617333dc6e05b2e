import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commentTexts, programDifference, stripSpans } from '../../src/format/ast-compare.js';
import { checkFormatted, formatLpnet, formatLpnetSafely } from '../../src/format/format.js';
import { parseProgram } from '../../src/parser/parse.js';
import { corpus } from './corpus.js';

/** Formats `text` and checks the three promises: it parses, means the same, and is a fixpoint. */
async function expectSoundFormatting(text: string, file: string): Promise<string> {
  const before = parseProgram(text, file);
  expect(before.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const formatted = await formatLpnet(text, file);
  const after = parseProgram(formatted, file);
  expect(after.diagnostics).toEqual([]);
  expect(stripSpans(after.program.items)).toEqual(stripSpans(before.program.items));
  expect(commentTexts(after.program)).toEqual(commentTexts(before.program));
  expect(programDifference(before.program, after.program)).toBeUndefined();
  expect(await formatLpnet(formatted, file)).toBe(formatted);
  expect(await checkFormatted(formatted, file)).toBe(true);
  return formatted;
}

describe('formatting the corpus', () => {
  for (const entry of corpus) {
    it(`keeps meaning and comments and is idempotent: ${entry.name}`, async () => {
      const formatted = await expectSoundFormatting(entry.text, 'corpus.lpnet');
      // Canonical text: LF only, no trailing spaces, one final newline (or nothing at all).
      expect(formatted).not.toMatch(/\r/);
      expect(formatted).not.toMatch(/[ \t]$/m);
      if (formatted !== '') expect(formatted).toMatch(/[^\n]\n$/);
      // No line is longer than the width (end-of-line comments aside, as in prettier) unless a
      // single unbreakable piece makes it so. The corpus has no `#` inside strings.
      for (const line of formatted.split('\n')) {
        const code = line.replace(/\s*#.*$/, '');
        if (code.length > 100) expect(code).not.toMatch(/,\s/);
      }
    });
  }

  it('keeps every comment of the comment corpus, each exactly once', async () => {
    const entry = corpus.find((e) => e.name === 'comments in every position');
    expect(entry).toBeDefined();
    const formatted = await formatLpnet(entry!.text, 'comments.lpnet');
    const texts = commentTexts(parseProgram(entry!.text, 'comments.lpnet').program);
    expect(texts.length).toBeGreaterThan(25);
    for (const t of texts) {
      expect(formatted.split(`#${t}`).length - 1).toBe(1);
    }
  });

  it('reports unformatted text as not formatted', async () => {
    expect(await checkFormatted('type  A = fixed<2,2>\n', 'a.lpnet')).toBe(false);
    expect(await checkFormatted('type A = fixed<2, 2>\n', 'a.lpnet')).toBe(true);
  });
});

describe('formatting the examples', () => {
  const dir = join(import.meta.dirname, '..', '..', 'examples');
  const files = existsSync(dir)
    ? readdirSync(dir)
        .filter((f) => f.endsWith('.lpnet'))
        .sort()
    : [];
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    const parses = !parseProgram(text, f).diagnostics.some((d) => d.severity === 'error');
    // An example the parser rejects is the parser's or the example's business, not the formatter's.
    it.skipIf(!parses)(`formats examples/${f} soundly`, async () => {
      await expectSoundFormatting(text, f);
      const outcome = await formatLpnetSafely(text, f);
      expect(outcome.ok).toBe(true);
    });
  }
});
