import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseConfig, configName } from '../../codegen/wgsl/lib/templates/gemm-config.js';
import { runPipeline, type CompileMode } from '../../passes/pipeline.js';
import { describeCapabilities } from '../../runtime/webgpu/capabilities.js';
import { tryAcquireDevice } from '../../runtime/webgpu/device.js';
import { DEFAULT_TUNE_CACHE, mergeTuning, readTuneCache, writeTuneCache, type KernelConfig } from '../../runtime/webgpu/tune/cache.js';
import { tuneNet, type TunedLayer } from '../../runtime/webgpu/tune/measure.js';
import { DiagnosticError } from '../../diag/diagnostic.js';
import type { CommandContext, LpcCommand } from '../command.js';
import { fromCwd, hasErrors, loadNet, printDiagnostics } from '../run/load-net.js';
import { collect } from '../run/options.js';

/**
 * `lpc tune FILE.lpnet [--net N] [--param k=v] [--mode inference|training] [--runs N]
 *  [--cache FILE]`: measures the candidate kernel configurations of every conv and dense layer on
 * this machine's WebGPU adapter (tune/measure.ts), prints a table per layer (each candidate's
 * median, the chosen one, the speed-up over the default), and records the choices in the tuning
 * cache (default .lpc/tune-cache.json), which `lpc compile --device`, `lpc run --backend webgpu`
 * and compiled bundles then use.
 */
interface TuneCliOptions {
  net?: string;
  param: string[];
  mode: CompileMode;
  runs: number;
  cache?: string;
}

function parseRuns(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > 1000) throw new InvalidArgumentError('the number of runs is a whole number from 1 to 1000');
  return n;
}

function describeConfig(c: KernelConfig): string {
  const parsed = parseConfig(c);
  return parsed ? configName(parsed) : JSON.stringify(c);
}

const sameConfig = (a: KernelConfig, b: KernelConfig) => JSON.stringify(a) === JSON.stringify(b);

/** The table of one layer: every candidate's median, the chosen one marked. */
export function layerTable(layer: TunedLayer): string[] {
  const e = layer.entry;
  const defaultMs = e.candidates[0]?.medianMs;
  const chosen = e.candidates.find((c) => sameConfig(c.config, e.config));
  const speedup = defaultMs !== undefined && chosen && chosen.medianMs > 0 ? defaultMs / chosen.medianMs : 1;
  const lines = [`layer ${layer.node} (${layer.op}): ${e.candidates.length} candidates, median of ${e.runs} runs (${e.clock === 'timestamp' ? 'GPU timestamps' : 'wall clock'})`];
  e.candidates.forEach((c, k) => {
    const mark = sameConfig(c.config, e.config) ? '*' : ' ';
    lines.push(`  ${mark} ${String(k + 1).padStart(2)}  ${c.medianMs.toFixed(3).padStart(10)} ms  ${describeConfig(c.config)}${k === 0 ? ' (default)' : ''}`);
  });
  lines.push(`  chosen: ${describeConfig(e.config)}; ${speedup.toFixed(2)}x the default`);
  return lines;
}

async function tune(file: string, opts: TuneCliOptions, ctx: CommandContext): Promise<number> {
  const io = ctx.io;
  const loaded = loadNet(file, opts, io);
  if (!loaded) return 1;
  const { graph, reporter } = loaded;
  const planned = runPipeline(graph, { mode: opts.mode });
  printDiagnostics(reporter, planned.diagnostics);
  if (!planned.ok) return 1;

  const cachePath = fromCwd(io, opts.cache ?? DEFAULT_TUNE_CACHE);
  // Read the cache first: a corrupt one is reported (and replaced) before minutes of measuring.
  const prior = readTuneCache(cachePath);
  printDiagnostics(reporter, prior.diagnostics);

  const got = await tryAcquireDevice({ label: 'lpc tune' });
  if (!got.ok) {
    printDiagnostics(reporter, got.diagnostics);
    return 1;
  }
  const device = got.device;
  try {
    io.err(describeCapabilities(device.capabilities).split('\n')[0]);
    const outcome = await tuneNet(device, planned, { runs: opts.runs });
    printDiagnostics(reporter, outcome.diagnostics);
    if (hasErrors(outcome.diagnostics)) return 1;
    if (outcome.layers.length === 0) return 0;
    for (const layer of outcome.layers) for (const line of layerTable(layer)) io.out(line);
    const entries = Object.fromEntries(outcome.layers.map((l) => [l.shapeKey, l.entry]));
    const d = writeTuneCache(cachePath, mergeTuning(prior.cache, device.capabilities.adapter, entries));
    if (d) {
      printDiagnostics(reporter, [d]);
      return 1;
    }
    io.err(`wrote ${opts.cache ?? DEFAULT_TUNE_CACHE} (${outcome.layers.length} layer${outcome.layers.length === 1 ? '' : 's'} tuned)`);
    return 0;
  } catch (e) {
    if (!(e instanceof DiagnosticError)) throw e;
    printDiagnostics(reporter, e.diagnostics);
    return 1;
  } finally {
    device.destroy();
  }
}

export const tuneCommand: LpcCommand = {
  name: 'tune',
  register(program: Command, ctx: CommandContext) {
    program
      .command('tune')
      .description("measure the kernel configurations of a net's conv and dense layers on this machine's WebGPU adapter and cache the fastest")
      .argument('<file>', 'the .lpnet file')
      .option('--net <name>', 'the net to tune (needed when the file has several)')
      .option('--param <name=value>', 'set a net parameter, e.g. --param batch=1 (repeatable)', collect, [])
      .addOption(new Option('--mode <mode>', 'tune the kernels of inference or of training').choices(['inference', 'training']).default('inference'))
      .option('--runs <n>', 'timed runs per candidate (the median counts)', parseRuns, 5)
      .option('--cache <file>', `the tuning cache to update (default ${DEFAULT_TUNE_CACHE})`)
      .action(async (file: string, opts: TuneCliOptions) => {
        ctx.exitCode = await tune(file, opts, ctx);
      });
  },
};
