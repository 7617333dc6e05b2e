import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { Diagnostic } from '../../diag/diagnostic.js';
import { renderOneLine, renderSnippet } from '../../diag/render.js';
import type { Graph } from '../../ir/graph.js';
import { checkFile } from '../../lower/front-end.js';
import type { SourceHost } from '../../parser/module-loader.js';
import { nodeSourceHost } from '../../parser/node-host.js';
import type { CliIO } from '../io.js';
import type { CommandContext, LpcCommand } from '../command.js';

/**
 * `lpc check FILE... [--net NAME] [--param name=value ...] [--format snippet|oneline]`: parses,
 * resolves and type-checks .lpnet files without compiling them. Prints every diagnostic, then one
 * summary line per file; exit code 1 if any file has an error.
 */

interface CheckCliOptions {
  net?: string;
  param: string[];
  format: 'snippet' | 'oneline';
}

/**
 * Reads files relative to the command's working directory while keeping file names as the user
 * wrote them (relative), so diagnostics say `lenet.lpnet:7:8` rather than an absolute path.
 */
function cwdHost(cwd: string): SourceHost {
  return {
    readFile: (path) => nodeSourceHost.readFile(resolve(cwd, path)),
    resolve: (fromFile, spec) => (isAbsolute(spec) ? spec : join(dirname(fromFile), spec)),
  };
}

/** `name=value` pairs; undefined (after printing why) when one is malformed. */
function parseParams(pairs: string[], io: CliIO): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      io.err(`lpc check: --param expects name=value, got \`${pair}\``);
      return undefined;
    }
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

const plural = (n: number, word: string) => `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;

function paramCount(g: Graph): number {
  let n = 0;
  for (const id of g.params) {
    const v = g.values.get(id);
    if (v) n += v.type.shape.reduce((a, b) => a * b, 1);
  }
  return n;
}

/** `lenet.lpnet: ok (1 net, 14 nodes, 431,080 parameters)` or `bad.lpnet: 2 errors, 1 warning`. */
export function summaryLine(file: string, graphs: Graph[], diagnostics: Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  const warned = warnings > 0 ? `, ${plural(warnings, 'warning')}` : '';
  if (errors > 0) return `${file}: ${plural(errors, 'error')}${warned}`;
  const nodes = graphs.reduce((a, g) => a + g.nodes.length, 0);
  const params = graphs.reduce((a, g) => a + paramCount(g), 0);
  return `${file}: ok (${plural(graphs.length, 'net')}, ${plural(nodes, 'node')}, ${plural(params, 'parameter')})${warned}`;
}

function runCheck(files: string[], opts: CheckCliOptions, io: CliIO): number {
  const params = parseParams(opts.param, io);
  if (!params) return 2;
  const host = cwdHost(io.cwd);
  let failed = false;
  for (const file of files) {
    const r = checkFile(file, host, { net: opts.net, params });
    for (const d of r.diagnostics) {
      io.err(opts.format === 'oneline' ? renderOneLine(d) : renderSnippet(d, { color: io.color, sources: r.sources }));
    }
    io.out(summaryLine(file, r.graphs, r.diagnostics));
    if (r.diagnostics.some((d) => d.severity === 'error')) failed = true;
  }
  return failed ? 1 : 0;
}

export const checkCommand: LpcCommand = {
  name: 'check',
  register(program: Command, ctx: CommandContext) {
    program
      .command('check')
      .description('check .lpnet files (names, attributes, number types, shapes) without compiling them')
      .argument('<files...>', '.lpnet files to check')
      .option('--net <name>', 'check only this net of each file')
      .option('--param <name=value>', 'set a net parameter, e.g. --param batch=32 (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
      .addOption(new Option('--format <format>', 'how diagnostics are printed').choices(['snippet', 'oneline']).default('snippet'))
      .action((files: string[], opts: CheckCliOptions) => {
        ctx.exitCode = runCheck(files, opts, ctx.io);
      });
  },
};
