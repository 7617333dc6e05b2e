/**
 * The bundle runtime's only file access: reading a weights file by path in Node. Loaded with a
 * dynamic import, and replaced by browser/node-files.ts in browser bundles (package.json's
 * `browser` field and `lpc bundle --browser`), so no browser build ever sees `node:` imports.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export async function readFileBytes(path: string | URL): Promise<Uint8Array> {
  const buf = await readFile(typeof path === 'string' ? path : fileURLToPath(path));
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}
