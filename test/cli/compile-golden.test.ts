/**
 * Golden IR of every net of every example, as `lpc compile FILE --net NET` prints it:
 *   test/golden/ir/<example>/<Net>.lowered.ir    --emit ir-lowered (the IR as lowered)
 *   test/golden/ir/<example>/<Net>.inference.ir  --emit ir (after the inference pipeline)
 * Any difference fails; LPC_UPDATE_GOLDEN=1 rewrites the files (and deletes stale ones).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIO } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';
import { exampleFiles, exampleStem, lowerExample } from '../helpers/examples.js';
import { expectGolden, GOLDEN_ROOT, REPO_ROOT, staleGoldenFiles } from '../helpers/golden.js';

const IR_GOLDEN = join(GOLDEN_ROOT, 'ir');

/** What the command prints on a terminal: each chunk ends with a newline (processIO adds one where missing). */
async function lpcStdout(args: string[]): Promise<string> {
  const io = memoryIO(REPO_ROOT);
  const code = await runCli(args, io);
  expect(io.stderr, `stderr of lpc ${args.join(' ')}`).toEqual([]);
  expect(code).toBe(0);
  return io.stdout.map((t) => (t.endsWith('\n') ? t : `${t}\n`)).join('');
}

const STAGES = [
  { suffix: 'lowered', emit: 'ir-lowered' },
  { suffix: 'inference', emit: 'ir' },
] as const;

const cases = exampleFiles().flatMap((file) =>
  lowerExample(file).flatMap((g) =>
    STAGES.map((s) => ({ file, net: g.name, emit: s.emit, golden: `${exampleStem(file)}/${g.name}.${s.suffix}.ir` })),
  ),
);

describe('golden IR of the examples', () => {
  it('covers every example and every net in it', () => {
    // a new example gets its golden files from LPC_UPDATE_GOLDEN=1; these must always be there
    const nets = [...new Set(cases.map((c) => `${c.file}:${c.net}`))];
    expect(nets).toEqual(expect.arrayContaining([
      'alexnet.lpnet:AlexNet',
      'cifar10_quick.lpnet:Cifar10Quick',
      'lenet.lpnet:LeNet',
      'lenet.lpnet:LeNet8',
      'lenet.lpnet:LeNetF32',
      'resnet_cifar.lpnet:ResNetCifar',
      'vgg16.lpnet:VGG16',
    ]));
    expect(cases).toHaveLength(nets.length * STAGES.length);
  });

  for (const c of cases) {
    it(`${c.golden}: lpc compile examples/${c.file} --net ${c.net} --emit ${c.emit}`, async () => {
      const text = await lpcStdout(['compile', `examples/${c.file}`, '--net', c.net, '--emit', c.emit]);
      expect(text).toMatch(new RegExp(`^graph ${c.net}\\(`));
      expectGolden(join(IR_GOLDEN, c.golden), text);
    });
  }

  it('has no golden IR file that no net produces', () => {
    expect(staleGoldenFiles(IR_GOLDEN, cases.map((c) => c.golden))).toEqual([]);
  });
});

describe('expectGolden', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lpc-golden-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('passes on identical text and fails on a one-character difference or a missing file', () => {
    const path = join(dir, 'a.ir');
    writeFileSync(path, 'graph A()\n');
    expect(() => expectGolden(path, 'graph A()\n', false)).not.toThrow();
    expect(() => expectGolden(path, 'graph A() \n', false)).toThrow(/differs from/);
    expect(() => expectGolden(path, 'graph A()', false)).toThrow(/differs from/);
    expect(() => expectGolden(join(dir, 'missing.ir'), 'x', false)).toThrow(/LPC_UPDATE_GOLDEN=1/);
  });

  it('rewrites the file when updating, and reports or deletes stale files', () => {
    const path = join(dir, 'sub/b.ir');
    expectGolden(path, 'new\n', true);
    expect(() => expectGolden(path, 'new\n', false)).not.toThrow();
    expect(staleGoldenFiles(dir, ['sub/b.ir'], false)).toEqual(['a.ir']);
    expect(staleGoldenFiles(dir, ['sub/b.ir'], true)).toEqual([]);
    expect(staleGoldenFiles(dir, ['sub/b.ir'], false)).toEqual([]);
  });
});
