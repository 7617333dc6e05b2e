/**
 * The loader interface of training and evaluation: a labelled image data set with a training and
 * a test split. Anything that can hand out images by index and their class labels can be a data
 * set (IDX folders and Fashion-MNIST are implemented in idx-dataset.ts and fashion-mnist.ts; a
 * CIFAR or image-folder loader implements the same two interfaces).
 *
 * Pixels are handed out as stored (u8 images as 0..255); the net's input transform (scale, mean:
 * transform.ts) is applied when batches are made, so one loader serves nets with different input
 * conventions and the run records which transform it used.
 */

export interface DataSplit {
  /** Number of items. */
  readonly count: number;
  /** Shape of one image, without the batch axis: [channels, height, width] (or any shape). */
  readonly imageShape: readonly number[];
  /** Copies the stored pixel values of item `i` into `out` from `offset` (imageSize values). */
  readImage(i: number, out: Float32Array, offset: number): void;
  /** The class label of item `i`: a whole number >= 0. */
  label(i: number): number;
}

export interface Dataset {
  /** Short name for messages and the run record: `fashion-mnist`, or the folder given. */
  readonly name: string;
  /** Where it was read from (a folder), for the run record. */
  readonly source: string;
  /**
   * The element type the pixels were stored in (`u8` for MNIST-style files): it decides the
   * default input scale (1/255 for u8, else 1).
   */
  readonly pixelType: string;
  readonly train: DataSplit;
  readonly test: DataSplit;
  /** Number of classes when the data set knows it (the largest label + 1 otherwise). */
  readonly classes: number;
}

/** One image as a fresh array, with its label (convenience for callers that want items one by one). */
export function getItem(split: DataSplit, i: number): { image: Float32Array; label: number } {
  const image = new Float32Array(imageSizeOf(split));
  split.readImage(i, image, 0);
  return { image, label: split.label(i) };
}

export function imageSizeOf(split: DataSplit): number {
  return split.imageShape.reduce((a, b) => a * b, 1);
}

/** A split restricted to its first `limit` items (`--limit-train`, `--limit-test`). */
export function limitSplit(split: DataSplit, limit: number | undefined): DataSplit {
  if (limit === undefined || limit >= split.count) return split;
  const count = Math.max(0, Math.floor(limit));
  return {
    count,
    imageShape: split.imageShape,
    readImage: (i, out, offset) => split.readImage(i, out, offset),
    label: (i) => split.label(i),
  };
}

/**
 * A batch as the backends take it: `size` items (the net's batch), of which the first `valid`
 * are real; a test set whose size is not a multiple of the batch fills the last batch's tail by
 * repeating items from the start, and only the valid rows count towards accuracy and statistics.
 */
export interface DataBatch {
  /** size * imageSize transformed input values (f32), item after item. */
  images: Float32Array;
  /** size class labels. */
  labels: Int32Array;
  size: number;
  valid: number;
}
