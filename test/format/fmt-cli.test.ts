import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryIO } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';
import { formatLpnet } from '../../src/format/format.js';

const formatted = 'type W8 = fixed<2, 6>\n\nnet X(n: int = 1) {\n  input i: f32[n]\n  output o = relu(i) -> W8\n}\n';
const messy = 'type W8=fixed<2,6>\nnet X(n:int=1){input i:f32[n]; output o=relu(i)->W8}   # done\n';
const nestedMessy = 'train X { batch 64; epochs 2 }\n';
const broken = 'net X {\n  y = relu(x\n}\n';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lpc-fmt-'));
  writeFileSync(join(dir, 'good.lpnet'), formatted);
  writeFileSync(join(dir, 'messy.lpnet'), messy);
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'nested.lpnet'), nestedMessy);
  writeFileSync(join(dir, 'notes.txt'), 'not a net');
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function lpc(...args: string[]) {
  const io = memoryIO(dir);
  const code = await runCli(['fmt', ...args], io);
  return { code, stdout: io.stdout.join(''), printed: io.stdout, stderr: io.stderr.join('\n') };
}

const read = (name: string) => readFileSync(join(dir, name), 'utf8');

describe('lpc fmt', () => {
  it('prints the formatted text of one file and leaves the file alone', async () => {
    const r = await lpc('messy.lpnet');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(await formatLpnet(messy, 'messy.lpnet'));
    expect(r.stdout).toBe(
      'type W8 = fixed<2, 6>\n\nnet X(n: int = 1) {\n  input i: f32[n]\n  output o = relu(i) -> W8\n} # done\n',
    );
    expect(read('messy.lpnet')).toBe(messy);
  });

  it('--check lists the unformatted files of a folder, recursively, and exits 1', async () => {
    const r = await lpc('--check', '.');
    expect(r.code).toBe(1);
    expect(r.printed).toEqual(['messy.lpnet', join('sub', 'nested.lpnet')]);
    expect(r.stderr).toMatch(/2 files are not formatted/);
    expect(read('messy.lpnet')).toBe(messy);
  });

  it('--check is quiet and exits 0 when everything is formatted', async () => {
    const r = await lpc('--check', 'good.lpnet');
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '', '']);
  });

  it('--write rewrites unformatted files in place, atomically, keeping their permissions', async () => {
    chmodSync(join(dir, 'messy.lpnet'), 0o640);
    const goodBefore = statSync(join(dir, 'good.lpnet')).mtimeMs;
    const r = await lpc('--write', dir);
    expect(r.code).toBe(0);
    expect(read('messy.lpnet')).toBe(await formatLpnet(messy, 'messy.lpnet'));
    expect(read(join('sub', 'nested.lpnet'))).toBe('train X {\n  batch 64\n  epochs 2\n}\n');
    expect(statSync(join(dir, 'messy.lpnet')).mode & 0o777).toBe(0o640);
    // Formatted files are not rewritten; no temporary files are left behind.
    expect(statSync(join(dir, 'good.lpnet')).mtimeMs).toBe(goodBefore);
    expect(readdirSync(dir).sort()).toEqual(['good.lpnet', 'messy.lpnet', 'notes.txt', 'sub']);
    expect(readdirSync(join(dir, 'sub'))).toEqual(['nested.lpnet']);
    // A second run finds nothing to do.
    expect((await lpc('--check', dir)).code).toBe(0);
  });

  it('reports a syntax error with a snippet, exits 1, and never writes the file', async () => {
    writeFileSync(join(dir, 'broken.lpnet'), broken);
    const r = await lpc('--write', '.');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error LPC10\d\d: /);
    expect(r.stderr).toContain('--> broken.lpnet:3:1');
    expect(r.stderr).toContain('3 | }');
    expect(read('broken.lpnet')).toBe(broken);
    // The other files were still formatted.
    expect(read('messy.lpnet')).toBe(await formatLpnet(messy, 'messy.lpnet'));

    const printed = await lpc('broken.lpnet');
    expect(printed.code).toBe(1);
    expect(printed.stdout).toBe('');
    expect(printed.stderr).toMatch(/error LPC10\d\d: /);
  });

  it('reports missing paths, folders without nets, and options that do not fit', async () => {
    const missing = await lpc('--check', 'nope.lpnet');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/error LPC9101: no such file or folder: nope.lpnet/);

    mkdirSync(join(dir, 'empty'));
    const empty = await lpc('--check', 'empty');
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/error LPC9102: no \.lpnet files in empty/);

    const both = await lpc('--check', '--write', 'good.lpnet');
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/LPC9105/);

    const many = await lpc('good.lpnet', 'messy.lpnet');
    expect(many.code).toBe(2);
    expect(many.stderr).toMatch(/LPC9105: 2 files to format/);
    expect(read('messy.lpnet')).toBe(messy);

    const none = await lpc();
    expect(none.code).toBe(2);
  });
});
