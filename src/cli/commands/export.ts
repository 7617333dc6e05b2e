import { dirname, isAbsolute, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { error, type Diagnostic } from '../../diag/diagnostic.js';
import { renderSnippet } from '../../diag/render.js';
import { commitFiles, type OutputFile } from '../../import/caffe/commit-files.js';
import { exportCaffe } from '../../import/caffe/export.js';
import { checkFile } from '../../lower/front-end.js';
import type { SourceHost } from '../../parser/module-loader.js';
import { nodeSourceHost } from '../../parser/node-host.js';
import { loadWeightsFile } from '../../runtime/weights/match-weights.js';
import type { CommandContext, LpcCommand } from '../command.js';
import type { CliIO } from '../io.js';

/**
 * `lpc export net.lpnet [--weights w.lpw] --to caffe -o out_prefix [--net NAME]`: writes
 * out_prefix.prototxt and, with weights, out_prefix.caffemodel (ADaPTION LP layers for
 * fixed-point ops). Nothing is written unless the whole export succeeds.
 */

interface ExportCliOptions {
  output: string;
  weights?: string;
  to: 'caffe';
  net?: string;
}

function cwdHost(cwd: string): SourceHost {
  return {
    readFile: (path) => nodeSourceHost.readFile(resolve(cwd, path)),
    resolve: (fromFile, spec) => (isAbsolute(spec) ? spec : join(dirname(fromFile), spec)),
  };
}

function runExport(file: string, opts: ExportCliOptions, io: CliIO): number {
  const print = (ds: Diagnostic[], sources?: Map<string, string>) => {
    for (const d of ds) io.err(renderSnippet(d, { color: io.color, sources }));
  };
  const checked = checkFile(file, cwdHost(io.cwd), { net: opts.net });
  print(checked.diagnostics, checked.sources);
  if (checked.diagnostics.some((d) => d.severity === 'error')) return 1;
  if (checked.graphs.length !== 1) {
    print([error('LPC4402', `${file} has ${checked.graphs.length} nets; choose one with --net NAME`)]);
    return 1;
  }
  const graph = checked.graphs[0];
  let weights;
  if (opts.weights) {
    const loaded = loadWeightsFile(graph, resolve(io.cwd, opts.weights));
    print(loaded.diagnostics);
    if (!loaded.weights || loaded.diagnostics.some((d) => d.severity === 'error')) return 1;
    weights = loaded.weights;
  }
  const out = exportCaffe(graph, weights, file.replace(/^.*[\\/]/, ''));
  print(out.diagnostics);
  if (!out.ok) return 1;
  const prefix = resolve(io.cwd, opts.output.replace(/\.(prototxt|caffemodel)$/, ''));
  const files: OutputFile[] = [{ path: `${prefix}.prototxt`, content: out.prototxt }];
  if (out.caffemodel) files.push({ path: `${prefix}.caffemodel`, content: out.caffemodel });
  const failed = commitFiles(files);
  if (failed) {
    print([failed]);
    return 1;
  }
  io.out(`${file}: exported net ${graph.name} -> ${files.map((f) => f.path.replace(`${io.cwd}/`, '')).join(', ')}`);
  return 0;
}

export const exportCommand: LpcCommand = {
  name: 'export',
  register(program: Command, ctx: CommandContext) {
    program
      .command('export')
      .description('export a .lpnet net (and its .lpw weights) to another framework: Caffe prototxt + caffemodel')
      .argument('<file>', 'the .lpnet file')
      .requiredOption('-o, --output <prefix>', 'output prefix: writes PREFIX.prototxt (and PREFIX.caffemodel with --weights)')
      .addOption(new Option('--to <format>', 'the target format').choices(['caffe']).makeOptionMandatory())
      .option('--weights <file>', 'the net weights (.lpw)')
      .option('--net <name>', 'the net to export when the file has several')
      .action((file: string, opts: ExportCliOptions) => {
        ctx.exitCode = runExport(file, opts, ctx.io);
      });
  },
};
