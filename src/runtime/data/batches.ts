import { rngU32 } from '../../numeric/rng.js';
import type { DataBatch, DataSplit } from './dataset.js';
import { imageSizeOf } from './dataset.js';

/**
 * Shuffling, the input transform and batching: everything between a data set and a backend.
 *
 * Shuffling is reproducible and stateless: epoch e visits the training items in the order of a
 * permutation drawn from the counter-based generator (numeric/rng.ts) keyed by the run's seed and
 * e, so a resumed run recomputes the order of its epoch instead of storing it, and position p of
 * epoch e is the same item on any machine. Keys: step = SHUFFLE_STEP_BASE - e (the top of the u32
 * range, which no training step reaches and fillers' FILLER_STEP = 2^32-1 stays above), stream =
 * SHUFFLE_STREAM.
 *
 * The permutation is Fisher-Yates from the top: for i = n-1 down to 1, j = floor(u_i * (i+1) /
 * 2^32) with u_i = rngU32(seed, step, stream, i), then swap items i and j. (u * (i+1) < 2^53, so
 * the product is exact in f64 and a u32 implementation reproduces it with a 64-bit multiply.)
 */

export const SHUFFLE_STREAM = 0x53485546; // 'SHUF'
export const SHUFFLE_STEP_BASE = 0xfffffffe;

export function shuffledOrder(count: number, seed: number, epoch: number): Uint32Array {
  const order = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  const step = (SHUFFLE_STEP_BASE - epoch) >>> 0;
  for (let i = count - 1; i >= 1; i--) {
    const j = Math.floor((rngU32(seed, step, SHUFFLE_STREAM, i) * (i + 1)) / 2 ** 32);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order;
}

/**
 * The transform from stored pixels to the net's input, Caffe's order: x' = (x - mean[c]) * scale,
 * rounded to f32, with one mean per channel (axis 0 of the image) or one for all.
 */
export interface InputTransform {
  scale: number;
  mean: number[];
}

/** u8 images are scaled to [0, 1] (Caffe's `scale: 0.00390625` for MNIST); other types pass unchanged. */
export function defaultTransform(pixelType: string): InputTransform {
  return { scale: pixelType === 'u8' ? 1 / 255 : 1, mean: [0] };
}

export function describeTransform(t: InputTransform): string {
  const short = (x: number) => String(Number(x.toPrecision(6)));
  const mean = t.mean.length === 1 ? short(t.mean[0]) : `[${t.mean.map(short).join(', ')}]`;
  return `(x - ${mean}) * ${short(t.scale)}`;
}

function applyTransform(values: Float32Array, from: number, imageShape: readonly number[], t: InputTransform): void {
  const size = imageShape.reduce((a, b) => a * b, 1);
  const channels = t.mean.length > 1 ? imageShape[0] : 1;
  const perChannel = size / channels;
  for (let k = 0; k < size; k++) {
    const m = t.mean.length > 1 ? t.mean[Math.floor(k / perChannel)] : t.mean[0];
    values[from + k] = Math.fround((values[from + k] - m) * t.scale);
  }
}

/** Fills a batch with items `itemAt(0..size-1)`, the first `valid` real. */
function fillBatch(split: DataSplit, size: number, valid: number, itemAt: (k: number) => number, t: InputTransform): DataBatch {
  const imageSize = imageSizeOf(split);
  const images = new Float32Array(size * imageSize);
  const labels = new Int32Array(size);
  for (let k = 0; k < size; k++) {
    const i = itemAt(k);
    split.readImage(i, images, k * imageSize);
    applyTransform(images, k * imageSize, split.imageShape, t);
    labels[k] = split.label(i);
  }
  return { images, labels, size, valid };
}

/** Training steps per epoch: whole batches only (the last partial batch of an epoch is dropped). */
export function stepsPerEpoch(count: number, batch: number): number {
  return Math.floor(count / batch);
}

/** Batch `stepInEpoch` of an epoch whose visiting order is `order`. */
export function trainBatch(split: DataSplit, order: Uint32Array, stepInEpoch: number, batch: number, t: InputTransform): DataBatch {
  const start = stepInEpoch * batch;
  return fillBatch(split, batch, batch, (k) => order[start + k], t);
}

/** Batches needed to cover a split once for evaluation (the last one padded). */
export function evalBatchCount(count: number, batch: number): number {
  return Math.ceil(count / batch);
}

/**
 * Evaluation batch b, in data order: items b*batch .. on; the last batch is padded by repeating
 * items from the start of the split, and only its real items are `valid`.
 */
export function evalBatch(split: DataSplit, b: number, batch: number, t: InputTransform): DataBatch {
  const start = b * batch;
  const valid = Math.max(0, Math.min(batch, split.count - start));
  return fillBatch(split, batch, valid, (k) => (k < valid ? start + k : (k - valid) % split.count), t);
}
