import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import { readBytes } from '../io/read-file.js';
import { DATASET_CODES } from './dataset-codes.js';
import type { DataSplit, Dataset } from './dataset.js';
import { IDX_TYPE_CODES, decodeIdx, gunzipBytes, isGzip, type IdxElementType } from './idx.js';

/**
 * A data set from a folder of MNIST-format IDX files, the layout of MNIST, Fashion-MNIST and
 * their many cousins: `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
 * `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each possibly gzipped (`.gz`).
 *
 * u8 images (the common case: 60000 x 28 x 28) are kept as the inflated bytes, not widened to
 * f64, so Fashion-MNIST costs its 55 MB and not eight times that; other element types go through
 * the general IDX decoder (idx.ts), which also produces every diagnostic for a damaged file.
 */

export type IdxRole = 'trainImages' | 'trainLabels' | 'testImages' | 'testLabels';

export const IDX_ROLE_FILES: Record<IdxRole, string> = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/** An IDX array: its dimensions and its elements, compact. */
export interface IdxArray {
  elementType: IdxElementType;
  dims: number[];
  /** u8 elements as bytes, anything else as f32 (every IDX image type fits f32 well enough for pixels). */
  data: Uint8Array | Float32Array | Float64Array;
}

/**
 * Which file of `names` plays `role`: the standard name, unpacked preferred over `.gz`; also
 * accepts `test-` for `t10k-` and `.` for the last `-` (`train-images.idx3-ubyte`), spellings
 * found in the wild.
 */
export function pickRoleFile(names: readonly string[], role: IdxRole): string | undefined {
  const [split, kind] = role === 'trainImages' ? ['train', 'images'] : role === 'trainLabels' ? ['train', 'labels'] : role === 'testImages' ? ['(?:t10k|test)', 'images'] : ['(?:t10k|test)', 'labels'];
  const pattern = new RegExp(`^${split}-${kind}[-.]idx\\d[-.]ubyte(\\.gz)?$`, 'i');
  const matches = names.filter((n) => pattern.test(n));
  return matches.find((n) => !/\.gz$/i.test(n)) ?? matches[0];
}

/** Fast path for a well-formed u8 IDX file: a view of the bytes. Undefined for anything else. */
function viewU8(bytes: Uint8Array): IdxArray | undefined {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0 || IDX_TYPE_CODES[bytes[2]] !== 'u8' || bytes[3] === 0) return undefined;
  const rank = bytes[3];
  const header = 4 + 4 * rank;
  if (bytes.length < header) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i, false));
  const count = dims.reduce((a, b) => a * b, 1);
  if (bytes.length !== header + count) return undefined;
  return { elementType: 'u8', dims, data: bytes.subarray(header) };
}

/** Reads an IDX file (gzipped or not) compactly; `shown` is the name messages use. */
export function readIdxArray(path: string, shown = path): { array?: IdxArray; diagnostics: Diagnostic[] } {
  const r = readBytes(path, 'the data file', shown);
  if ('diagnostic' in r) return { diagnostics: [r.diagnostic] };
  let bytes = r.bytes;
  if (isGzip(bytes)) {
    const z = gunzipBytes(bytes, shown);
    if ('diagnostic' in z) return { diagnostics: [z.diagnostic] };
    bytes = z.bytes;
  }
  const fast = viewU8(bytes);
  if (fast) return { array: fast, diagnostics: [] };
  const decoded = decodeIdx(bytes, shown);
  if (!decoded.idx) return { diagnostics: decoded.diagnostics };
  const { elementType, dims, data } = decoded.idx;
  return { array: { elementType, dims, data: elementType === 'f64' ? data : Float32Array.from(data) }, diagnostics: [] };
}

function badFiles(message: string, hint: string): Diagnostic {
  return error(DATASET_CODES.BAD_FILES, message, undefined, { hint });
}

/** A split over an images array [N, ...] and a labels array [N] (or [N, 1]). */
export function idxSplit(images: IdxArray, labels: IdxArray, what: string): { split?: DataSplit; diagnostics: Diagnostic[] } {
  const n = images.dims[0];
  if (images.dims.length < 2) {
    return { diagnostics: [badFiles(`${what}: the image file has dimensions [${images.dims.join(', ')}]; images need at least [count, size]`, 'pass an IDX image file such as train-images-idx3-ubyte')] };
  }
  const labelCount = labels.dims[0];
  const perLabel = labels.dims.slice(1).reduce((a, b) => a * b, 1);
  if (labelCount !== n || perLabel !== 1) {
    return {
      diagnostics: [
        badFiles(
          `${what}: ${n} images but the label file has dimensions [${labels.dims.join(', ')}] (one label per image is needed)`,
          'use the image and label files of the same distribution',
        ),
      ],
    };
  }
  for (let i = 0; i < labelCount; i++) {
    const y = labels.data[i];
    if (!Number.isInteger(y) || y < 0) {
      return {
        diagnostics: [
          error(DATASET_CODES.BAD_LABEL, `${what}: label ${i} is ${y}; labels are class indices (whole numbers >= 0)`, undefined, {
            hint: 'check that the label file is an MNIST-format label file',
          }),
        ],
      };
    }
  }
  // [N, H, W] images are single-channel: [1, H, W], as an NCHW net input expects.
  const imageShape = images.dims.length === 3 ? [1, images.dims[1], images.dims[2]] : images.dims.slice(1);
  const size = imageShape.reduce((a, b) => a * b, 1);
  const pixels = images.data;
  const labelData = labels.data;
  return {
    split: {
      count: n,
      imageShape,
      readImage: (i, out, offset) => out.set(pixels.subarray(i * size, (i + 1) * size), offset),
      label: (i) => labelData[i],
    },
    diagnostics: [],
  };
}

/** The four files of a data folder, or a diagnostic naming what is missing. */
export function findIdxFiles(dir: string, shown = dir): { files?: Record<IdxRole, string>; diagnostics: Diagnostic[] } {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'it is a file, not a folder' : e instanceof Error ? e.message : String(e);
    return {
      diagnostics: [
        error(DATASET_CODES.FOLDER_MISSING, `cannot read the data folder '${shown}': ${reason}`, undefined, {
          hint: 'pass --data fashion-mnist, or a folder with train-images, train-labels, t10k-images and t10k-labels IDX files',
        }),
      ],
    };
  }
  const files = {} as Record<IdxRole, string>;
  const missing: string[] = [];
  for (const role of Object.keys(IDX_ROLE_FILES) as IdxRole[]) {
    const name = pickRoleFile(names, role);
    if (name) files[role] = join(dir, name);
    else missing.push(IDX_ROLE_FILES[role]);
  }
  if (missing.length > 0) {
    return {
      diagnostics: [
        error(DATASET_CODES.FILE_MISSING, `the data folder '${shown}' has no ${missing.join(', ')} (gzipped or not)`, undefined, {
          hint: 'a data folder holds the four MNIST-format files: train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte (each may end in .gz)',
        }),
      ],
    };
  }
  return { files, diagnostics: [] };
}

/** Loads a data set from a folder of four IDX files. */
export function loadIdxDataset(dir: string, name: string, shown = dir): { dataset?: Dataset; diagnostics: Diagnostic[] } {
  const found = findIdxFiles(dir, shown);
  if (!found.files) return { diagnostics: found.diagnostics };
  const arrays = {} as Record<IdxRole, IdxArray>;
  const diagnostics: Diagnostic[] = [];
  for (const role of Object.keys(IDX_ROLE_FILES) as IdxRole[]) {
    const path = found.files[role];
    const r = readIdxArray(path, path.startsWith(dir) ? join(shown, path.slice(dir.length + 1)) : path);
    diagnostics.push(...r.diagnostics);
    if (r.array) arrays[role] = r.array;
  }
  if (diagnostics.length > 0) return { diagnostics };
  const train = idxSplit(arrays.trainImages, arrays.trainLabels, `${shown} (training split)`);
  const test = idxSplit(arrays.testImages, arrays.testLabels, `${shown} (test split)`);
  diagnostics.push(...train.diagnostics, ...test.diagnostics);
  if (!train.split || !test.split) return { diagnostics };
  if (train.split.imageShape.join('x') !== test.split.imageShape.join('x')) {
    return {
      diagnostics: [
        badFiles(
          `${shown}: training images are [${train.split.imageShape.join(', ')}] but test images are [${test.split.imageShape.join(', ')}]`,
          'use the training and test files of the same distribution',
        ),
      ],
    };
  }
  let maxLabel = 0;
  for (const s of [train.split, test.split]) for (let i = 0; i < s.count; i++) maxLabel = Math.max(maxLabel, s.label(i));
  return {
    dataset: { name, source: dir, pixelType: arrays.trainImages.elementType, train: train.split, test: test.split, classes: maxLabel + 1 },
    diagnostics: [],
  };
}

/** Whether `path` is an existing folder. */
export function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
