import { error, type Diagnostic } from '../diag/diagnostic.js';
import type { ImportDecl, Program } from './ast.js';
import { parseProgram } from './parse.js';

/** Where source files come from: the file system (node-host.ts) or memory (tests, browser). */
export interface SourceHost {
  /** The file's text, or undefined when it does not exist or cannot be read. */
  readFile(path: string): string | undefined;
  /** The path an `import "spec"` in `fromFile` names (relative to that file's folder). */
  resolve(fromFile: string, spec: string): string;
}

export interface LoadedModules {
  /** Every file reached from the entry, parsed once, keyed by resolved path. */
  modules: Map<string, Program>;
  /** Resolved paths with each file after all the files it imports (the entry file last). */
  order: string[];
  /** Source text per resolved path, for snippet rendering. */
  sources: Map<string, string>;
  /** Parse diagnostics of every file, then missing files (LPC1101) and cycles (LPC1102). */
  diagnostics: Diagnostic[];
}

/** The folder part of a path, with its trailing separator ('' when there is none). */
function folderOf(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return cut < 0 ? '' : path.slice(0, cut + 1);
}

/**
 * Loads the entry file and everything it imports, transitively. Each file is parsed once even
 * when several files import it; a missing file is reported at the import that names it, and a
 * cycle at the import that closes it, with the whole chain spelled out. Never throws.
 */
export function loadModules(entryFile: string, host: SourceHost): LoadedModules {
  // Name the entry the way the host names imported files (`./a.lpnet` and `a.lpnet` are one
  // file), so a cycle back to the entry is seen as one, and the entry is not parsed twice.
  const entry = host.resolve(
    entryFile,
    entryFile.slice(Math.max(entryFile.lastIndexOf('/'), entryFile.lastIndexOf('\\')) + 1),
  );
  const modules = new Map<string, Program>();
  const sources = new Map<string, string>();
  const order: string[] = [];
  const diagnostics: Diagnostic[] = [];
  const done = new Set<string>();
  /** Files being loaded, outermost first: a file met again while on this stack closes a cycle. */
  const stack: string[] = [];
  const base = folderOf(entry);
  const shown = (path: string) => (base !== '' && path.startsWith(base) ? path.slice(base.length) : path);

  const reportCycle = (target: string, imp: ImportDecl): void => {
    const chain = [...stack.slice(stack.indexOf(target)), target].map(shown).join(' -> ');
    diagnostics.push(
      error('LPC1102', `import cycle: ${chain}`, imp.span, {
        hint: 'move what both files need into a third file that both import',
      }),
    );
  };

  const reportMissing = (target: string, imp: ImportDecl | undefined, from: string | undefined): void => {
    if (!imp || from === undefined) {
      diagnostics.push(error('LPC1101', `cannot read \`${entryFile}\`: the file does not exist`, undefined));
      return;
    }
    diagnostics.push(
      error('LPC1101', `imported file \`${imp.path.value}\` not found`, imp.path.span, {
        hint: `import paths are relative to the importing file; looked for \`${shown(target)}\``,
      }),
    );
  };

  const visit = (file: string, imp?: ImportDecl, from?: string): void => {
    if (done.has(file)) return;
    if (stack.includes(file)) {
      if (imp) reportCycle(file, imp);
      return;
    }
    const text = host.readFile(file);
    if (text === undefined) {
      reportMissing(file, imp, from);
      return;
    }
    const { program, diagnostics: parsed } = parseProgram(text, file);
    modules.set(file, program);
    sources.set(file, text);
    diagnostics.push(...parsed);
    stack.push(file);
    for (const item of program.items) {
      if (item.kind === 'ImportDecl') visit(host.resolve(file, item.path.value), item, file);
    }
    stack.pop();
    done.add(file);
    order.push(file);
  };

  visit(entry);
  return { modules, order, sources, diagnostics };
}
