/**
 * Classifies the images of an IDX file with a compiled net, in Node: the README's "Using a
 * compiled net in your app" walks through it. The net is the package `lpc compile` wrote for
 * examples/lenet.lpnet's LeNet8 (`out/LeNet8`, installed into the app as `lenet8`); the weights
 * are the ones compiled into it (`--weights`), or a .lpw file given with --weights.
 *
 *   node classify.js IMAGES.idx3-ubyte [LABELS.idx1-ubyte] [--weights W.lpw] [--limit N]
 *
 * Prints one line per image (the top class and its probability, and the true class when labels
 * are given), then the accuracy and the per-layer activation sparsity of the last batch.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { LeNet8 } from 'lenet8';

const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
/** u8 pixels to the net's input as `lpc train` feeds them: x * (1/255), rounded to f32. */
const PIXEL_SCALE = 1 / 255;

/** An IDX file of unsigned bytes: its dimensions and data. */
function readIdx(path: string): { dims: number[]; data: Uint8Array } {
  const bytes = new Uint8Array(readFileSync(path));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || view.getUint16(0) !== 0 || bytes[2] !== 0x08) throw new Error(`${path} is not an IDX file of unsigned bytes`);
  const rank = bytes[3];
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  const start = 4 + 4 * rank;
  return { dims, data: bytes.subarray(start, start + dims.reduce((a, b) => a * b, 1)) };
}

const { values, positionals } = parseArgs({ allowPositionals: true, options: { weights: { type: 'string' }, limit: { type: 'string' } } });
if (positionals.length < 1) {
  console.error('usage: classify IMAGES.idx3-ubyte [LABELS.idx1-ubyte] [--weights W.lpw] [--limit N]');
  process.exit(2);
}
const images = readIdx(positionals[0]);
const labels = positionals[1] ? readIdx(positionals[1]).data : undefined;
const itemSize = images.dims.slice(1).reduce((a, b) => a * b, 1);
const count = Math.min(images.dims[0], values.limit ? Number(values.limit) : Infinity);

const net = await LeNet8.create();
// The weights compiled into the package, unless a file is named.
await net.loadWeights(values.weights ?? createRequire(import.meta.url).resolve('lenet8/weights.lpw'));

let correct = 0;
for (let first = 0; first < count; first += LeNet8.batch) {
  const items = Math.min(LeNet8.batch, count - first);
  const image = Float32Array.from(images.data.subarray(first * itemSize, (first + items) * itemSize), (p) => p * PIXEL_SCALE);
  const { probs } = await net.infer({ image }); // 1 to LeNet8.batch items: the last batch may be partial
  for (let k = 0; k < items; k++) {
    const row = probs.subarray(k * 10, (k + 1) * 10);
    const top = row.indexOf(Math.max(...row));
    const truth = labels?.[first + k];
    if (truth === top) correct++;
    const mark = truth === undefined ? '' : truth === top ? '  ok' : `  (is ${CLASSES[truth]})`;
    console.log(`image ${first + k}: ${CLASSES[top]} ${(row[top] * 100).toFixed(1)}%${mark}`);
  }
}
if (labels) console.log(`accuracy: ${correct}/${count} = ${((100 * correct) / count).toFixed(1)}%`);
for (const s of await net.stats()) console.log(`sparsity ${s.layer} (${s.op}, ${s.type}): ${(s.sparsity * 100).toFixed(1)}%`);
net.destroy();
