import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_PERCENTILE, SWEEP_CONFIGS, type QuantizePolicy, type SweepConfig } from '../../runtime/quantize/policy.js';
import { collect, parseScale, parseSeed } from '../run/options.js';
import { parseCount, parseMean } from '../train/train-options.js';

/** Options and parsers shared by `lpc quantize` and `lpc sweep`. */

export function parseWidth(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 2 || n > 32) throw new InvalidArgumentError('a width is a whole number of bits from 2 to 32');
  return n;
}

/** `4..16` (every width from 4 to 16), `4,8,16`, or one width. */
export function parseWidthList(text: string): number[] {
  const range = /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/.exec(text);
  if (range) {
    const lo = parseWidth(range[1]);
    const hi = parseWidth(range[2]);
    if (hi < lo) throw new InvalidArgumentError(`the range ${text} is empty: write the smaller width first (4..16)`);
    return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  }
  const widths = text.split(',').map((s) => parseWidth(s.trim()));
  return [...new Set(widths)].sort((a, b) => a - b);
}

/** A percentile in percent, (0, 100]: 99.99 -> 0.9999. */
export function parsePercent(text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !(n > 0 && n <= 100)) throw new InvalidArgumentError('the percentile is in percent, above 0 and at most 100 (e.g. 99.99)');
  return n / 100;
}

export function parseConfigs(text: string): SweepConfig[] {
  const out: SweepConfig[] = [];
  for (const part of text.split(',').map((s) => s.trim())) {
    const c = SWEEP_CONFIGS.find((k) => k === part);
    if (!c) throw new InvalidArgumentError(`unknown configuration '${part}': the configurations are ${SWEEP_CONFIGS.join(', ')}`);
    if (!out.includes(c)) out.push(c);
  }
  return out;
}

/** What both commands read from the command line. */
export interface CommonQuantizeOptions {
  net?: string;
  param: string[];
  weights?: string;
  data?: string;
  batch?: number;
  backend?: string;
  percentile: number;
  calibBatches: number;
  bias: 'own' | 'same';
  keepInputF32: boolean;
  keepLogitsF32: boolean;
  keepTypes: boolean;
  limitTrain?: number;
  limitTest?: number;
  scale?: number;
  mean?: number[];
  seed: number;
}

/** Registers the options of CommonQuantizeOptions on a command. */
export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--net <name>', 'the net (needed when the file has several)')
    .option('--param <name=value>', 'set a net parameter (repeatable)', collect, [])
    .option('--weights <file.lpw>', 'the trained float weights (needed to calibrate and evaluate)')
    .option('--data <name|dir>', 'fashion-mnist, or a folder with MNIST-format IDX files: calibration uses the training split, evaluation the test split')
    .option('--batch <n>', 'items per forward pass (sets the net\'s `batch` parameter)', parseCount)
    .option('--backend <name>', 'where to calibrate and evaluate: webgpu (the default, when available) or cpu (the slow reference, only when asked for)')
    .addOption(new Option('--percentile <p>', 'percent of |x| each chosen type must hold').argParser(parsePercent).default(DEFAULT_PERCENTILE, String(100 * DEFAULT_PERCENTILE)))
    .option('--calib-batches <n>', 'training batches to gather statistics over', parseCount, 10)
    .option('--bias <policy>', 'own: biases get types from their own statistics; same: the weights\' type', parseBiasPolicy, 'own')
    .option('--keep-input-f32', 'keep the net input f32', true)
    .option('--no-keep-input-f32', 'give the net input a type too')
    .option('--keep-logits-f32', 'keep the logits and what is computed from them f32', true)
    .option('--no-keep-logits-f32', 'give the logits a type too')
    .option('--keep-types', 'keep the types the net declares; choose only for layers that declare none', false)
    .option('--limit-train <n>', 'use only the first N training items', parseCount)
    .option('--limit-test <n>', 'use only the first N test items', parseCount)
    .option('--scale <factor>', 'input transform: multiply (pixel - mean) by this (default 1/255 for u8 images)', parseScale)
    .option('--mean <m>', 'input transform: subtract this mean, or one per channel', parseMean)
    .option('--seed <n>', 'seed of the calibration order (and of fine-tuning)', parseSeed, 1);
}

function parseBiasPolicy(text: string): 'own' | 'same' {
  if (text !== 'own' && text !== 'same') throw new InvalidArgumentError('--bias is own or same');
  return text;
}

/** The policy for one width (or separate weight and activation widths) and configuration. */
export function policyOf(o: CommonQuantizeOptions, weightBits: number, actBits: number, activations = true): QuantizePolicy {
  return {
    weightBits,
    actBits,
    percentile: o.percentile,
    bias: o.bias,
    keepInputF32: o.keepInputF32,
    keepLogitsF32: o.keepLogitsF32,
    keepTypes: o.keepTypes,
    activations,
  };
}
