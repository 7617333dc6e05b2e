import { readFileSync } from 'node:fs';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import { RUNTIME_CODES } from '../codes.js';

/**
 * Reads a whole file as bytes, or explains why it cannot (missing, a folder, no permission).
 * `shown` is the name messages use (the path as the user wrote it).
 */
export function readBytes(path: string, what: string, shown = path): { bytes: Uint8Array } | { diagnostic: Diagnostic } {
  try {
    const buf = readFileSync(path);
    return { bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : code === 'EACCES' ? 'permission denied' : e instanceof Error ? e.message : String(e);
    return {
      diagnostic: error(RUNTIME_CODES.FILE_READ, `cannot read ${what} '${shown}': ${reason}`, undefined, {
        hint: 'check the path (relative paths start at the current folder) and the file\'s permissions',
      }),
    };
  }
}
