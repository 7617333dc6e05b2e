import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import { TRAIN_CODES } from './codes.js';

/**
 * Writes a file so that it survives a crash or a power cut whole or not at all: the bytes go to a
 * temporary file in the same folder, which is flushed to the disk (fsync) and renamed over the
 * target (atomic on one file system); then the folder itself is flushed, so the rename is on the
 * disk too. Checkpoints rely on it: a killed `lpc train` leaves either the previous checkpoint or
 * the new one. (runtime/io/atomic-write.ts is the same without the flushes, for files that
 * matter less.)
 */
export function writeFileDurable(path: string, data: Uint8Array | string): Diagnostic | undefined {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  try {
    const fd = openSync(temp, 'w');
    try {
      let at = 0;
      while (at < bytes.length) at += writeSync(fd, bytes, at, bytes.length - at);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    syncFolder(dirname(path));
    return undefined;
  } catch (e) {
    rmSync(temp, { force: true });
    const reason = e instanceof Error ? e.message : String(e);
    return error(TRAIN_CODES.RUN_FOLDER_WRITE, `cannot write '${path}': ${reason}`, undefined, {
      hint: 'check that the folder is writable and that the disk is not full',
    });
  }
}

/** Flushes a folder's entries to the disk, where the platform allows it (not on Windows). */
export function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms and file systems cannot fsync a folder; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
