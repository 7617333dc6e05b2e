import type { Command } from 'commander';
import { packedBytes, F32 } from '../../numeric/number-type.js';
import { initWeights } from '../../runtime/cpu/init-weights.js';
import { storedMasters } from '../../runtime/weights/match-weights.js';
import { writeLpwFile } from '../../runtime/weights/lpw-write.js';
import type { CommandContext, LpcCommand } from '../command.js';
import { fromCwd, loadNet, printDiagnostics } from '../run/load-net.js';
import { collect, parseSeed } from '../run/options.js';

/**
 * `lpc init-weights FILE.lpnet [--net NAME] [--param k=v] [--seed N] -o W.lpw`: writes the
 * net's initial master weights, drawn from each parameter's filler with the seed (the same
 * values `lpc run` uses when given no weights), as an f32 .lpw file.
 */

interface InitCliOptions {
  net?: string;
  param: string[];
  seed: number;
  output: string;
}

function initWeightsFile(file: string, opts: InitCliOptions, ctx: CommandContext): number {
  const loaded = loadNet(file, opts, ctx.io);
  if (!loaded) return 1;
  const { graph, reporter } = loaded;
  const tensors = storedMasters(graph, initWeights(graph, opts.seed));
  const diagnostics = writeLpwFile(fromCwd(ctx.io, opts.output), { net: graph.name, tensors });
  printDiagnostics(reporter, diagnostics);
  if (diagnostics.length > 0) return 1;
  const count = tensors.reduce((a, t) => a + t.data.length, 0);
  const bytes = tensors.reduce((a, t) => a + packedBytes(F32, t.data.length), 0);
  ctx.io.out(
    `wrote ${opts.output}: ${tensors.length} tensors, ${count.toLocaleString('en-US')} parameters (${bytes.toLocaleString('en-US')} bytes of f32) for net ${graph.name}, seed ${opts.seed}`,
  );
  return 0;
}

export const initWeightsCommand: LpcCommand = {
  name: 'init-weights',
  register(program: Command, ctx: CommandContext) {
    program
      .command('init-weights')
      .description("write a net's initial weights (from its fillers, with a seed) to a .lpw file")
      .argument('<file>', 'the .lpnet file')
      .requiredOption('-o, --output <file.lpw>', 'the weights file to write')
      .option('--net <name>', 'the net (needed when the file has several)')
      .option('--param <name=value>', 'set a net parameter, e.g. --param classes=100 (repeatable)', collect, [])
      .option('--seed <n>', 'seed of the fillers', parseSeed, 1)
      .action((file: string, opts: InitCliOptions) => {
        ctx.exitCode = initWeightsFile(file, opts, ctx);
      });
  },
};
