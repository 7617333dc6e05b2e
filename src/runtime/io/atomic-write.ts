import { randomBytes } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import { RUNTIME_CODES } from '../codes.js';

/**
 * Writes a file so that readers see either the old file or the whole new one, never a partial
 * one: the data goes to a temporary file in the same folder (same file system, so the rename is
 * atomic), which is then renamed over the target. Returns a diagnostic instead of throwing.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): Diagnostic | undefined {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, data);
    renameSync(temp, path);
    return undefined;
  } catch (e) {
    rmSync(temp, { force: true });
    const reason = e instanceof Error ? e.message : String(e);
    return error(RUNTIME_CODES.FILE_WRITE, `cannot write '${path}': ${reason}`, undefined, {
      hint: 'check that the folder exists and is writable, and that the disk is not full',
    });
  }
}
