import type { CodeTable } from '../diag/codes.js';
import { irCodes } from '../ir/codes.js';

/**
 * Diagnostic codes of the passes (LPC2000-2999). Codes are stable once shipped.
 *
 *   LPC2000-2009  accumulator analysis (SEMANTICS.md section 4)
 *   LPC2010-2029  autodiff (training)
 *   LPC2030-2039  the pipeline itself
 *   LPC2900-2949  the IR verifier (src/ir/codes.ts; listed here too)
 */
export const PASS_CODES = {
  ACC_TOO_NARROW: 'LPC2001',
  ACC_INTEGER_NOT_EXACT: 'LPC2002',

  NO_LOSS: 'LPC2010',
  LOSS_NOT_DIFFERENTIABLE: 'LPC2011',
  PARAM_GETS_NO_GRADIENT: 'LPC2012',
  LOSS_NOT_SCALAR: 'LPC2013',

  UNKNOWN_OP: 'LPC2030',
} as const;

const C = PASS_CODES;

export const passCodes: CodeTable = {
  [C.ACC_TOO_NARROW]: {
    summary: 'the accumulator type declared with `acc:` is narrower than the worst-case sum of the layer',
    fix: 'declare a wider accumulator (the message gives the width needed), write `acc: f32`, or narrow the weights, the input type or the fan-in',
  },
  [C.ACC_INTEGER_NOT_EXACT]: {
    summary: 'an integer accumulator is declared for a layer whose input or weights are f32, so its products are not integers',
    fix: 'give the input and the weights fixed-point types (`weights: fixed<...>`, `-> fixed<...>` on the layer before), or drop `acc:`',
  },
  [C.NO_LOSS]: {
    summary: 'the net is compiled for training but declares no loss',
    fix: 'add a `loss NAME = softmax_cross_entropy(logits, label)` line to the net, or compile with `--mode inference`',
  },
  [C.LOSS_NOT_DIFFERENTIABLE]: {
    summary: 'a loss is computed by an op that has no gradient (a metric such as accuracy), so it cannot be trained on',
    fix: 'make the metric an `output` instead of a `loss`, and train on a differentiable loss such as softmax_cross_entropy',
  },
  [C.PARAM_GETS_NO_GRADIENT]: {
    summary: 'a trainable parameter receives no gradient from any loss, so training never changes it',
    fix: 'check that the layer feeds a loss through differentiable ops; set its lr multipliers to 0 to freeze it on purpose',
  },
  [C.LOSS_NOT_SCALAR]: {
    summary: 'a loss value has more than one element',
    fix: 'losses must be scalars: use a loss op (softmax_cross_entropy), which averages over the batch',
  },
  [C.UNKNOWN_OP]: {
    summary: 'the IR names an op the registry does not know',
    fix: 'this is a bug in lpc (front ends check op names); please report it with the net that triggers it',
  },
  ...irCodes,
};
