import type { Diagnostic } from '../diag/diagnostic.js';
import { didYouMean } from '../diag/suggest.js';
import type { Graph } from '../ir/graph.js';
import type { Program, TrainDecl } from '../parser/ast.js';
import { loadModules, type SourceHost } from '../parser/module-loader.js';
import { resolveAllAliases } from './aliases.js';
import { checkDeclarations } from './decl-checks.js';
import { lowerNet, type NetDef } from './lower-net.js';
import { memoryHost } from './memory-host.js';
import { registryOps, type OpTable } from './op-table.js';
import { checkOverrideNames, type OverrideValue } from './overrides.js';
import { ProgramIndex } from './program-index.js';
import { Reporter } from './reporter.js';

export interface CheckOptions {
  /** Lower only this net of the entry file (default: every net in it). */
  net?: string;
  /** Net parameter values replacing the defaults (`--param batch=32`), checked against their kinds. */
  params?: Record<string, OverrideValue>;
  /** Where ops are looked up (default: the op registry); for tests. */
  ops?: OpTable;
  /** Stop lowering a net past this many nodes (LPC1231; default 100000), for tools that embed the checker. */
  maxNodes?: number;
}

export interface CheckResult {
  /** One graph per lowered net, in source order; only nets that lowered without errors. */
  graphs: Graph[];
  /** Everything found: parse and import errors, then the checker's, in the order found. */
  diagnostics: Diagnostic[];
  /** Source text per file, for rendering snippets. */
  sources: Map<string, string>;
}

/**
 * The front end: loads the entry file and its imports, checks them, and lowers the entry file's
 * nets (or `opts.net`) to IR graphs. Never throws on bad input. When a file has syntax or import
 * errors nothing is lowered, since a partly parsed file mostly yields follow-on errors.
 */
export function checkFile(entryFile: string, host: SourceHost, opts: CheckOptions = {}): CheckResult {
  const report = new Reporter();
  let sources = new Map<string, string>();
  const graphs: Graph[] = [];
  try {
    const loaded = loadModules(entryFile, host);
    sources = loaded.sources;
    report.addAll(loaded.diagnostics);
    if (report.errorCount === 0) {
      const entry = loaded.modules.has(entryFile) ? entryFile : loaded.order[loaded.order.length - 1];
      // Dependencies first, so a name defined twice is reported in the importing file.
      const modules = new Map<string, Program>();
      for (const file of loaded.order) {
        const p = loaded.modules.get(file);
        if (p) modules.set(file, p);
      }
      graphs.push(...checkModules(modules, entry, host, opts, report));
    }
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    report.error('LPC1299', `internal error in the checker: ${msg}`, undefined, {
      hint: 'this is a bug in lpc, not in the net; please report it with the file that triggers it',
    });
  }
  return { graphs, diagnostics: report.items, sources };
}

/** Checks and lowers source text held in memory; `files` holds the files it imports. */
export function lowerSource(
  text: string,
  file = 'input.lpnet',
  opts: CheckOptions & { files?: Record<string, string> } = {},
): CheckResult {
  return checkFile(file, memoryHost({ ...opts.files, [file]: text }), opts);
}

function checkModules(
  modules: Map<string, Program>,
  entry: string | undefined,
  host: SourceHost,
  opts: CheckOptions,
  report: Reporter,
): Graph[] {
  const program = entry === undefined ? undefined : modules.get(entry);
  if (entry === undefined || !program) return [];
  const imports = new Map<string, string[]>();
  for (const [file, p] of modules) {
    const deps: string[] = [];
    for (const item of p.items) {
      if (item.kind !== 'ImportDecl') continue;
      const target = host.resolve(file, item.path.value);
      if (modules.has(target)) deps.push(target);
    }
    imports.set(file, deps);
  }
  const index = new ProgramIndex(modules, imports, opts.ops ?? registryOps, report);
  resolveAllAliases(index, report);
  checkDeclarations(index, report);

  const entryNets = index.netsIn(entry);
  const trains = trainSections(program, entryNets, index, report);
  let nets = entryNets;
  if (opts.net !== undefined) {
    nets = entryNets.filter((n) => n.name === opts.net);
    if (nets.length === 0) {
      const names = entryNets.map((n) => n.name);
      report.error('LPC1223', `no net \`${opts.net}\` in ${entry}`, undefined, {
        hint: didYouMean(opts.net, names) ?? (names.length > 0 ? `its nets are ${names.join(', ')}` : 'the file defines no nets'),
      });
      return [];
    }
  }
  const overrides = opts.params ?? {};
  checkOverrideNames(overrides, nets.map((n) => n.decl), report);
  const graphs: Graph[] = [];
  for (const net of nets) {
    const g = lowerNet(net, index, report, overrides, trains.get(net.name), opts.maxNodes);
    if (g) graphs.push(g);
  }
  return graphs;
}

/** The entry file's `train` sections by net name (LPC1500 unknown net, LPC1502 two for one net). */
function trainSections(program: Program, nets: NetDef[], index: ProgramIndex, report: Reporter): Map<string, TrainDecl> {
  const out = new Map<string, TrainDecl>();
  for (const item of program.items) {
    if (item.kind !== 'TrainDecl') continue;
    const name = item.net.name;
    if (!nets.some((n) => n.name === name)) {
      const elsewhere = index.lookupAnywhere(name);
      report.error('LPC1500', `no net \`${name}\` in this file to train`, item.net.span, {
        hint:
          elsewhere?.kind === 'net'
            ? `net \`${name}\` is defined in ${elsewhere.file}; put its train section in that file`
            : (didYouMean(name, nets.map((n) => n.name)) ?? 'a train section names a net defined in the same file'),
      });
      continue;
    }
    const first = out.get(name);
    if (first) {
      report.error('LPC1502', `net \`${name}\` has two train sections`, item.net.span, {
        notes: [{ message: 'first train section', span: first.span }],
      });
      continue;
    }
    out.set(name, item);
  }
  return out;
}
