import type { Command } from 'commander';
import { DiagnosticError } from '../../diag/diagnostic.js';
import type { Tensor } from '../../numeric/tensor.js';
import { runPipeline } from '../../passes/pipeline.js';
import { runForward } from '../../runtime/cpu/executor.js';
import { compareLayers } from '../../runtime/webgpu/layer-compare.js';
import type { CommandContext, LpcCommand } from '../command.js';
import { divergenceDiagnostic, layerTable } from '../diff/render.js';
import { gatherInputs } from '../run/gather-inputs.js';
import { hasErrors, loadNet, printDiagnostics } from '../run/load-net.js';
import { loadWeights } from '../run/load-weights.js';
import { collect, parseScale, parseSeed } from '../run/options.js';
import { runOnWebgpu } from '../run/webgpu-run.js';

/**
 * `lpc diff FILE.lpnet [--net NAME] [--param k=v] [--weights W.lpw] [--input name=PATH ...]
 *  [--scale S] [--seed N]`: runs one inference on both backends, layer by layer, and reports the
 * first layer and element where the webgpu backend breaks the numerical contract (SEMANTICS.md
 * section 4: codes equal on deterministic fixed-point paths; f32 within 1e-5 * max(1, |cpu|);
 * one code apart only at a rounding boundary), with both values and codes. Each layer is judged
 * on its own: the CPU recomputes it from the inputs the GPU gave it (layer-compare.ts). Prints a
 * row per layer with its largest differences; exit 0 when there is no divergence, 1 when there is
 * one (LPC9220) or the net cannot run.
 *
 * Inputs reach both backends as the GPU stores them: f32 inputs are rounded to f32 first.
 */
interface DiffCliOptions {
  net?: string;
  param: string[];
  weights?: string;
  input: string[];
  scale?: number;
  seed: number;
}

/** Inputs as the device stores them: f32 values rounded to f32, so both backends read the same numbers. */
function asStored(inputs: ReadonlyMap<string, Tensor>, isF32: (id: string) => boolean): Map<string, Tensor> {
  return new Map(
    [...inputs].map(([id, t]) => [id, isF32(id) ? { shape: [...t.shape], data: Float64Array.from(t.data, (x) => Math.fround(x)) } : t] as const),
  );
}

async function diff(file: string, opts: DiffCliOptions, ctx: CommandContext): Promise<number> {
  const io = ctx.io;
  const loaded = loadNet(file, opts, io);
  if (!loaded) return 1;
  const { graph, reporter } = loaded;
  const weights = loadWeights(graph, opts, reporter);
  const gathered = gatherInputs(graph, opts.input, { seed: opts.seed, scale: opts.scale }, io);
  printDiagnostics(reporter, gathered.diagnostics);
  if (!weights || hasErrors(gathered.diagnostics)) return 1;
  for (const note of gathered.notes) io.err(note);
  for (const id of gathered.random) io.err(`input ${id}: none given, so random data (seed ${opts.seed}); pass --input ${id}=PATH for real data`);

  const planned = runPipeline(graph, { mode: 'inference' });
  printDiagnostics(reporter, planned.diagnostics);
  if (!planned.ok) return 1;
  const g = planned.graph;
  const inputs = asStored(gathered.inputs, (id) => g.values.get(id)?.type.dtype.kind === 'f32');
  const runOpts = { training: false, seed: opts.seed, step: 0 };

  const gpu = await runOnWebgpu(planned, weights, inputs, { seed: opts.seed, step: 0, capture: 'all' });
  printDiagnostics(reporter, gpu.diagnostics);
  if (!gpu.result) return 1;
  let reports;
  try {
    const cpu = runForward(g, weights, inputs, runOpts);
    reports = compareLayers(g, cpu.values, gpu.result.values, { ...runOpts, endToEnd: cpu.values });
  } catch (e) {
    if (!(e instanceof DiagnosticError)) throw e;
    printDiagnostics(reporter, e.diagnostics);
    return 1;
  }

  io.out(`net ${graph.name}: webgpu (${gpu.adapter ?? 'unknown adapter'}) against the cpu reference, ${reports.length} layers, each judged on the inputs the GPU gave it`);
  for (const line of layerTable(reports)) io.out(line);
  const divergence = divergenceDiagnostic(reports);
  if (divergence) {
    printDiagnostics(reporter, [divergence]);
    return 1;
  }
  const flips = reports.reduce((a, r) => a + r.boundaryFlips, 0);
  io.out(`no divergence: every layer is within the numerical contract${flips > 0 ? ` (${flips} values one code apart at a rounding boundary, which the contract allows)` : ''}`);
  return 0;
}

export const diffCommand: LpcCommand = {
  name: 'diff',
  register(program: Command, ctx: CommandContext) {
    program
      .command('diff')
      .description('run a net on the webgpu backend and the CPU reference, layer by layer, and report the first element that differs beyond the numerical contract')
      .argument('<file>', 'the .lpnet file')
      .option('--net <name>', 'the net to compare (needed when the file has several)')
      .option('--param <name=value>', 'set a net parameter, e.g. --param batch=1 (repeatable)', collect, [])
      .option('--weights <file.lpw>', 'trained weights (default: random from the fillers with the seed)')
      .option('--input <name=PATH>', 'data for an input: IDX (may be gzipped) or raw little-endian f32 (repeatable; default: random with the seed)', collect, [])
      .option('--scale <factor>', 'multiply values read from input files (not labels)', parseScale)
      .option('--seed <n>', 'seed for random weights and inputs', parseSeed, 1)
      .action(async (file: string, opts: DiffCliOptions) => {
        ctx.exitCode = await diff(file, opts, ctx);
      });
  },
};
