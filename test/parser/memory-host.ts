import type { SourceHost } from '../../src/parser/module-loader.js';

/** An in-memory SourceHost: POSIX-style paths, imports relative to the importing file's folder. */
export function memoryHost(files: Record<string, string>): SourceHost & { reads: string[] } {
  const reads: string[] = [];
  const normalize = (path: string): string => {
    const out: string[] = [];
    for (const part of path.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') out.pop();
      else out.push(part);
    }
    return out.join('/');
  };
  return {
    reads,
    readFile(path) {
      reads.push(path);
      return files[path];
    },
    resolve(fromFile, spec) {
      const folder = fromFile.includes('/') ? fromFile.slice(0, fromFile.lastIndexOf('/') + 1) : '';
      return normalize(folder + spec);
    },
  };
}
