import { format } from 'prettier';
import { describe, expect, it } from 'vitest';
import { formatLpnet } from '../../src/format/format.js';
import type { LpnetNode } from '../../src/format/comments.js';
import plugin, { LpnetSyntaxError } from '../../src/format/prettier-plugin.js';

describe('the prettier plugin', () => {
  it('declares the lpnet language for .lpnet files', () => {
    expect(plugin.languages).toEqual([
      expect.objectContaining({ name: 'lpnet', extensions: ['.lpnet'], parsers: ['lpnet'] }),
    ]);
    expect(plugin.parsers?.lpnet.astFormat).toBe('lpnet-ast');
    expect(Object.keys(plugin.printers ?? {})).toEqual(['lpnet-ast']);
  });

  it('formats through prettier itself, picking the parser from the file name', async () => {
    const text = 'net X{y=relu(x)}  # done\n';
    const viaPrettier = await format(text, { plugins: [plugin], filepath: 'nets/x.lpnet' });
    expect(viaPrettier).toBe('net X {\n  y = relu(x)\n} # done\n');
    expect(viaPrettier).toBe(await formatLpnet(text, 'x.lpnet'));
  });

  it('uses width 100 by default', async () => {
    const args = Array.from({ length: 8 }, (_, i) => `arg_${i}: ${i}`).join(', ');
    const line = `  y = f(${args})`;
    // Longer than prettier's usual 80, within 100.
    expect(line.length).toBeGreaterThan(80);
    expect(line.length).toBeLessThanOrEqual(100);
    expect(await format(`net X { y = f(${args}) }`, { plugins: [plugin], parser: 'lpnet' })).toBe(
      `net X {\n${line}\n}\n`,
    );
  });

  it('throws an error carrying the first diagnostic, one line, with a location for prettier', async () => {
    const error = await format('net X {\n  y = relu(x\n}\n', { plugins: [plugin], filepath: 'bad.lpnet' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LpnetSyntaxError);
    const e = error as LpnetSyntaxError;
    expect(e.message.split('\n')[0]).toMatch(/^bad\.lpnet:3:1: error LPC10\d\d: /);
    expect(e.loc?.start).toEqual({ line: 3, column: 1 });
    expect(e.diagnostics.length).toBeGreaterThan(0);
  });

  it('reports locations from spans', () => {
    const parser = plugin.parsers!.lpnet;
    const span = { file: 'x', start: { offset: 3, line: 1, col: 4 }, end: { offset: 9, line: 1, col: 10 } };
    const node: LpnetNode = { kind: 'Identifier', name: 'abcdef', span };
    expect(parser.locStart(node)).toBe(3);
    expect(parser.locEnd(node)).toBe(9);
  });
});
