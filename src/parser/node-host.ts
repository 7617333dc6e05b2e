import { readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { SourceHost } from './module-loader.js';

/**
 * Reads sources from the file system. Import paths resolve against the importing file's folder
 * with `join`, which normalizes (`./`, `..`) but keeps a relative entry path relative, so
 * diagnostics show `examples/lenet.lpnet:3:4` rather than an absolute path.
 */
export const nodeSourceHost: SourceHost = {
  readFile(path: string): string | undefined {
    try {
      if (!statSync(path).isFile()) return undefined;
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  },
  resolve(fromFile: string, spec: string): string {
    return join(dirname(fromFile), spec);
  },
};
