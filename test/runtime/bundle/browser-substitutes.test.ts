/**
 * The runtime's Node-only modules and their browser stand-ins: package.json's `browser` field (for
 * other bundlers) lists exactly the pairs `lpc bundle --browser` swaps, every file exists, each
 * stand-in exports what its module exports, and package.json exposes `lpc/runtime` and
 * `lpc/prettier-plugin` as built files while keeping the `lpc` command.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BROWSER_SUBSTITUTES } from '../../../src/runtime/bundle/browser-substitutes.js';
import { REPO_ROOT } from '../../helpers/golden.js';

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  browser: Record<string, string>;
  exports: Record<string, unknown>;
  bin: Record<string, string>;
};

describe('browser substitutes', () => {
  it("match package.json's browser field", () => {
    expect(pkg.browser).toEqual(Object.fromEntries(BROWSER_SUBSTITUTES.map((s) => [`./dist/${s.module}.js`, `./dist/${s.browser}.js`])));
  });

  for (const s of BROWSER_SUBSTITUTES) {
    it(`${s.browser} stands in for ${s.module} with the same exports`, async () => {
      expect(existsSync(join(REPO_ROOT, 'src', `${s.module}.ts`))).toBe(true);
      expect(existsSync(join(REPO_ROOT, 'src', `${s.browser}.ts`))).toBe(true);
      const real = (await import(join(REPO_ROOT, 'src', `${s.module}.ts`))) as Record<string, unknown>;
      const stand = (await import(join(REPO_ROOT, 'src', `${s.browser}.ts`))) as Record<string, unknown>;
      expect(Object.keys(stand).sort()).toEqual(Object.keys(real).sort());
      const source = readFileSync(join(REPO_ROOT, 'src', `${s.browser}.ts`), 'utf8');
      expect(source).not.toMatch(/from\s+'node:|import\('node:/);
    });
  }

  it('package.json exports the runtime and the prettier plugin, and keeps the lpc command', () => {
    expect(pkg.exports['./runtime']).toEqual({ types: './dist/runtime/bundle/index.d.ts', default: './dist/runtime/bundle/index.js' });
    expect(pkg.exports['./prettier-plugin']).toEqual({ types: './dist/format/prettier-plugin.d.ts', default: './dist/format/prettier-plugin.js' });
    expect(pkg.bin).toEqual({ lpc: './bin/lpc.js' });
    expect(existsSync(join(REPO_ROOT, 'src/runtime/bundle/index.ts'))).toBe(true);
    expect(existsSync(join(REPO_ROOT, 'src/format/prettier-plugin.ts'))).toBe(true);
  });
});
