import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CODE_TABLES, allCodes, diagnosticsMarkdown } from '../../src/cli/diagnostic-codes.js';
import { runCli } from '../../src/cli/main.js';
import { memoryIO } from '../../src/cli/io.js';

const SRC = new URL('../../src/', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('diagnostic code tables', () => {
  it('document every code the source uses, each once', () => {
    const documented = new Set(allCodes().map((c) => c.code));
    const used = new Map<string, string>();
    for (const f of sourceFiles(SRC)) {
      for (const m of readFileSync(f, 'utf8').matchAll(/['"`](LPC\d{4})['"`]/g)) used.set(m[1], f);
    }
    const missing = [...used].filter(([c]) => !documented.has(c)).map(([c, f]) => `${c} (${f})`);
    expect(missing).toEqual([]);
    // A code must not mean two things in two tables.
    const texts = new Map<string, string>();
    for (const { table } of CODE_TABLES) {
      for (const [code, doc] of Object.entries(table)) {
        const prev = texts.get(code);
        if (prev !== undefined) expect(doc.summary, code).toBe(prev);
        texts.set(code, doc.summary);
      }
    }
  });

  it('keeps docs/diagnostics.md current (regenerate with `npm run gen:diagnostics`)', () => {
    const onDisk = readFileSync(new URL('../../docs/diagnostics.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(diagnosticsMarkdown());
  });

  it('`lpc codes CODE` explains a code, and an unknown code is an error', async () => {
    const io = memoryIO();
    expect(await runCli(['codes', 'lpc1001'], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/^LPC1001 \(/);
    const bad = memoryIO();
    expect(await runCli(['codes', 'LPC0000'], bad)).toBe(1);
    expect(bad.stderr.join('\n')).toContain('no diagnostic code');
  });
});
