import type { Command } from 'commander';
import type { CommandContext, LpcCommand } from '../command.js';
import { addCommonOptions, parseWidth } from '../quantize/options.js';
import { runQuantizeCommand, type QuantizeCliOptions } from '../quantize/quantize-run.js';

/**
 * `lpc quantize NET.lpnet --weights float.lpw --data fashion-mnist|DIR -o net-q.lpnet [--bits 8]
 *  [--weight-bits N] [--act-bits N] [--weights-only] [--percentile 99.99] [--calib-batches N]
 *  [--bias own|same] [--no-keep-input-f32] [--no-keep-logits-f32] [--keep-types]
 *  [--weights-out q.lpw] [--backend webgpu|cpu] [--no-eval] ...`: chooses a fixed-point type for
 * every weight, bias and activation from calibration statistics, writes the net with the types
 * explicit, and compares the float and the quantized net on the test split.
 */
export const quantizeCommand: LpcCommand = {
  name: 'quantize',
  register(program: Command, ctx: CommandContext) {
    const cmd = program
      .command('quantize')
      .description('choose fixed-point types for a trained float net from calibration statistics, write the quantized net, and measure the accuracy drop')
      .argument('<file>', 'the .lpnet file of the float net')
      .requiredOption('-o, --output <file.lpnet>', 'the quantized net to write')
      .option('--bits <n>', 'width of every chosen type', parseWidth, 8)
      .option('--weight-bits <n>', 'width of weight and bias types (default --bits)', parseWidth)
      .option('--act-bits <n>', 'width of activation types (default --bits)', parseWidth)
      .option('--weights-only', 'quantize weights and biases only; activations stay f32', false)
      .option('--weights-out <file.lpw>', 'where to write the weights under the quantized net\'s names (default: the -o file with .lpw)')
      .option('--no-eval', 'do not evaluate the float and quantized nets afterwards');
    addCommonOptions(cmd).action(async (file: string, opts: QuantizeCliOptions) => {
      ctx.exitCode = await runQuantizeCommand(file, opts, ctx.io);
    });
  },
};
