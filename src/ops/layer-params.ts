import type { Attrs, Filler } from '../ir/graph.js';
import type { AttrSpec, ParamSpec } from './op-def.js';
import { boolAttr, floatAttr, stringAttr } from './attrs.js';

/**
 * What conv and dense share about their learnable parameters: the Caffe-compatible attributes
 * for the bias switch, the initialisation (Caffe's weight_filler / bias_filler) and the
 * per-parameter learning-rate and decay multipliers, and the ParamSpecs built from them.
 */

export const WEIGHT_INITS = ['gaussian', 'xavier', 'msra', 'constant', 'uniform'] as const;
export type WeightInit = (typeof WEIGHT_INITS)[number];

export const learnableLayerAttrs: Record<string, AttrSpec> = {
  bias_term: { kind: 'bool', default: true, doc: 'whether the layer adds a learned bias (false: no bias parameter)' },
  weight_init: {
    kind: 'enum',
    values: WEIGHT_INITS,
    default: 'xavier',
    doc: "how weights start (Caffe's weight_filler): xavier and msra scale by the fan-in; gaussian and uniform use weight_std; constant starts at 0",
  },
  weight_std: {
    kind: 'float',
    default: 0.01,
    min: 0,
    doc: 'the standard deviation for gaussian init, the half-range for uniform init',
  },
  bias_value: { kind: 'float', default: 0, doc: 'the constant every bias starts at' },
  weight_lr_mult: { kind: 'float', default: 1, min: 0, doc: "multiplies the solver's learning rate for the weights" },
  bias_lr_mult: { kind: 'float', default: 1, min: 0, doc: "multiplies the solver's learning rate for the bias" },
  weight_decay_mult: { kind: 'float', default: 1, min: 0, doc: "multiplies the solver's weight decay for the weights" },
  bias_decay_mult: { kind: 'float', default: 1, min: 0, doc: "multiplies the solver's weight decay for the bias" },
};

/** The weight filler named by `weight_init` (constant starts at 0, Caffe's ConstantFiller default). */
export function weightFiller(attrs: Attrs): Filler {
  const init = stringAttr<WeightInit>(attrs, 'weight_init', 'xavier', WEIGHT_INITS);
  const std = floatAttr(attrs, 'weight_std', 0.01);
  switch (init) {
    case 'gaussian':
      return { kind: 'gaussian', mean: 0, std };
    case 'uniform':
      return { kind: 'uniform', min: -std, max: std };
    case 'constant':
      return { kind: 'constant', value: 0 };
    case 'xavier':
      return { kind: 'xavier' };
    case 'msra':
      return { kind: 'msra' };
  }
}

export function hasBias(attrs: Attrs): boolean {
  return boolAttr(attrs, 'bias_term', true);
}

/** The `weights` parameter and, when bias_term is on, the `bias` parameter of a conv or dense. */
export function weightAndBiasParams(attrs: Attrs, weightShape: number[], biasLength: number): ParamSpec[] {
  const specs: ParamSpec[] = [{ slot: 'weights', shape: weightShape, filler: weightFiller(attrs), typeSlot: 'weights' }];
  if (hasBias(attrs)) {
    specs.push({
      slot: 'bias',
      shape: [biasLength],
      filler: { kind: 'constant', value: floatAttr(attrs, 'bias_value', 0) },
      typeSlot: 'bias',
    });
  }
  return specs;
}
