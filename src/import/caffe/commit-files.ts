import { randomBytes } from 'node:crypto';
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { error, type Diagnostic } from '../../diag/diagnostic.js';

/**
 * Writes several output files all-or-nothing (as far as a file system allows): every file goes to
 * a temporary file beside its target first, and only when all were written are they renamed over
 * their targets. A failure before the renames removes the temporaries and leaves every target as
 * it was. Content may be a list of chunks (a caffemodel's layers) written one after another, so
 * a large model is never joined into one buffer.
 */

export interface OutputFile {
  path: string;
  content: string | Uint8Array | Uint8Array[];
}

function writeChunks(path: string, content: OutputFile['content']): void {
  const fd = openSync(path, 'w');
  try {
    const chunks = typeof content === 'string' ? [Buffer.from(content, 'utf8')] : Array.isArray(content) ? content : [content];
    for (const chunk of chunks) {
      let done = 0;
      while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done);
    }
  } finally {
    closeSync(fd);
  }
}

export function commitFiles(files: OutputFile[]): Diagnostic | undefined {
  const temps: { temp: string; path: string }[] = [];
  try {
    for (const f of files) {
      const temp = join(dirname(f.path), `.${basename(f.path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
      temps.push({ temp, path: f.path });
      writeChunks(temp, f.content);
    }
    for (const t of temps) renameSync(t.temp, t.path);
    return undefined;
  } catch (e) {
    for (const t of temps) rmSync(t.temp, { force: true });
    const why = e instanceof Error ? e.message : String(e);
    return error('LPC4401', `cannot write the output files: ${why}`, undefined, { hint: 'check that the folder exists and is writable; nothing was written' });
  }
}
