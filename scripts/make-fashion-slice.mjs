// Writes the first N images and labels of the Fashion-MNIST test split as uncompressed IDX files,
// for the browser example (examples/browser/data/): a page can fetch and read them without
// decompressing. Source: the Debian package dataset-fashion-mnist, which installs the original
// gzipped files in /usr/share/datasets/fashion-mnist/.
//
//   node scripts/make-fashion-slice.mjs [N=100] [OUT=examples/browser/data]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const SOURCE = '/usr/share/datasets/fashion-mnist';
const count = Number(process.argv[2] ?? 100);
const out = process.argv[3] ?? 'examples/browser/data';

/** The first `n` items of an IDX file: its header with dimension 0 set to n, then n items. */
function sliceIdx(bytes, n) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== 0 || bytes[2] !== 0x08) throw new Error('not an IDX file of unsigned bytes');
  const rank = bytes[3];
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  if (n > dims[0]) throw new Error(`the file has ${dims[0]} items, fewer than ${n}`);
  const header = 4 + 4 * rank;
  const itemBytes = dims.slice(1).reduce((a, b) => a * b, 1);
  const sliced = new Uint8Array(header + n * itemBytes);
  sliced.set(bytes.subarray(0, header));
  new DataView(sliced.buffer).setUint32(4, n);
  sliced.set(bytes.subarray(header, header + n * itemBytes), header);
  return sliced;
}

mkdirSync(out, { recursive: true });
for (const kind of ['images-idx3-ubyte', 'labels-idx1-ubyte']) {
  const bytes = gunzipSync(readFileSync(join(SOURCE, `t10k-${kind}.gz`)));
  const file = join(out, `fashion-test-${count}-${kind}`);
  writeFileSync(file, sliceIdx(bytes, count));
  console.log(`wrote ${file}`);
}
