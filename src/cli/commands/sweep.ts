import { Option, type Command } from 'commander';
import { SWEEP_CONFIGS } from '../../runtime/quantize/policy.js';
import type { CommandContext, LpcCommand } from '../command.js';
import { addCommonOptions, parseConfigs, parseWidthList } from '../quantize/options.js';
import { runSweepCommand, type SweepCliOptions } from '../quantize/sweep-run.js';
import { parseSteps } from '../train/train-options.js';

/**
 * `lpc sweep NET.lpnet --weights float.lpw --data fashion-mnist|DIR --bits 4..16 -o report/
 *  [--configs weights,weights+acts] [--finetune-steps N] [--backend webgpu|cpu] ...`: quantizes
 * the net at every width and configuration, evaluates each (optionally after a short
 * fine-tune), and writes a self-contained report.html with report.json.
 */
export const sweepCommand: LpcCommand = {
  name: 'sweep',
  register(program: Command, ctx: CommandContext) {
    const cmd = program
      .command('sweep')
      .description('quantize a trained float net at a range of bit widths and write an HTML report of accuracy, types, sparsity, saturation and histograms')
      .argument('<file>', 'the .lpnet file of the float net')
      .requiredOption('-o, --output <dir>', 'the report folder: report.html, report.json and the quantized nets')
      .addOption(new Option('--bits <widths>', 'widths to try: 4..16, or 4,8,16').argParser(parseWidthList).default(parseWidthList('4..16'), '4..16'))
      .addOption(new Option('--configs <list>', `configurations, comma-separated: ${SWEEP_CONFIGS.join(', ')}`).argParser(parseConfigs).default([...SWEEP_CONFIGS], SWEEP_CONFIGS.join(',')))
      .option('--finetune-steps <n>', 'also fine-tune each quantized net for N training steps and report both accuracies (0: no)', parseSteps, 0);
    addCommonOptions(cmd).action(async (file: string, opts: SweepCliOptions) => {
      ctx.exitCode = await runSweepCommand(file, opts, ctx.io);
    });
  },
};
