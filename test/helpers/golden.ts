/**
 * Golden files: text a test compares byte for byte with what the code produces now. A test fails
 * on any difference (vitest prints the diff); to accept a change on purpose, rerun with
 * LPC_UPDATE_GOLDEN=1, which rewrites the files instead, and review the diff in version control.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { expect } from 'vitest';

export const REPO_ROOT = resolve(import.meta.dirname, '../..');
export const GOLDEN_ROOT = join(REPO_ROOT, 'test/golden');

/** True when this run rewrites golden files rather than comparing with them. */
export function updatingGolden(): boolean {
  return process.env.LPC_UPDATE_GOLDEN === '1';
}

/**
 * Compares `actual` with the golden file at `path` (absolute), or writes it when updating.
 * `update` overrides the environment (tests of this helper pass false).
 */
export function expectGolden(path: string, actual: string, update = updatingGolden()): void {
  const shown = relative(REPO_ROOT, path);
  if (update) {
    mkdirSync(dirname(path), { recursive: true });
    if (!existsSync(path) || readFileSync(path, 'utf8') !== actual) writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) {
    throw new Error(`golden file ${shown} does not exist: run the test with LPC_UPDATE_GOLDEN=1 to create it, then review it`);
  }
  const expected = readFileSync(path, 'utf8');
  expect(actual, `output differs from ${shown} (rerun with LPC_UPDATE_GOLDEN=1 to accept the change)`).toBe(expected);
}

/** Every file under `dir` (absolute), as paths relative to it with `/`, sorted. */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const walk = (sub: string) => {
    for (const name of readdirSync(join(dir, sub))) {
      const rel = sub ? `${sub}/${name}` : name;
      if (statSync(join(dir, rel)).isDirectory()) walk(rel);
      else out.push(rel);
    }
  };
  walk('');
  return out.sort();
}

/**
 * The golden files under `dir` that no test produces any more (`expected`: relative paths). When
 * updating they are deleted and the result is empty; otherwise the test should expect it empty.
 */
export function staleGoldenFiles(dir: string, expected: Iterable<string>, update = updatingGolden()): string[] {
  const keep = new Set(expected);
  const stale = listFiles(dir).filter((f) => !keep.has(f) && !f.startsWith('.'));
  if (update) {
    for (const f of stale) rmSync(join(dir, f));
    return [];
  }
  return stale;
}
