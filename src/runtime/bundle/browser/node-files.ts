import type { readFileBytes as nodeReadFileBytes } from '../node-files.js';

/**
 * Browser stand-in for ../node-files.ts (package.json `browser` field, `lpc bundle --browser`): a
 * page has no file system, so a path is a mistake the caller hears about.
 */
export const readFileBytes: typeof nodeReadFileBytes = async (path) => {
  throw new Error(`cannot read the file '${String(path)}' in a browser: pass a URL the page can fetch, or the bytes`);
};
