import { error } from '../../../diag/diagnostic.js';
import type { writeFileAtomic as nodeWriteFileAtomic } from '../../io/atomic-write.js';
import { RUNTIME_CODES } from '../../codes.js';

/** Browser stand-in for src/runtime/io/atomic-write.ts: a page cannot write files by path. */
export const writeFileAtomic: typeof nodeWriteFileAtomic = (path) =>
  error(RUNTIME_CODES.FILE_WRITE, `cannot write the file '${path}' in a browser`, undefined, { hint: 'use the bytes (saveWeights() returns them) and offer them as a download' });
