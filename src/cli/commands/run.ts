import { Option, type Command } from 'commander';
import { DiagnosticError } from '../../diag/diagnostic.js';
import type { Tensor } from '../../numeric/tensor.js';
import { runPipeline } from '../../passes/pipeline.js';
import { runForward } from '../../runtime/cpu/executor.js';
import { writeFileAtomic } from '../../runtime/io/atomic-write.js';
import type { CommandContext, LpcCommand } from '../command.js';
import { gatherInputs } from '../run/gather-inputs.js';
import { loadWeights } from '../run/load-weights.js';
import { fromCwd, hasErrors, loadNet, printDiagnostics } from '../run/load-net.js';
import { collect, parseScale, parseSeed } from '../run/options.js';
import { describeOutputs, describeTimings, outputsJson } from '../run/print-results.js';
import { runOnWebgpu } from '../run/webgpu-run.js';
import { DEFAULT_TUNE_CACHE } from '../../runtime/webgpu/tune/cache.js';

/**
 * `lpc run FILE.lpnet [--net NAME] [--param k=v] [--backend cpu|webgpu] [--weights W.lpw]
 *  [--input name=PATH ...] [--scale S] [--seed N] [--timing] [--out out.json]`: one inference on
 * the CPU reference backend (the default) or on WebGPU (the net's WGSL kernels on this machine's
 * adapter). When webgpu is asked for and there is no adapter, the command says what to install
 * and that `--backend cpu` exists, and stops: it never falls back on its own. Weights come from
 * a .lpw file or, when none is given, from the fillers with the seed (and the command says so);
 * inputs from files or random with the seed. Prints each output's type, shape and first values,
 * the top-5 classes of class probabilities, and losses; `--timing` adds the GPU time of each
 * layer (timestamp queries); `--out` writes every value as JSON (atomically).
 */

interface RunCliOptions {
  net?: string;
  param: string[];
  backend: 'cpu' | 'webgpu';
  weights?: string;
  input: string[];
  scale?: number;
  seed: number;
  timing?: boolean;
  out?: string;
  tuneCache?: string;
}

async function run(file: string, opts: RunCliOptions, ctx: CommandContext): Promise<number> {
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

  let outputs: ReadonlyMap<string, Tensor>;
  let losses: ReadonlyMap<string, Tensor>;
  let where = 'the cpu backend';
  let timingLines: string[] = [];
  if (opts.backend === 'webgpu') {
    const r = await runOnWebgpu(planned, weights, inputs.inputs, { seed: opts.seed, step: 0, timing: opts.timing }, {}, fromCwd(io, opts.tuneCache ?? DEFAULT_TUNE_CACHE));
    printDiagnostics(reporter, r.diagnostics);
    if (!r.result) return 1;
    ({ outputs, losses } = r.result);
    where = `the webgpu backend (${r.adapter ?? 'unknown adapter'})`;
    if (opts.timing) timingLines = r.result.timings ? describeTimings(r.result.timings, r.result.wallMs) : ['timing: this adapter offers no timestamp queries'];
  } else {
    try {
      ({ outputs, losses } = runForward(planned.graph, weights, inputs.inputs, { training: false, seed: opts.seed, step: 0 }));
    } catch (e) {
      if (!(e instanceof DiagnosticError)) throw e;
      printDiagnostics(reporter, e.diagnostics);
      return 1;
    }
    if (opts.timing) timingLines = ['timing: per-layer GPU times need --backend webgpu'];
  }
  const params = Object.entries(graph.netParams)
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(', ');
  io.out(`net ${graph.name}${params ? `(${params})` : ''} on ${where}`);
  for (const line of describeOutputs(planned.graph, outputs, losses)) io.out(line);
  for (const line of timingLines) io.out(line);

  if (opts.out !== undefined) {
    const text = outputsJson(planned.graph, outputs, losses, {
      net: graph.name,
      netParams: graph.netParams,
      backend: opts.backend,
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
      .description('run one inference of a net on the CPU reference backend or on WebGPU')
      .argument('<file>', 'the .lpnet file')
      .option('--net <name>', 'the net to run (needed when the file has several)')
      .option('--param <name=value>', 'set a net parameter, e.g. --param batch=1 (repeatable)', collect, [])
      .addOption(new Option('--backend <name>', 'where to run: the CPU reference, or the WGSL kernels on this machine\'s WebGPU adapter').choices(['cpu', 'webgpu']).default('cpu'))
      .option('--weights <file.lpw>', 'trained weights (default: random from the fillers with the seed)')
      .option('--input <name=PATH>', 'data for an input: IDX (MNIST, may be gzipped) or raw little-endian f32 (repeatable; default: random with the seed)', collect, [])
      .option('--scale <factor>', 'multiply values read from input files (not labels), e.g. 0.00390625 for MNIST bytes', parseScale)
      .option('--seed <n>', 'seed for random weights, random inputs and stochastic rounding', parseSeed, 1)
      .option('--timing', 'with --backend webgpu: print the GPU time of each layer (timestamp queries)')
      .option('--out <file.json>', 'write every output and loss value as JSON')
      .option('--tune-cache <file>', `with --backend webgpu: the kernel choices of \`lpc tune\` (default ${DEFAULT_TUNE_CACHE} when it exists)`)
      .action(async (file: string, opts: RunCliOptions) => {
        ctx.exitCode = await run(file, opts, ctx);
      });
  },
};
