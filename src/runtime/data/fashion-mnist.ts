import { resolve } from 'node:path';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import { didYouMean } from '../../diag/suggest.js';
import { DATASET_CODES } from './dataset-codes.js';
import type { Dataset } from './dataset.js';
import { findIdxFiles, isFolder, loadIdxDataset } from './idx-dataset.js';

/**
 * Named data sets for `--data NAME`, and folders for `--data DIR`.
 *
 * Fashion-MNIST (Zalando's 70000 28x28 grey images of clothes in 10 classes, a drop-in for MNIST)
 * is packaged by Debian as `dataset-fashion-mnist`, which installs the four original gzipped IDX
 * files into /usr/share/datasets/fashion-mnist/ (train-images-idx3-ubyte.gz, ...). Nothing is
 * downloaded at run time: a missing package is a diagnostic saying how to install it.
 */

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** The data sets `--data` knows by name, and where each is installed. */
export const NAMED_DATASETS: Record<string, { dir: string; install: string }> = {
  'fashion-mnist': {
    dir: FASHION_MNIST_DIR,
    install: '`apt-get install dataset-fashion-mnist` (as root), or `bash scripts/install-system.sh` from the lpc folder',
  },
};

export interface DatasetLookup {
  /** The folder relative paths start from. */
  cwd: string;
  /** Where named data sets live, replacing NAMED_DATASETS' folders (tests point it at a fake install). */
  namedDirs?: Record<string, string>;
}

/** Loads the data set that `--data` names: a known name, or a folder of four IDX files. */
export function openDataset(spec: string, lookup: DatasetLookup): { dataset?: Dataset; diagnostics: Diagnostic[] } {
  const named = NAMED_DATASETS[spec];
  if (named) {
    const dir = lookup.namedDirs?.[spec] ?? named.dir;
    const found = findIdxFiles(dir);
    if (!found.files) {
      return {
        diagnostics: [
          error(DATASET_CODES.NOT_INSTALLED, `the ${spec} data set is not installed (looked in ${dir})`, undefined, {
            hint: `install it with ${named.install}; or pass --data DIR, a folder with the four MNIST-format IDX files`,
            notes: found.diagnostics.map((d) => ({ message: d.message })),
          }),
        ],
      };
    }
    return loadIdxDataset(dir, spec);
  }
  const dir = resolve(lookup.cwd, spec);
  if (!isFolder(dir)) {
    const guess = didYouMean(spec, Object.keys(NAMED_DATASETS));
    return {
      diagnostics: [
        error(DATASET_CODES.FOLDER_MISSING, `--data ${spec}: not a known data set and not a folder`, undefined, {
          hint: guess ?? `the known data sets are ${Object.keys(NAMED_DATASETS).join(', ')}; otherwise pass a folder with the four MNIST-format IDX files`,
        }),
      ],
    };
  }
  return loadIdxDataset(dir, spec, spec);
}
