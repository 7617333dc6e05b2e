import type { CodeTable } from '../../diag/codes.js';

/**
 * Diagnostic codes of data sets for training and evaluation (LPC3100-3119, inside the runtime's
 * range LPC3000-3999; input files for `lpc run` are LPC3040-3059 in ../codes.ts).
 */
export const DATASET_CODES = {
  NOT_INSTALLED: 'LPC3100',
  FOLDER_MISSING: 'LPC3101',
  FILE_MISSING: 'LPC3102',
  BAD_FILES: 'LPC3103',
  TOO_SMALL: 'LPC3104',
  BAD_LABEL: 'LPC3105',
} as const;

const C = DATASET_CODES;

export const datasetCodes: CodeTable = {
  [C.NOT_INSTALLED]: {
    summary: 'the Fashion-MNIST data set is not installed',
    fix: 'install it with `apt-get install dataset-fashion-mnist` (or `bash scripts/install-system.sh`), or pass --data DIR with the four MNIST-format IDX files',
  },
  [C.FOLDER_MISSING]: {
    summary: '--data names neither a known data set nor an existing folder',
    fix: 'pass --data fashion-mnist, or the path of a folder holding train-images, train-labels, t10k-images and t10k-labels IDX files',
  },
  [C.FILE_MISSING]: {
    summary: 'the data folder lacks one of the four MNIST-format files',
    fix: 'a data folder holds train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each may be gzipped, .gz)',
  },
  [C.BAD_FILES]: {
    summary: 'the data files do not fit together (image and label counts differ, or an image file has fewer than 2 dimensions)',
    fix: 'use the images and labels of one distribution; labels are one number per image',
  },
  [C.TOO_SMALL]: {
    summary: 'a data split has fewer items than one batch',
    fix: 'lower the batch (--batch N), or raise --limit-train / --limit-test',
  },
  [C.BAD_LABEL]: {
    summary: 'a label of the data is not a class of the net (negative, fractional, or not below the number of classes)',
    fix: 'labels must be whole numbers from 0 to classes-1; check the label files and the net\'s class count',
  },
};
