import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import { COMPILE_CODES } from './codes.js';

/** A net name as a file name: anything but letters, digits, `_`, `-` and `.` becomes `_`. */
export function fileStem(net: string): string {
  return net.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/**
 * Writes a whole folder `parent/name` so that a reader sees either the old folder or the complete
 * new one: every file goes into a temporary folder beside it (same file system), which is then
 * renamed into place. An existing folder of that name is first renamed aside and removed after
 * the new one is in place, so a failure at any point leaves one complete folder (or, if the very
 * last rename fails, the old one under its temporary name and a diagnostic saying so).
 */
export function writeFolderAtomic(parent: string, name: string, files: Record<string, string | Uint8Array>): { path: string } | { diagnostic: Diagnostic } {
  const target = join(parent, name);
  const tag = `${process.pid}.${randomBytes(4).toString('hex')}`;
  const temp = join(parent, `.${name}.${tag}.tmp`);
  const old = join(parent, `.${name}.${tag}.old`);
  const fail = (what: string, e: unknown) => {
    removeQuietly(temp);
    const reason = e instanceof Error ? e.message : String(e);
    return { diagnostic: error(COMPILE_CODES.WRITE_FAILED, `${what}: ${reason}`, undefined, { hint: '-o names a folder; check the path, its permissions and the free space' }) };
  };
  try {
    mkdirSync(parent, { recursive: true });
    if (!statSync(parent).isDirectory()) throw new Error('not a folder');
  } catch (e) {
    return fail(`cannot create the output folder '${parent}'`, e);
  }
  try {
    for (const [rel, text] of Object.entries(files)) {
      const path = join(temp, rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
    }
  } catch (e) {
    return fail(`cannot write into '${parent}'`, e);
  }
  let movedAside = false;
  try {
    if (existsSync(target)) {
      renameSync(target, old);
      movedAside = true;
    }
    renameSync(temp, target);
  } catch (e) {
    if (movedAside && !existsSync(target)) {
      try {
        renameSync(old, target);
        movedAside = false;
      } catch {
        // the old folder stays under its temporary name; the message below says where
      }
    }
    const d = fail(`cannot put '${target}' in place`, e);
    if (movedAside) d.diagnostic.notes.push({ message: `the previous contents are in '${old}'` });
    return d;
  }
  if (movedAside) removeQuietly(old);
  return { path: target };
}

/** Removes a folder if it can; a path under a file (ENOTDIR) or one already gone is no error. */
function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // nothing was written there, or it cannot be: the diagnostic already says what failed
  }
}
