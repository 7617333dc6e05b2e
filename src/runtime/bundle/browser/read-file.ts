import { error } from '../../../diag/diagnostic.js';
import type { readBytes as nodeReadBytes } from '../../io/read-file.js';
import { RUNTIME_CODES } from '../../codes.js';

/** Browser stand-in for src/runtime/io/read-file.ts: there are no files to read by path. */
export const readBytes: typeof nodeReadBytes = (path, what, shown = path) => ({
  diagnostic: error(RUNTIME_CODES.FILE_READ, `cannot read ${what} '${shown}' in a browser`, undefined, { hint: 'fetch the file and pass its bytes' }),
});
