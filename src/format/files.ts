import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * File handling for `lpc fmt`: finding .lpnet files under a folder, and replacing a file without
 * ever leaving it half written.
 */

/** Installed packages are not the user's nets; hidden folders (.git, ...) are skipped too. */
const skippedFolders = new Set(['node_modules']);

/** Every `*.lpnet` file under `dir`, recursively, sorted by path so output order is stable. */
export async function findLpnetFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    const entries = await readdir(folder, { withFileTypes: true });
    for (const e of entries) {
      const full = join(folder, e.name);
      if (e.isDirectory()) {
        if (!skippedFolders.has(e.name) && !e.name.startsWith('.')) await walk(full);
      } else if (e.isFile() && e.name.endsWith('.lpnet')) {
        found.push(full);
      }
    }
  };
  await walk(dir);
  return found.sort();
}

/**
 * Replaces `path` with `text` atomically: the text goes to a temporary file in the same folder
 * (same file system, so the rename is atomic) which then takes the original's place. The
 * original's permission bits are kept. On failure the temporary file is removed and the original
 * is untouched.
 */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  const { mode } = await stat(path);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temp, text, { encoding: 'utf8', mode: mode & 0o777, flag: 'wx' });
    await rename(temp, path);
  } catch (e) {
    await rm(temp, { force: true });
    throw e;
  }
}
