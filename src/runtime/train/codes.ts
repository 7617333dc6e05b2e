import type { CodeTable } from '../../diag/codes.js';

/**
 * Diagnostic codes of training and evaluation (LPC3120-3199, inside the runtime's range):
 *
 *   LPC3120-3139  the net and the data, settings, backends
 *   LPC3140-3149  divergence
 *   LPC3150-3169  checkpoints, resuming, the run folder
 */
export const TRAIN_CODES = {
  NET_INPUTS: 'LPC3120',
  INPUT_SHAPE: 'LPC3121',
  CLASS_COUNT: 'LPC3122',
  NO_ACCURACY: 'LPC3123',
  BATCH_NOT_SETTABLE: 'LPC3124',
  UNSUPPORTED_SETTING: 'LPC3125',
  NO_TRAIN_SECTION: 'LPC3126',
  UNKNOWN_BACKEND: 'LPC3127',
  BACKEND_FAILED: 'LPC3128',
  MISSING_INPUT: 'LPC3129',

  DIVERGED: 'LPC3140',

  NO_CHECKPOINT: 'LPC3150',
  BAD_CHECKPOINT: 'LPC3151',
  RESUME_MISMATCH: 'LPC3152',
  SOLVER_STATE_MISMATCH: 'LPC3153',
  RUN_FOLDER_IN_USE: 'LPC3154',
  RUN_FOLDER_WRITE: 'LPC3155',
} as const;

const C = TRAIN_CODES;

export const trainCodes: CodeTable = {
  [C.NET_INPUTS]: {
    summary: 'the net cannot be fed from a labelled image data set: it needs one image input and one i32 label input',
    fix: 'declare `input image: f32[batch, C, H, W]` and `input label: i32[batch]`, and a loss such as `loss xent = softmax_cross_entropy(logits, label)`',
  },
  [C.INPUT_SHAPE]: {
    summary: 'the images of the data set do not fit the net\'s image input',
    fix: 'make the net\'s input hold one image per batch item (e.g. f32[batch, 1, 28, 28] for Fashion-MNIST)',
  },
  [C.CLASS_COUNT]: {
    summary: 'the data set has more classes than the net\'s logits',
    fix: 'give the net as many classes as the data (e.g. --param classes=10)',
  },
  [C.NO_ACCURACY]: {
    summary: 'the net has no logits to measure accuracy on: neither a softmax_cross_entropy loss nor an accuracy output',
    fix: 'add `loss xent = softmax_cross_entropy(logits, label)` or `output acc = accuracy(logits, label)` to the net',
  },
  [C.BATCH_NOT_SETTABLE]: {
    summary: 'a batch size was asked for, but the net has no `batch` parameter to set it with',
    fix: 'declare the net as `net Name(batch: int = 64) { input image: f32[batch, ...] ... }`, or leave the batch as the net fixes it',
  },
  [C.UNSUPPORTED_SETTING]: {
    summary: 'the train section asks for an optimizer, schedule or setting that this runtime does not implement',
    fix: 'use sgd, nesterov, adam, adagrad or rmsprop (without momentum, as in Caffe) and the schedules fixed, step, multistep, inv, exp, poly',
  },
  [C.NO_TRAIN_SECTION]: {
    summary: 'the net has no train section, so default training settings are used',
    fix: 'add `train NAME { optimizer sgd(lr: 0.01, momentum: 0.9) ... }` to the file to choose them',
  },
  [C.UNKNOWN_BACKEND]: {
    summary: 'the backend asked for is not available in this build',
    fix: 'use --backend cpu',
  },
  [C.BACKEND_FAILED]: {
    summary: 'the backend failed while training or evaluating',
    fix: 'this is a bug in lpc or in the device driver; report it with the net and the command',
  },
  [C.MISSING_INPUT]: {
    summary: 'lpc train was not told what to train, on which data, or where to write the run',
    fix: 'lpc train NET.lpnet --data fashion-mnist --out run/ (or lpc train --resume run/ to continue a run)',
  },
  [C.DIVERGED]: {
    summary: 'training diverged: the loss (or a gradient, or an updated weight) became NaN or infinite',
    fix: 'lower the learning rate, add clip_gradients to the optimizer, or widen the fixed-point types that saturate; resume from the last good checkpoint with --resume',
  },
  [C.NO_CHECKPOINT]: {
    summary: '--resume names a folder without a checkpoint',
    fix: 'pass the --out folder of an earlier `lpc train` run that wrote at least one checkpoint',
  },
  [C.BAD_CHECKPOINT]: {
    summary: 'the checkpoint of the run folder is damaged or of another format',
    fix: 'the folder was changed by hand or the disk is damaged; start the run again',
  },
  [C.RESUME_MISMATCH]: {
    summary: 'the resumed run would not continue the same training: the net, data, batch, seed or backend differ from the checkpoint\'s',
    fix: 'resume with the same net and settings (omit the options; the run folder remembers them), or start a new run with another --out',
  },
  [C.SOLVER_STATE_MISMATCH]: {
    summary: 'the solver state of the checkpoint does not fit the net or the optimizer',
    fix: 'resume with the optimizer the run was started with, or start a new run',
  },
  [C.RUN_FOLDER_IN_USE]: {
    summary: 'the --out folder already holds a training run',
    fix: 'continue it with --resume FOLDER, or choose another --out folder (or delete the old one)',
  },
  [C.RUN_FOLDER_WRITE]: {
    summary: 'a file of the run folder could not be written',
    fix: 'check that the folder is writable and that the disk is not full',
  },
};
