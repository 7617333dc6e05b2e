import { Option, type Command } from 'commander';
import { DiagnosticError } from '../../diag/diagnostic.js';
import type { Graph } from '../../ir/graph.js';
import type { Tensor } from '../../numeric/tensor.js';
import { runPipeline } from '../../passes/pipeline.js';
import { runForward } from '../../runtime/cpu/executor.js';
import { initWeights } from '../../runtime/cpu/init-weights.js';
import { writeFileAtomic } from '../../runtime/io/atomic-write.js';
import { loadWeightsFile } from '../../runtime/weights/match-weights.js';
import type { CommandContext, LpcCommand } from '../command.js';
import { gatherInputs } from '../run/gather-inputs.js';
import { fromCwd, hasErrors, loadNet, printDiagnostics, type Reporter } from '../run/load-net.js';
import { collect, parseScale, parseSeed } from '../run/options.js';
import { describeOutputs, outputsJson } from '../run/print-results.js';

/**
 * `lpc run FILE.lpnet [--net NAME] [--param k=v] [--backend cpu] [--weights W.lpw]
 *  [--input name=PATH ...] [--scale S] [--seed N] [--out out.json]`: one inference on the CPU
 * reference backend. Weights come from a .lpw file or, when none is given, from the fillers with
 * the seed (and the command says so); inputs from files or random with the seed. Prints each
 * output's type, shape and first values, the top-5 classes of class probabilities, and losses;
 * `--out` writes every value as JSON (atomically).
 */

interface RunCliOptions {
  net?: string;
  param: string[];
  backend: 'cpu';
  weights?: string;
  input: string[];
  scale?: number;
  seed: number;
  out?: string;
}

function loadWeights(graph: Graph, opts: RunCliOptions, reporter: Reporter): Map<string, Tensor> | undefined {
  const { io } = reporter;
  if (opts.weights === undefined) {
    io.err(`weights: none given, so random ones from the fillers (seed ${opts.seed}); pass --weights W.lpw for trained weights`);
    return initWeights(graph, opts.seed);
  }
  const r = loadWeightsFile(graph, fromCwd(io, opts.weights), opts.weights);
  printDiagnostics(reporter, r.diagnostics);
  return r.weights;
}

function run(file: string, opts: RunCliOptions, ctx: CommandContext): number {
  const io = ctx.io;
  const loaded = loadNet(file, opts, io);
  if (!loaded) return 1;
  const { graph, reporter } = loaded;

  const weights = loadWeights(graph, opts, reporter);
  const inputs = gatherInputs(graph, opts.input, { seed: opts.seed, scale: opts.scale }, io);
  printDiagnostics(reporter, inputs.diagnostics);
  if (!weights || hasErrors(inputs.diagnostics)) return 1;
  for (const note of inputs.notes) io.err(note);
  for (const id of inputs.random) io.err(`input ${id}: none given, so random data (seed ${opts.seed}); pass --input ${id}=PATH for real data`);

  const planned = runPipeline(graph, { mode: 'inference' });
  printDiagnostics(reporter, planned.diagnostics);
  if (!planned.ok) return 1;

  let result;
  try {
    result = runForward(planned.graph, weights, inputs.inputs, { training: false, seed: opts.seed, step: 0 });
  } catch (e) {
    if (!(e instanceof DiagnosticError)) throw e;
    printDiagnostics(reporter, e.diagnostics);
    return 1;
  }
  const params = Object.entries(graph.netParams)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(', ');
  io.out(`net ${graph.name}${params ? `(${params})` : ''} on the cpu backend`);
  for (const line of describeOutputs(planned.graph, result.outputs, result.losses)) io.out(line);

  if (opts.out !== undefined) {
    const text = outputsJson(planned.graph, result.outputs, result.losses, {
      net: graph.name,
      netParams: graph.netParams,
      backend: 'cpu',
      seed: opts.seed,
      weights: opts.weights ?? 'fillers',
      randomInputs: inputs.random,
    });
    const d = writeFileAtomic(fromCwd(io, opts.out), text);
    if (d) {
      printDiagnostics(reporter, [d]);
      return 1;
    }
    io.err(`wrote ${opts.out}`);
  }
  return 0;
}

export const runCommand: LpcCommand = {
  name: 'run',
  register(program: Command, ctx: CommandContext) {
    program
      .command('run')
      .description('run one inference of a net on the CPU reference backend')
      .argument('<file>', 'the .lpnet file')
      .option('--net <name>', 'the net to run (needed when the file has several)')
      .option('--param <name=value>', 'set a net parameter, e.g. --param batch=1 (repeatable)', collect, [])
      .addOption(new Option('--backend <name>', 'where to run: this build runs `run` on the CPU reference only').choices(['cpu']).default('cpu'))
      .option('--weights <file.lpw>', 'trained weights (default: random from the fillers with the seed)')
      .option('--input <name=PATH>', 'data for an input: IDX (MNIST, may be gzipped) or raw little-endian f32 (repeatable; default: random with the seed)', collect, [])
      .option('--scale <factor>', 'multiply values read from input files (not labels), e.g. 0.00390625 for MNIST bytes', parseScale)
      .option('--seed <n>', 'seed for random weights, random inputs and stochastic rounding', parseSeed, 1)
      .option('--out <file.json>', 'write every output and loss value as JSON')
      .action((file: string, opts: RunCliOptions) => {
        ctx.exitCode = run(file, opts, ctx);
      });
  },
};
