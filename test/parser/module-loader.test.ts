import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderOneLine } from '../../src/diag/render.js';
import { loadModules } from '../../src/parser/module-loader.js';
import { nodeSourceHost } from '../../src/parser/node-host.js';
import { memoryHost } from './memory-host.js';

describe('loadModules', () => {
  it('follows imports relative to the importing file, dependencies first', () => {
    const host = memoryHost({
      'nets/main.lpnet': 'import "lib/blocks.lpnet"\nimport "types.lpnet"\nnet N { }',
      'nets/lib/blocks.lpnet': 'import "../types.lpnet"\nblock b(x) { return x }',
      'nets/types.lpnet': 'type W8 = fixed<2, 6>',
    });
    const r = loadModules('nets/main.lpnet', host);
    expect(r.diagnostics).toEqual([]);
    expect(r.order).toEqual(['nets/types.lpnet', 'nets/lib/blocks.lpnet', 'nets/main.lpnet']);
    expect([...r.modules.keys()].sort()).toEqual(['nets/lib/blocks.lpnet', 'nets/main.lpnet', 'nets/types.lpnet']);
    expect(r.sources.get('nets/types.lpnet')).toBe('type W8 = fixed<2, 6>');
  });

  it('parses a file imported twice only once', () => {
    const host = memoryHost({
      'a.lpnet': 'import "b.lpnet"\nimport "c.lpnet"',
      'b.lpnet': 'import "c.lpnet"',
      'c.lpnet': 'type T = fixed<1, 7>',
    });
    const r = loadModules('a.lpnet', host);
    expect(r.order).toEqual(['c.lpnet', 'b.lpnet', 'a.lpnet']);
    expect(host.reads.filter((p) => p === 'c.lpnet')).toHaveLength(1);
  });

  it('reports a missing import at the path, with the resolved location as a hint', () => {
    const host = memoryHost({ 'dir/a.lpnet': '\nimport "missing.lpnet"\nnet N { }' });
    const r = loadModules('dir/a.lpnet', host);
    expect(r.diagnostics.map(renderOneLine)).toEqual([
      'dir/a.lpnet:2:8: error LPC1101: imported file `missing.lpnet` not found',
    ]);
    expect(r.diagnostics[0].hint).toContain('missing.lpnet');
    expect(r.modules.has('dir/a.lpnet')).toBe(true);
  });

  it('reports a missing entry file without a span', () => {
    const r = loadModules('nope.lpnet', memoryHost({}));
    expect(r.diagnostics.map((d) => d.code)).toEqual(['LPC1101']);
    expect(r.diagnostics[0].span).toBeUndefined();
    expect(r.order).toEqual([]);
  });

  it('reports an import cycle at the import that closes it, naming the chain', () => {
    const host = memoryHost({
      'a.lpnet': 'import "b.lpnet"\nnet A { }',
      'b.lpnet': 'type T = fixed<2, 2>\nimport "a.lpnet"',
    });
    const r = loadModules('a.lpnet', host);
    expect(r.diagnostics.map(renderOneLine)).toEqual([
      'b.lpnet:2:1: error LPC1102: import cycle: a.lpnet -> b.lpnet -> a.lpnet',
    ]);
    expect(r.order).toEqual(['b.lpnet', 'a.lpnet']);
  });

  it('names a longer cycle and a self-import', () => {
    const host = memoryHost({
      'm/x.lpnet': 'import "y.lpnet"',
      'm/y.lpnet': 'import "z.lpnet"',
      'm/z.lpnet': 'import "./y.lpnet"',
      'm/self.lpnet': 'import "self.lpnet"',
    });
    expect(loadModules('m/x.lpnet', host).diagnostics.map((d) => d.message)).toEqual([
      'import cycle: y.lpnet -> z.lpnet -> y.lpnet',
    ]);
    expect(loadModules('m/self.lpnet', host).diagnostics.map((d) => d.message)).toEqual([
      'import cycle: self.lpnet -> self.lpnet',
    ]);
  });

  it('collects the parse diagnostics of every file', () => {
    const host = memoryHost({ 'a.lpnet': 'import "b.lpnet"\nnet A { x = }', 'b.lpnet': 'net B { y = }' });
    const files = loadModules('a.lpnet', host).diagnostics.map((d) => d.span?.file);
    expect(files.sort()).toEqual(['a.lpnet', 'b.lpnet']);
  });

  it('reads real files through the Node host, treating `./a` and `a` as one file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lpc-loader-'));
    try {
      mkdirSync(join(dir, 'lib'));
      writeFileSync(join(dir, 'main.lpnet'), 'import "lib/t.lpnet"\nnet N { }');
      writeFileSync(join(dir, 'lib', 't.lpnet'), 'import "../main.lpnet"');
      const r = loadModules(join(dir, '.', 'main.lpnet'), nodeSourceHost);
      expect(r.diagnostics.map((d) => d.message)).toEqual(['import cycle: main.lpnet -> lib/t.lpnet -> main.lpnet']);
      expect(nodeSourceHost.readFile(join(dir, 'lib'))).toBeUndefined();
      expect(nodeSourceHost.readFile(join(dir, 'absent.lpnet'))).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
