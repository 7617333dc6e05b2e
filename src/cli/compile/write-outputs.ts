import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import { writeFileAtomic } from '../../runtime/io/atomic-write.js';
import { COMPILE_CODES } from './codes.js';

/** A net name as a file name: anything but letters, digits, `_`, `-` and `.` becomes `_`. */
export function fileStem(net: string): string {
  return net.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/**
 * Writes `files` (name -> text) into `dir`, creating it when needed. Each file is written to a
 * temporary name and renamed (writeFileAtomic), so a reader never sees half a file. Returns the
 * paths written, or the first failure as a diagnostic.
 */
export function writeOutputs(dir: string, files: Record<string, string>): { written: string[] } | { diagnostic: Diagnostic } {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    return { diagnostic: error(COMPILE_CODES.WRITE_FAILED, `cannot create the output folder '${dir}': ${reason}`, undefined, { hint: '-o names a folder; check the path and its permissions' }) };
  }
  const written: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    const path = join(dir, name);
    const d = writeFileAtomic(path, text);
    if (d) return { diagnostic: error(COMPILE_CODES.WRITE_FAILED, d.message, undefined, { hint: d.hint }) };
    written.push(path);
  }
  return { written };
}
