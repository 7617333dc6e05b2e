import { dirname, isAbsolute, join, resolve } from 'node:path';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import { renderSnippet } from '../../diag/render.js';
import type { Graph } from '../../ir/graph.js';
import { checkFile } from '../../lower/front-end.js';
import type { SourceHost } from '../../parser/module-loader.js';
import { nodeSourceHost } from '../../parser/node-host.js';
import { RUNTIME_CODES } from '../../runtime/codes.js';
import type { CliIO } from '../io.js';

/**
 * What `run` and `init-weights` share: reading a .lpnet file relative to the command's working
 * folder, lowering one net of it, and printing diagnostics with source snippets.
 */

export interface Reporter {
  io: CliIO;
  sources: Map<string, string>;
}

export function printDiagnostics(r: Reporter, diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) r.io.err(renderSnippet(d, { color: r.io.color, sources: r.sources }));
}

export const hasErrors = (ds: readonly Diagnostic[]) => ds.some((d) => d.severity === 'error');

/** Reads files relative to the command's folder, keeping the names as the user wrote them. */
function cwdHost(cwd: string): SourceHost {
  return {
    readFile: (path) => nodeSourceHost.readFile(resolve(cwd, path)),
    resolve: (fromFile, spec) => (isAbsolute(spec) ? spec : join(dirname(fromFile), spec)),
  };
}

/** `name=value` options (`--param`, `--input`) as pairs, or a diagnostic for the first malformed one. */
export function parsePairs(pairs: readonly string[], option: string, code: string): { pairs: [string, string][] } | { diagnostic: Diagnostic } {
  const out: [string, string][] = [];
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) {
      return {
        diagnostic: error(code, `${option} expects name=value, got \`${pair}\``, undefined, {
          hint: option === '--input' ? 'write --input image=images.idx, one option per input' : 'write --param batch=1, one option per parameter',
        }),
      };
    }
    out.push([pair.slice(0, eq).trim(), pair.slice(eq + 1).trim()]);
  }
  return { pairs: out };
}

/**
 * Lowers the net to run from `file`: the one named by `net`, or the file's only net. Prints
 * diagnostics and returns undefined when there is none to run.
 */
export function loadNet(file: string, opts: { net?: string; param: string[] }, io: CliIO): { graph: Graph; reporter: Reporter } | undefined {
  const reporter: Reporter = { io, sources: new Map() };
  const params = parsePairs(opts.param, '--param', RUNTIME_CODES.RUN_BAD_PARAM);
  if ('diagnostic' in params) {
    printDiagnostics(reporter, [params.diagnostic]);
    return undefined;
  }
  const r = checkFile(file, cwdHost(io.cwd), { net: opts.net, params: Object.fromEntries(params.pairs) });
  reporter.sources = r.sources;
  printDiagnostics(reporter, r.diagnostics);
  if (hasErrors(r.diagnostics)) return undefined;
  if (r.graphs.length === 1) return { graph: r.graphs[0], reporter };
  const names = r.graphs.map((g) => g.name);
  printDiagnostics(reporter, [
    error(
      RUNTIME_CODES.RUN_NO_NET,
      r.graphs.length === 0 ? `${file} defines no net` : `${file} defines ${r.graphs.length} nets (${names.join(', ')}); which one?`,
      undefined,
      { hint: r.graphs.length === 0 ? 'a runnable file has a `net NAME(...) { ... }` section' : `choose one with --net ${names[0]}` },
    ),
  ]);
  return undefined;
}

/** A path given on the command line, resolved against the command's folder. */
export function fromCwd(io: CliIO, path: string): string {
  return resolve(io.cwd, path);
}
