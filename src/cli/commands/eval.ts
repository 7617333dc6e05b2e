import { Option, type Command } from 'commander';
import { trainBackendNames } from '../../runtime/train/backend-registry.js';
import type { CommandContext, LpcCommand } from '../command.js';
import { collect, parseScale } from '../run/options.js';
import { parseCount, parseMean, parsePercentile } from '../train/train-options.js';
import { runEvalCommand, type EvalCliOptions } from '../train/eval-run.js';

/**
 * `lpc eval NET.lpnet --weights w.lpw --data fashion-mnist|DIR [--net NAME] [--param k=v]
 *  [--batch N] [--split test|train] [--limit N] [--backend cpu|webgpu] [--scale S] [--mean M]
 *  [--width W] [--percentile P] [--json out.json]`: the top-1 accuracy of trained weights on a
 * split, and the per-layer statistics (sparsity, saturation, ranges, suggested types).
 */
export const evalCommand: LpcCommand = {
  name: 'eval',
  register(program: Command, ctx: CommandContext) {
    program
      .command('eval')
      .description('measure the accuracy of trained weights on a data set, with per-layer statistics')
      .argument('<file>', 'the .lpnet file')
      .requiredOption('--weights <file.lpw>', 'the trained weights (a run\'s weights.lpw)')
      .requiredOption('--data <name|dir>', 'fashion-mnist, or a folder with MNIST-format IDX files')
      .option('--net <name>', 'the net (needed when the file has several)')
      .option('--param <name=value>', 'set a net parameter (repeatable)', collect, [])
      .option('--batch <n>', 'items per forward pass (sets the net\'s `batch` parameter)', parseCount)
      .addOption(new Option('--split <name>', 'which split to evaluate').choices(['test', 'train']).default('test'))
      .option('--limit <n>', 'use only the first N items of the split', parseCount)
      .addOption(new Option('--backend <name>', 'where to run: cpu (the reference) or webgpu').choices(trainBackendNames()).default('cpu'))
      .option('--scale <factor>', 'input transform: multiply (pixel - mean) by this (default 1/255 for u8 images)', parseScale)
      .option('--mean <m>', 'input transform: subtract this mean, or one per channel', parseMean)
      .option('--width <bits>', 'width of the fixed<I, F> suggested for f32 tensors', parseCount, 8)
      .option('--percentile <p>', 'share of |x| the suggested type must hold', parsePercentile, 0.999)
      .option('--json <file>', 'also write the accuracy and statistics as JSON')
      .action(async (file: string, opts: EvalCliOptions) => {
        ctx.exitCode = await runEvalCommand(file, opts, ctx.io);
      });
  },
};
