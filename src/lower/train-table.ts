/**
 * What a `train` section may say, as data: the optimizers and learning-rate schedules (Caffe's
 * solver types and lr policies) with their arguments, and the plain settings. Adding an optimizer
 * or a schedule is one entry here plus its implementation in the runtime.
 */
export interface TrainArgSpec {
  kind: 'float' | 'int' | 'ints';
  doc: string;
  /** Filled in when not given; no default and not optional means required. */
  default?: number;
  optional?: boolean;
  min?: number;
  /** True when `min` itself is not allowed (a learning rate must be > 0). */
  minExclusive?: boolean;
  /** Exclusive upper bound (momentum < 1). */
  below?: number;
}

export type TrainArgTable = Record<string, TrainArgSpec>;

const lr: TrainArgSpec = { kind: 'float', doc: 'base learning rate', min: 0, minExclusive: true };
const weightDecay: TrainArgSpec = { kind: 'float', doc: 'L2 weight decay', default: 0, min: 0 };
const clip: TrainArgSpec = {
  kind: 'float',
  doc: 'scale gradients down when their global L2 norm exceeds this',
  optional: true,
  min: 0,
  minExclusive: true,
};
const momentum: TrainArgSpec = { kind: 'float', doc: 'momentum', default: 0, min: 0, below: 1 };
const eps: TrainArgSpec = { kind: 'float', doc: 'added to the denominator for stability', default: 1e-8, min: 0, minExclusive: true };

export const OPTIMIZERS: Record<string, TrainArgTable> = {
  sgd: { lr, momentum, weight_decay: weightDecay, clip_gradients: clip },
  nesterov: { lr, momentum, weight_decay: weightDecay, clip_gradients: clip },
  adam: {
    lr,
    beta1: { kind: 'float', doc: 'decay of the first-moment estimate', default: 0.9, min: 0, below: 1 },
    beta2: { kind: 'float', doc: 'decay of the second-moment estimate', default: 0.999, min: 0, below: 1 },
    eps,
    weight_decay: weightDecay,
    clip_gradients: clip,
  },
  adagrad: { lr, eps, weight_decay: weightDecay, clip_gradients: clip },
  rmsprop: {
    lr,
    rms_decay: { kind: 'float', doc: 'decay of the mean squared gradient', default: 0.99, min: 0, below: 1 },
    momentum,
    eps,
    weight_decay: weightDecay,
    clip_gradients: clip,
  },
};

const gamma: TrainArgSpec = { kind: 'float', doc: 'the factor of the policy', min: 0 };
const power: TrainArgSpec = { kind: 'float', doc: 'the exponent of the policy' };

/** Caffe's lr policies; `steps` entries must increase. */
export const SCHEDULES: Record<string, TrainArgTable> = {
  fixed: {},
  step: { gamma, stepsize: { kind: 'int', doc: 'iterations between drops', min: 1 } },
  multistep: { gamma, steps: { kind: 'ints', doc: 'the iterations at which the rate drops, increasing', min: 1 } },
  inv: { gamma, power },
  exp: { gamma },
  poly: { power, max_iter: { kind: 'int', doc: 'the iteration at which the rate reaches 0', min: 1 } },
};

/** Settings that take one int: name -> smallest allowed value. */
export const INT_SETTINGS: Record<string, { min: number; max?: number; doc: string }> = {
  batch: { min: 1, doc: 'samples per training step' },
  epochs: { min: 1, doc: 'passes over the training data' },
  seed: { min: 0, max: 4294967295, doc: 'the random seed (a u32)' },
  iterations: { min: 1, doc: 'training steps (instead of epochs)' },
  test_interval: { min: 1, doc: 'steps between evaluations on the test data' },
  test_iterations: { min: 1, doc: 'batches per evaluation' },
  display: { min: 1, doc: 'steps between progress reports' },
};

/** Settings that take `true` or `false`: name -> its value when the section does not set it. */
export const BOOL_SETTINGS: Record<string, { default: boolean; doc: string }> = {
  master_weights: {
    default: true,
    doc: 'true: train f32 master weights and round a copy each step; false: store every parameter with a declared fixed type (weights:, bias:) in that type, as low-precision weight memory on a device would',
  },
};

export const CALL_SETTINGS = ['optimizer', 'schedule'] as const;

export const ALL_SETTINGS = [...CALL_SETTINGS, ...Object.keys(INT_SETTINGS), ...Object.keys(BOOL_SETTINGS)];
