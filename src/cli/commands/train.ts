import { Option, type Command } from 'commander';
import { trainBackendNames } from '../../runtime/train/backend-registry.js';
import type { CommandContext, LpcCommand } from '../command.js';
import { collect, parseScale, parseSeed } from '../run/options.js';
import { parseCount, parseMean, parseSteps, type TrainCliOptions } from '../train/train-options.js';
import { runTrainCommand } from '../train/train-run.js';

/**
 * `lpc train NET.lpnet --data fashion-mnist|DIR --out run/ [--net NAME] [--param k=v]
 *  [--epochs N] [--batch N] [--weights init.lpw] [--backend cpu|webgpu] [--seed N] [--limit-train N]
 *  [--limit-test N] [--checkpoint-every N] [--scale S] [--mean M] [--no-master-weights]`, or
 *  `lpc train --resume run/`:
 * trains a net with the optimizer of its train section, evaluates on the test split after every
 * epoch, checkpoints, and ends with the trained weights and per-layer statistics.
 */
export const trainCommand: LpcCommand = {
  name: 'train',
  register(program: Command, ctx: CommandContext) {
    program
      .command('train')
      .description('train a net on a labelled image data set (Fashion-MNIST or MNIST-format IDX files), with checkpoints')
      .argument('[file]', 'the .lpnet file (when resuming: default the run\'s)')
      .option('--net <name>', 'the net to train (needed when the file has several)')
      .option('--param <name=value>', 'set a net parameter, e.g. --param classes=10 (repeatable)', collect, [])
      .option('--data <name|dir>', 'fashion-mnist (Debian package dataset-fashion-mnist), or a folder with train-/t10k- images and labels IDX files')
      .option('--out <dir>', 'the run folder: checkpoints, metrics.jsonl, weights.lpw, stats.json')
      .option('--resume <dir>', 'continue the run in this folder from its last checkpoint')
      .option('--epochs <n>', 'passes over the training data (default: the train section\'s, else 10)', parseCount)
      .option('--batch <n>', 'items per step (sets the net\'s `batch` parameter; default: the train section\'s)', parseCount)
      .option('--weights <file.lpw>', 'start from these weights instead of the fillers')
      .addOption(new Option('--backend <name>', 'where to train: cpu (the reference, default) or webgpu (the GPU backend)').choices(trainBackendNames()))
      .option('--seed <n>', 'seed of the fillers, the data order and stochastic rounding (default: the train section\'s, else 1)', parseSeed)
      .option('--limit-train <n>', 'use only the first N training items', parseCount)
      .option('--limit-test <n>', 'use only the first N test items', parseCount)
      .option('--checkpoint-every <steps>', 'steps between checkpoints, besides the one after each epoch (0: epochs only)', parseSteps, 100)
      .option('--scale <factor>', 'input transform: multiply (pixel - mean) by this (default 1/255 for u8 images)', parseScale)
      .option('--mean <m>', 'input transform: subtract this mean, or one per channel (104,117,123)', parseMean)
      // Both spellings, so that leaving them out keeps the train section's `master_weights`.
      .option('--master-weights', 'keep f32 master weights and derive the fixed-point copy each step (the default)')
      .option('--no-master-weights', 'store weights with a declared fixed type in that type: each update is rounded into it (on-device training with low-precision weight memory)')
      .option('--width <bits>', 'width of the fixed<I, F> suggested for f32 tensors in the statistics', parseCount, 8)
      .action(async (file: string | undefined, opts: TrainCliOptions) => {
        ctx.exitCode = await runTrainCommand(file, opts, ctx.io);
      });
  },
};
