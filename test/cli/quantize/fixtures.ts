import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryIO } from '../../../src/cli/io.js';
import { runCli } from '../../../src/cli/main.js';
import { makeIdx } from '../../runtime/helpers/idx-writer.js';
import { separableItems } from '../../runtime/train/helpers.js';

/**
 * What the quantize and sweep command tests share: a folder with a small conv net (a block, so
 * its ids need renaming when written flat), an MNIST-format data set of 8x8 images made here,
 * and `lpc` run in-process in that folder.
 */

export const SMALL_NET = `
# A small conv net for the quantize tests.
block body(x, classes: int) {
  c1 = conv(x, filters: 4, kernel: 3, pad: 1)
  p1 = max_pool(relu(c1), kernel: 2, stride: 2)
  f1 = relu(dense(p1, units: 16))
  return dense(f1, units: classes)
}
net Small(batch: int = 10, classes: int = 3) {
  input image: f32[batch, 1, 8, 8]
  input label: i32[batch]
  logits = body(image, classes: classes)
  output probs = softmax(logits)
  loss xent = softmax_cross_entropy(logits, label)
}
train Small {
  optimizer sgd(lr: 0.05, momentum: 0.9)
  batch 10; epochs 3; seed 2
}
`;

export function makeWorkspace(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeData(dir, 'data', 120, 40, 8);
  writeFileSync(join(dir, 'small.lpnet'), SMALL_NET);
  return dir;
}

/** An MNIST-format folder: `classes` = 3 separable classes of side x side u8 images. */
export function writeData(dir: string, name: string, train: number, test: number, side: number, classes = 3): void {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  for (const [prefix, n, seed] of [['train', train, 5], ['t10k', test, 6]] as const) {
    const items = separableItems(n, classes, side, seed);
    writeFileSync(join(d, `${prefix}-images-idx3-ubyte`), makeIdx('u8', [n, side, side], [...items.images]));
    writeFileSync(join(d, `${prefix}-labels-idx1-ubyte`), makeIdx('u8', [n], items.labels));
  }
}

export async function lpcIn(dir: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = memoryIO(dir);
  const code = await runCli(args, io);
  return { code, out: io.stdout.join('\n'), err: io.stderr.join('\n') };
}
