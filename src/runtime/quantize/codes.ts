import type { CodeTable } from '../../diag/codes.js';

/**
 * Diagnostic codes of `lpc quantize` and `lpc sweep` (LPC3200-3299, inside the runtime's range):
 *
 *   LPC3200-3219  backends, calibration data and statistics
 *   LPC3220-3239  the policy (widths, flags) and the rewritten net
 *   LPC3240-3259  outputs: files, the report
 *   LPC3260-3279  results worth a warning (clipped tensors, fine-tuning)
 */
export const QUANTIZE_CODES = {
  NO_DEFAULT_BACKEND: 'LPC3200',
  NO_HISTOGRAMS: 'LPC3201',
  NEEDS_CALIBRATION: 'LPC3202',
  EMPTY_CALIBRATION: 'LPC3203',
  MISSING_STATS: 'LPC3204',

  BAD_WIDTH: 'LPC3220',
  REWRITE_FAILED: 'LPC3221',
  BATCH_LITERAL: 'LPC3222',
  NOTHING_TO_QUANTIZE: 'LPC3223',
  BAD_CONFIG: 'LPC3224',

  WRITE_FAILED: 'LPC3240',
  REPORT_FAILED: 'LPC3241',

  CLIPPED: 'LPC3260',
  FINETUNE_FAILED: 'LPC3261',
} as const;

const C = QUANTIZE_CODES;

export const quantizeCodes: CodeTable = {
  [C.NO_DEFAULT_BACKEND]: {
    summary: 'no WebGPU backend could be used, and lpc quantize/sweep never fall back to the slow CPU reference on their own',
    fix: 'run with --backend cpu to calibrate and evaluate on the CPU reference (slow: use --limit-test and few --calib-batches), or install a WebGPU adapter (a GPU driver, or Mesa\'s lavapipe)',
  },
  [C.NO_HISTOGRAMS]: {
    summary: 'the backend returned layer statistics without the magnitude histograms that calibration needs',
    fix: 'the backend must fill TensorStats.histogram when evaluate is called with `histograms: true` (docs/training.md, "Calibration histograms"); use --backend cpu meanwhile',
  },
  [C.NEEDS_CALIBRATION]: {
    summary: 'some tensors need a type chosen from statistics, but no weights or no data were given to gather them',
    fix: 'give --weights float.lpw and --data fashion-mnist|DIR (or --keep-types when every tensor already declares its type)',
  },
  [C.EMPTY_CALIBRATION]: {
    summary: 'the training split has no items to calibrate on',
    fix: 'use a data set with training items, or a larger --limit-train',
  },
  [C.MISSING_STATS]: {
    summary: 'the calibration statistics have no entry for a tensor that needs a type',
    fix: 'this is a bug in the backend or in lpc; report it with the net',
  },
  [C.BAD_WIDTH]: {
    summary: 'a bit width is outside 2..32, or a width range is malformed',
    fix: 'give widths from 2 to 32: --bits 8, --bits 4..16, or --bits 4,8,16',
  },
  [C.REWRITE_FAILED]: {
    summary: 'the net written with explicit types does not check, or is not the same net as the source',
    fix: 'this is a bug in lpc quantize; report it with the net (the text it wrote is shown in the notes)',
  },
  [C.BATCH_LITERAL]: {
    summary: 'the batch size of the written net is fixed, because the source uses its batch parameter in a way the writer cannot express',
    fix: 'the net still works at its batch; to change the batch, edit the sizes in the written file',
  },
  [C.NOTHING_TO_QUANTIZE]: {
    summary: 'no tensor gets a new type: every one is kept as declared or excluded by the flags',
    fix: 'drop --keep-types, or --keep-input-f32 / --keep-logits-f32, to let lpc choose types',
  },
  [C.BAD_CONFIG]: {
    summary: 'an unknown sweep configuration',
    fix: 'the configurations are `weights` (weights and biases only) and `weights+acts` (also activations); e.g. --configs weights,weights+acts',
  },
  [C.WRITE_FAILED]: {
    summary: 'an output file could not be written',
    fix: 'check the path and its permissions',
  },
  [C.REPORT_FAILED]: {
    summary: 'a chart of the report could not be rendered',
    fix: 'this is a bug in lpc sweep; report it with report.json',
  },
  [C.CLIPPED]: {
    summary: 'even with all bits as integer bits, the chosen percentile of a tensor does not fit: its largest values will saturate',
    fix: 'use more bits for it (--weight-bits / --act-bits), or accept the saturation (the table after evaluation shows the rate)',
  },
  [C.FINETUNE_FAILED]: {
    summary: 'the short fine-tune of a quantized net did not finish (it diverged or failed); its point is left out of the report',
    fix: 'lower the learning rate in the train section, or fine-tune fewer steps',
  },
};
