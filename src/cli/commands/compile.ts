import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import { renderSnippet } from '../../diag/render.js';
import type { Graph } from '../../ir/graph.js';
import { printGraph } from '../../ir/print.js';
import { checkFile } from '../../lower/front-end.js';
import type { SourceHost } from '../../parser/module-loader.js';
import { nodeSourceHost } from '../../parser/node-host.js';
import { explainGraph, formatBytes, formatCount, renderExplain, renderFusion, renderMemory } from '../../passes/explain.js';
import { plannedManifest } from '../../passes/manifest.js';
import { isDefaultAttr } from '../../passes/op-info.js';
import { runPipeline, type CompileMode, type PipelineResult } from '../../passes/pipeline.js';
import { printBackwardPlan } from '../../passes/print-plan.js';
import type { CommandContext, LpcCommand } from '../command.js';
import { COMPILE_CODES } from '../compile/codes.js';
import { fileStem, writeOutputs } from '../compile/write-outputs.js';
import type { CliIO } from '../io.js';

/**
 * `lpc compile FILE [--net NAME] [--param k=v ...] [--mode inference|training]
 *  [--emit ir|ir-lowered|explain] [--explain] [-o OUT]`: runs the front end and the pass
 * pipeline on each net of FILE (or the one named by --net).
 *   --emit ir          the planned IR (docs/ir.md), plus the backward plan in training mode
 *   --emit ir-lowered  the IR as lowered, before any pass
 *   --explain          (or --emit explain) the per-layer table, the fusion report and the
 *                      memory plan peaks
 *   -o OUT             writes OUT/<net>.ir (the planned IR text) and OUT/<net>.manifest.json
 *                      (the planned graph as JSON), each atomically
 * With none of these it prints one summary line per net.
 */
interface CompileCliOptions {
  net?: string;
  param: string[];
  mode: CompileMode;
  emit?: 'ir' | 'ir-lowered' | 'explain';
  explain?: boolean;
  out?: string;
}

function cwdHost(cwd: string): SourceHost {
  return {
    readFile: (path) => nodeSourceHost.readFile(resolve(cwd, path)),
    resolve: (fromFile, spec) => (isAbsolute(spec) ? spec : join(dirname(fromFile), spec)),
  };
}

function parseParams(pairs: string[]): { params: Record<string, string> } | { diagnostic: Diagnostic } {
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || eq === pair.length - 1) {
      return {
        diagnostic: error(COMPILE_CODES.BAD_PARAM, `--param expects name=value, got \`${pair}\``, undefined, { hint: 'write --param batch=32, one option per parameter' }),
      };
    }
    params[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return { params };
}

/** The planned IR text: the graph, then the backward plan when training. */
export function plannedIrText(r: PipelineResult): string {
  const ir = printGraph(r.graph, { hideAttr: isDefaultAttr });
  return r.backward ? `${ir}${printBackwardPlan(r.backward)}` : ir;
}

function explainText(r: PipelineResult): string {
  const plans = [r.memory.inference, r.memory.training].filter((p) => p !== undefined);
  const dropout = r.removedDropout?.length ? `removed for inference (dropout is the identity there): ${r.removedDropout.join(', ')}\n` : '';
  return `${renderExplain(explainGraph(r.graph))}${dropout}${renderFusion(r.fusion)}${renderMemory(plans)}`;
}

function summaryLine(lowered: Graph, r: PipelineResult): string {
  const mem = r.memory.training ?? r.memory.inference;
  const e = explainGraph(r.graph);
  return (
    `${lowered.name} (${r.mode}): ${lowered.nodes.length} nodes lowered, ${r.graph.nodes.length} planned; ` +
    `${formatCount(e.totals.params)} parameters (${formatBytes(e.totals.paramBytes)} stored); ` +
    `peak memory ${formatBytes(mem?.peakBytes ?? 0)}`
  );
}

function compile(file: string, opts: CompileCliOptions, io: CliIO): number {
  const print = (ds: readonly Diagnostic[], sources?: Map<string, string>) => {
    for (const d of ds) io.err(renderSnippet(d, { color: io.color, sources }));
  };
  const parsed = parseParams(opts.param);
  if ('diagnostic' in parsed) {
    print([parsed.diagnostic]);
    return 2;
  }
  const checked = checkFile(file, cwdHost(io.cwd), { net: opts.net, params: parsed.params });
  print(checked.diagnostics, checked.sources);
  if (checked.diagnostics.some((d) => d.severity === 'error')) return 1;
  if (checked.graphs.length === 0) {
    print([error(COMPILE_CODES.NO_NET, `${file} defines no net`, undefined, { hint: 'compile the file with the `net NAME(...) { ... }` section' })]);
    return 1;
  }

  let failed = false;
  for (const lowered of checked.graphs) {
    if (opts.emit === 'ir-lowered') io.out(printGraph(lowered, { hideAttr: isDefaultAttr }));
    const r = runPipeline(lowered, { mode: opts.mode });
    print(r.diagnostics, checked.sources);
    if (!r.ok) {
      failed = true;
      continue;
    }
    if (opts.emit === 'ir') io.out(plannedIrText(r));
    if (opts.emit === 'explain' || opts.explain) io.out(explainText(r));
    if (opts.out !== undefined) {
      const stem = fileStem(lowered.name);
      const w = writeOutputs(resolve(io.cwd, opts.out), {
        [`${stem}.ir`]: plannedIrText(r),
        [`${stem}.manifest.json`]: `${JSON.stringify(plannedManifest(r), null, 2)}\n`,
      });
      if ('diagnostic' in w) {
        print([w.diagnostic]);
        return 1;
      }
      io.err(`wrote ${[`${stem}.ir`, `${stem}.manifest.json`].map((f) => join(opts.out!, f)).join(', ')}`);
    }
    if (opts.emit === undefined && !opts.explain && opts.out === undefined) io.out(summaryLine(lowered, r));
  }
  return failed ? 1 : 0;
}

export const compileCommand: LpcCommand = {
  name: 'compile',
  register(program: Command, ctx: CommandContext) {
    program
      .command('compile')
      .description('compile a net through the passes; print its planned IR, an explanation, or write them to a folder')
      .argument('<file>', 'the .lpnet file')
      .option('--net <name>', 'compile only this net of the file')
      .option('--param <name=value>', 'set a net parameter, e.g. --param batch=32 (repeatable)', (v: string, acc: string[]) => [...acc, v], [])
      .addOption(new Option('--mode <mode>', 'what the net is compiled for').choices(['inference', 'training']).default('inference'))
      .addOption(new Option('--emit <what>', 'print the planned IR, the IR before the passes, or the explanation').choices(['ir', 'ir-lowered', 'explain']))
      .option('--explain', 'print per-layer shapes, types, accumulators, parameters and MACs, the fusion report and memory peaks')
      .option('-o, --out <dir>', 'write <net>.ir and <net>.manifest.json into this folder')
      .action((file: string, opts: CompileCliOptions) => {
        ctx.exitCode = compile(file, opts, ctx.io);
      });
  },
};
