/**
 * `lpc compile --explain` for LeNet and VGG16 as golden files (test/golden/explain/<Net>.txt):
 * the per-layer table, totals, accumulator notes, the dropout removed, the fusion report and the
 * memory peaks. Any difference fails; LPC_UPDATE_GOLDEN=1 rewrites them. The numbers in them are
 * checked against independent counts in test/passes/explain-examples.test.ts.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIO } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/main.js';
import { expectGolden, GOLDEN_ROOT, REPO_ROOT } from '../helpers/golden.js';

async function explain(file: string, net: string): Promise<string> {
  const io = memoryIO(REPO_ROOT);
  const code = await runCli(['compile', file, '--net', net, '--explain'], io);
  expect(io.stderr).toEqual([]);
  expect(code).toBe(0);
  return io.stdout.map((t) => (t.endsWith('\n') ? t : `${t}\n`)).join('');
}

describe('golden --explain', () => {
  it('LeNet: lpc compile examples/lenet.lpnet --net LeNet --explain', async () => {
    const text = await explain('examples/lenet.lpnet', 'LeNet');
    expect(text).toMatch(/^net LeNet\n/);
    expect(text).toMatch(/^total \(9 nodes\) +431,080 /m);
    expect(text).toContain('MACs: 146,752,000 for a batch of 64, 2,293,000 per item');
    expectGolden(join(GOLDEN_ROOT, 'explain/LeNet.txt'), text);
  });

  it('VGG16: lpc compile examples/vgg16.lpnet --net VGG16 --explain', async () => {
    const text = await explain('examples/vgg16.lpnet', 'VGG16');
    expect(text).toMatch(/^net VGG16\n/);
    expect(text).toMatch(/^total \(22 nodes\) +138,357,544 /m);
    expect(text).toContain('removed for inference (dropout is the identity there): fc6, fc7');
    expect(text).toContain('fusion: 68 nodes -> 22 nodes');
    expectGolden(join(GOLDEN_ROOT, 'explain/VGG16.txt'), text);
  });
});
