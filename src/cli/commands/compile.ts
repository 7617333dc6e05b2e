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
import { isDefaultAttr } from '../../passes/op-info.js';
import { runPipeline, type CompileMode, type PipelineResult } from '../../passes/pipeline.js';
import { printBackwardPlan } from '../../passes/print-plan.js';
import type { CommandContext, LpcCommand } from '../command.js';
import { COMPILE_CODES } from '../compile/codes.js';
import { bundleFiles } from '../compile/wgsl-bundle.js';
import { fileStem, writeFolderAtomic } from '../compile/write-folder.js';
import type { CliIO } from '../io.js';
import { tsBundleFiles, type TsBundleOutput } from '../compile/ts-bundle.js';
import type { Tensor } from '../../numeric/tensor.js';
import { loadWeightsFile } from '../../runtime/weights/match-weights.js';
import { PORTABLE_WGSL, type WgslCapabilities } from '../../codegen/wgsl/lib/capabilities.js';
import { tryAcquireDevice } from '../../runtime/webgpu/device.js';
import type { AdapterIdentity } from '../../runtime/webgpu/capabilities.js';
import { DEFAULT_TUNE_CACHE } from '../../runtime/webgpu/tune/cache.js';
import { tunedConfigs, type TunedConfigs } from '../../runtime/webgpu/tune/config-for.js';

/**
 * `lpc compile FILE [--net NAME] [--param k=v ...] [--mode inference|training]
 *  [--emit ir|ir-lowered|explain] [--explain] [-o OUT]`: runs the front end and the pass
 * pipeline on each net of FILE (or the one named by --net).
 *   --emit ir          the planned IR (docs/ir.md), plus the backward plan in training mode
 *   --emit ir-lowered  the IR as lowered, before any pass
 *   --explain          (or --emit explain) the per-layer table, the fusion report and the
 *                      memory plan peaks
 *   -o OUT             writes the folder OUT/<net>/, atomically (a temporary folder renamed into
 *                      place): shaders/*.wgsl (the kernels, one file per distinct shader),
 *                      manifest.json (the WGSL program: tensors, buffers, dispatches, types,
 *                      bytes; src/codegen/wgsl/program-manifest.ts), plan.ir (the planned IR
 *                      text) and graph.json (the planned graph as JSON); and the net as a package
 *                      an app imports (src/cli/compile/ts-bundle.ts): <Net>.ts/.js/.d.ts (the
 *                      typed module), program.js/.d.ts (its data), package.json
 *   --weights W.lpw    with -o: also write the weights into the folder (weights.lpw), each
 *                      parameter packed in the type the program stores it in
 *   --device           generate the kernels for this machine's WebGPU adapter (its limits and
 *                      language features) instead of the limits every adapter offers, with the
 *                      kernel configurations `lpc tune` chose for it (.lpc/tune-cache.json)
 *   --tune-cache FILE  the tuning cache to take configurations from (without --device: those of
 *                      the one adapter the file holds)
 * With none of these it prints one summary line per net.
 */
interface CompileCliOptions {
  net?: string;
  param: string[];
  mode: CompileMode;
  emit?: 'ir' | 'ir-lowered' | 'explain';
  explain?: boolean;
  out?: string;
  device?: boolean;
  weights?: string;
  tuneCache?: string;
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

/** The capabilities kernels are generated for: the portable limits, or this machine's adapter (--device), and that adapter. */
async function targetCapabilities(opts: CompileCliOptions, print: (ds: readonly Diagnostic[]) => void): Promise<{ caps: WgslCapabilities; adapter?: AdapterIdentity } | undefined> {
  if (!opts.device) return { caps: PORTABLE_WGSL };
  const got = await tryAcquireDevice({ label: 'lpc compile' });
  if (!got.ok) {
    print(got.diagnostics);
    return undefined;
  }
  const caps = got.device.wgsl;
  const adapter = got.device.capabilities.adapter;
  got.device.destroy();
  return { caps, adapter };
}

/**
 * The tuned kernel configurations to compile with: with --device, the cache's choices for this
 * machine's adapter (the default cache when it exists, or --tune-cache); with --tune-cache alone,
 * the choices of the one adapter the cache holds. Otherwise none (every layer's default).
 */
function compileTuning(opts: CompileCliOptions, cwd: string, adapter: AdapterIdentity | undefined, print: (ds: readonly Diagnostic[]) => void): TunedConfigs['configFor'] {
  if (!opts.device && opts.tuneCache === undefined) return undefined;
  const tuned = tunedConfigs(resolve(cwd, opts.tuneCache ?? DEFAULT_TUNE_CACHE), adapter);
  print(tuned.diagnostics);
  return tuned.configFor;
}

async function compile(file: string, opts: CompileCliOptions, io: CliIO): Promise<number> {
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

  let caps: WgslCapabilities | undefined;
  let configFor: TunedConfigs['configFor'];
  if (opts.out !== undefined) {
    const target = await targetCapabilities(opts, print);
    if (!target) return 1;
    caps = target.caps;
    configFor = compileTuning(opts, io.cwd, target.adapter, print);
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
    if (opts.out !== undefined && caps) {
      const bundle = bundleFiles(r, caps, plannedIrText(r), { configFor });
      print(bundle.diagnostics, checked.sources);
      if (!bundle.files || !bundle.program) {
        failed = true;
        continue;
      }
      let weights: Map<string, Tensor> | undefined;
      if (opts.weights !== undefined) {
        const loaded = loadWeightsFile(lowered, resolve(io.cwd, opts.weights), opts.weights);
        print(loaded.diagnostics, checked.sources);
        if (!loaded.weights) {
          failed = true;
          continue;
        }
        weights = loaded.weights;
      }
      // The typed module runs the net in an app: it is written for inference programs only.
      let tsModule: TsBundleOutput | undefined;
      if (r.mode === 'inference') {
        const made = await tsBundleFiles({ lowered, planned: r, program: bundle.program, source: file, weights });
        print(made.diagnostics, checked.sources);
        if (!('files' in made)) {
          failed = true;
          continue;
        }
        tsModule = made;
      }
      const w = writeFolderAtomic(resolve(io.cwd, opts.out), fileStem(lowered.name), { ...bundle.files, ...(tsModule?.files ?? {}) });
      if ('diagnostic' in w) {
        print([w.diagnostic]);
        return 1;
      }
      const moduleNote = tsModule ? `; module ${tsModule.className}.ts${weights ? ', weights.lpw' : ''}` : '; no TypeScript module for a training program (compile with --mode inference for one)';
      io.err(`wrote ${join(opts.out, fileStem(lowered.name))}/ (${bundle.summary}${moduleNote})`);
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
      .option('-o, --out <dir>', 'write <dir>/<net>/: the typed TypeScript module (and .js, .d.ts), WGSL shaders, manifest.json, plan.ir, graph.json')
      .option('--device', "with -o: generate the kernels for this machine's WebGPU adapter instead of the portable limits")
      .option('--tune-cache <file>', `with -o: kernel configurations chosen by \`lpc tune\` (with --device: default ${DEFAULT_TUNE_CACHE} when it exists)`)
      .option('--weights <file>', 'with -o: write these weights (.lpw) into the folder, packed in the types the net stores them in')
      .action(async (file: string, opts: CompileCliOptions) => {
        ctx.exitCode = await compile(file, opts, ctx.io);
      });
  },
};
