import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { getItem } from '../../../src/runtime/data/dataset.js';
import { FASHION_MNIST_DIR, openDataset } from '../../../src/runtime/data/fashion-mnist.js';
import { loadIdxDataset, pickRoleFile } from '../../../src/runtime/data/idx-dataset.js';
import { makeIdx } from '../helpers/idx-writer.js';

const root = mkdtempSync(join(tmpdir(), 'lpc-idx-dataset-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes an MNIST-style folder: n items of 2x3 u8 images, item i filled with i, label i % 3. */
function writeFolder(name: string, opts: { gzip?: boolean; train?: number; test?: number; testLabels?: number } = {}): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  const put = (file: string, bytes: Uint8Array) => writeFileSync(join(dir, opts.gzip ? `${file}.gz` : file), opts.gzip ? gzipSync(bytes) : bytes);
  const train = opts.train ?? 6;
  const test = opts.test ?? 4;
  const images = (n: number) => makeIdx('u8', [n, 2, 3], Array.from({ length: n * 6 }, (_, k) => Math.floor(k / 6)));
  const labels = (n: number) => makeIdx('u8', [n], Array.from({ length: n }, (_, i) => i % 3));
  put('train-images-idx3-ubyte', images(train));
  put('train-labels-idx1-ubyte', labels(train));
  put('t10k-images-idx3-ubyte', images(test));
  put('t10k-labels-idx1-ubyte', labels(opts.testLabels ?? test));
  return dir;
}

describe('IDX data folders', () => {
  it('reads the four files, gzipped or not, as single-channel images', () => {
    for (const gzip of [false, true]) {
      const dir = writeFolder(gzip ? 'gz' : 'plain', { gzip });
      const r = loadIdxDataset(dir, 'mini');
      expect(r.diagnostics).toEqual([]);
      const d = r.dataset!;
      expect(d.pixelType).toBe('u8');
      expect(d.train.count).toBe(6);
      expect(d.test.count).toBe(4);
      expect(d.train.imageShape).toEqual([1, 2, 3]);
      expect(d.classes).toBe(3);
      const item = getItem(d.train, 4);
      expect([...item.image]).toEqual([4, 4, 4, 4, 4, 4]);
      expect(item.label).toBe(1);
    }
  });

  it('accepts the common spellings of the file names, preferring unpacked files', () => {
    expect(pickRoleFile(['t10k-labels-idx1-ubyte.gz', 't10k-labels-idx1-ubyte'], 'testLabels')).toBe('t10k-labels-idx1-ubyte');
    expect(pickRoleFile(['test-images.idx3-ubyte'], 'testImages')).toBe('test-images.idx3-ubyte');
    expect(pickRoleFile(['train-images-idx3-ubyte'], 'trainLabels')).toBeUndefined();
  });

  it('names missing files and mismatched counts', () => {
    const dir = writeFolder('partial');
    rmSync(join(dir, 't10k-labels-idx1-ubyte'));
    const missing = loadIdxDataset(dir, 'partial');
    expect(missing.diagnostics.map((d) => d.code)).toEqual(['LPC3102']);
    expect(missing.diagnostics[0].message).toContain('t10k-labels-idx1-ubyte');

    const mismatched = loadIdxDataset(writeFolder('mismatch', { testLabels: 3 }), 'mismatch');
    expect(mismatched.diagnostics.map((d) => d.code)).toEqual(['LPC3103']);
  });

  it('opens folders by path and reports unknown names with the known ones', () => {
    writeFolder('byname');
    expect(openDataset('byname', { cwd: root }).dataset?.train.count).toBe(6);
    const unknown = openDataset('fashion-mnst', { cwd: root });
    expect(unknown.diagnostics[0].code).toBe('LPC3101');
    expect(unknown.diagnostics[0].hint).toContain('fashion-mnist');
  });

  it('says how to install Fashion-MNIST when it is missing', () => {
    const r = openDataset('fashion-mnist', { cwd: root, namedDirs: { 'fashion-mnist': join(root, 'not-installed') } });
    expect(r.diagnostics[0].code).toBe('LPC3100');
    expect(r.diagnostics[0].hint).toContain('apt-get install dataset-fashion-mnist');
    expect(r.diagnostics[0].hint).toContain('scripts/install-system.sh');
  });

  it.skipIf(!existsSync(FASHION_MNIST_DIR))('reads the installed Fashion-MNIST (Debian dataset-fashion-mnist)', () => {
    const r = openDataset('fashion-mnist', { cwd: root });
    expect(r.diagnostics).toEqual([]);
    const d = r.dataset!;
    expect([d.train.count, d.test.count, d.classes]).toEqual([60000, 10000, 10]);
    expect(d.train.imageShape).toEqual([1, 28, 28]);
    const img = getItem(d.train, 0).image;
    expect(Math.max(...img)).toBeLessThanOrEqual(255);
    expect(img.some((v) => v > 0)).toBe(true);
  });
});
