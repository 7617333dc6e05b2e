import type { SourceHost } from '../parser/module-loader.js';

/**
 * Normalises a `/`-separated path: drops `.` segments and resolves `..` against earlier ones
 * (leading `..` of a relative path are kept). Written here rather than taken from node:path so
 * that checking in-memory sources also works outside Node (browser playgrounds, tests).
 */
export function normalizePath(path: string): string {
  const absolute = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (part !== '..' || !absolute) out.push(part);
  }
  const joined = out.join('/');
  return absolute ? `/${joined}` : joined === '' ? '.' : joined;
}

/** Source files held in memory, keyed by normalised path; imports resolve against the importer's folder. */
export function memoryHost(files: Record<string, string> | ReadonlyMap<string, string>): SourceHost {
  const map = new Map<string, string>();
  const entries = files instanceof Map ? [...files.entries()] : Object.entries(files as Record<string, string>);
  for (const [path, text] of entries) map.set(normalizePath(path), text);
  return {
    readFile: (path) => map.get(normalizePath(path)),
    resolve: (fromFile, spec) => {
      if (spec.startsWith('/')) return normalizePath(spec);
      const cut = fromFile.lastIndexOf('/');
      return normalizePath(cut < 0 ? spec : `${fromFile.slice(0, cut)}/${spec}`);
    },
  };
}
