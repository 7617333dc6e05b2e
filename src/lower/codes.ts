import type { CodeTable } from '../diag/codes.js';

/**
 * The checker's diagnostics (lowering .lpnet to IR):
 *   LPC1200-1299  names, ops, attributes, blocks and statements
 *   LPC1300-1399  number types
 *   LPC1400-1499  shapes
 *   LPC1500-1599  the train section
 * Codes are stable: a code keeps its meaning once shipped; retire a code rather than reuse it.
 */
export const LOWER_CODES: CodeTable = {
  LPC1200: {
    summary: 'a name that is not defined at this point',
    fix: 'Define the value before its first use (bindings are visible after their statement), or fix the spelling.',
  },
  LPC1201: {
    summary: 'a call of something that is neither an op nor a block',
    fix: 'Ops come from the op registry (`lpc ops` lists them); blocks must be defined in this file or an imported one.',
  },
  LPC1202: {
    summary: 'an argument name the op or block does not take',
    fix: 'Use one of the attribute or parameter names the message lists.',
  },
  LPC1203: {
    summary: 'a required attribute, parameter or input is missing',
    fix: 'Add the argument; required ones have no default.',
  },
  LPC1204: {
    summary: 'the same argument is given twice',
    fix: 'Remove one of them.',
  },
  LPC1205: {
    summary: 'an argument value of the wrong kind',
    fix: 'Give a value of the kind the attribute or parameter takes (int, float, bool, word, list, type).',
  },
  LPC1206: {
    summary: 'a value outside the allowed range',
    fix: 'Give a value within the bounds the message states.',
  },
  LPC1207: {
    summary: 'a word that is not one of the allowed choices',
    fix: 'Use one of the words the message lists.',
  },
  LPC1208: {
    summary: 'a list of the wrong length',
    fix: 'Give one number (used for every entry) or a list with exactly the stated number of entries.',
  },
  LPC1209: {
    summary: 'a declared-type slot (`weights:`, `bias:`, `acc:`) the op does not have',
    fix: 'Only ops with parameters take `weights:`/`bias:`/`acc:`; use `-> T` for the output type of any op.',
  },
  LPC1210: {
    summary: 'more inputs than the op or block takes',
    fix: 'Remove the extra positional arguments, or name them if they are attributes (`kernel: 3`).',
  },
  LPC1211: {
    summary: 'an argument that must be a tensor is a constant, or a constant place holds a tensor',
    fix: 'Inputs of ops and tensor parameters of blocks take values (`x`, `conv(...)`); attributes take constants.',
  },
  LPC1212: {
    summary: 'arithmetic on values that do not support it',
    fix: 'Arithmetic works on ints and floats; combine tensors with ops such as `add(a, b)`.',
  },
  LPC1213: {
    summary: 'a division or remainder by zero',
    fix: 'Change the divisor.',
  },
  LPC1214: {
    summary: 'an integer was expected but the value is not a whole number',
    fix: '`/` always gives a float; make sure the result is a whole number where an int is needed.',
  },
  LPC1215: {
    summary: 'a number that is not finite or is too large to be exact',
    fix: 'Keep integers within ±2^53 and floats finite.',
  },
  LPC1216: {
    summary: 'two top-level definitions (net, block, type) with the same name',
    fix: 'Rename one; nets, blocks and type aliases share one namespace across imported files.',
  },
  LPC1217: {
    summary: 'a name defined twice where that is not allowed (inputs, parameters, outputs, losses)',
    fix: 'Rename one of them.',
  },
  LPC1218: {
    summary: 'a binding or parameter shadows a parameter, a type alias or a repeat index',
    fix: 'Parameters and repeat indices are constants and cannot be rebound; use another name.',
  },
  LPC1219: {
    summary: 'a block calls itself, directly or through other blocks',
    fix: 'Blocks are expanded inline and cannot recurse; use `repeat` for repetition.',
  },
  LPC1220: {
    summary: 'a block without a final `return`, or a `return` that is not the last statement of a block',
    fix: 'End every block with exactly one `return expr`; nets mark results with `output` and `loss`.',
  },
  LPC1221: {
    summary: 'a statement in a place where it is not allowed',
    fix: '`input`, `output` and `loss` belong at the top level of a net body; `return` ends a block.',
  },
  LPC1222: {
    summary: 'a repeat count that is not a non-negative integer or is too large',
    fix: 'Write `repeat n { ... }` with an int 0 <= n <= 100000.',
  },
  LPC1223: {
    summary: 'an unknown net was asked for',
    fix: 'Pass the name of a net defined in the entry file (`--net NAME`).',
  },
  LPC1224: {
    summary: 'a parameter override that no selected net declares',
    fix: 'Use the name of a net parameter (`--param batch=32`).',
  },
  LPC1225: {
    summary: 'a value that does not fit the kind of the parameter it is given to',
    fix: 'int parameters take whole numbers, float parameters numbers, bool parameters true/false, type parameters number types.',
  },
  LPC1226: {
    summary: 'a net is called like a block',
    fix: 'Nets are top-level programs; move the shared layers into a `block` and call that from both nets.',
  },
  LPC1227: {
    summary: 'a block has the name of an op',
    fix: 'Op names are reserved; rename the block.',
  },
  LPC1228: {
    summary: 'a net parameter without a kind',
    fix: 'Net parameters are scalars or types (`batch: int = 64`); only blocks take tensor parameters.',
  },
  LPC1229: {
    summary: 'a declared type (`weights:`/`bias:`) that has no effect because the op has no such parameter',
    fix: 'Remove the declared type, or enable the parameter (for example `bias_term: true`).',
  },
  LPC1230: {
    summary: 'a net with neither an `output` nor a `loss`',
    fix: 'Mark the results with `output name = ...` or `loss name = ...`; unmarked values are not computed for anyone.',
  },
  LPC1231: {
    summary: 'the net expands to too many nodes',
    fix: 'Check the repeat counts; lowering stops at 100000 nodes.',
  },
  LPC1299: {
    summary: 'an internal error in the checker (a bug in lpc, not in the net)',
    fix: 'Please report it with the .lpnet file that triggers it.',
  },

  LPC1300: {
    summary: 'an unknown type name',
    fix: 'Use `f32`, `i32`, `fixed<I, F>`, a `type` alias defined in this file or an imported one, or a `type` parameter.',
  },
  LPC1301: {
    summary: 'a fixed-point type with illegal bit counts',
    fix: 'fixed<I, F> needs I >= 1 (the sign bit), F >= 0 and 2 <= I + F <= 32.',
  },
  LPC1302: {
    summary: 'an unknown option in `fixed<...>`',
    fix: 'The options are `round:` and `overflow:`.',
  },
  LPC1303: {
    summary: 'an unknown rounding or overflow mode',
    fix: 'round: nearest | even | floor | zero | stochastic; overflow: saturate_symmetric | saturate | wrap.',
  },
  LPC1304: {
    summary: 'the same `fixed<...>` option given twice',
    fix: 'Remove one of them.',
  },
  LPC1305: {
    summary: 'type aliases that refer to each other in a cycle',
    fix: 'Make one of the aliases a concrete type.',
  },
  LPC1306: {
    summary: 'a number type was expected but a value was given',
    fix: 'Give `f32`, `i32`, `fixed<I, F>` or the name of a type alias.',
  },
  LPC1307: {
    summary: 'i32 where a real-valued type is needed',
    fix: 'i32 is for integer inputs such as class labels; weights, biases and activations are f32 or fixed<I, F>.',
  },
  LPC1308: {
    summary: 'a declared output type on a loss or metric',
    fix: 'Losses and metrics are computed in f32; remove the `-> T`.',
  },
  LPC1309: {
    summary: 'a declared output type `-> T` on something that is not an op or block call',
    fix: 'Put `-> T` after a call (`y = relu(x) -> A8`), or convert with `quantize(x, to: T)`.',
  },

  LPC1400: {
    summary: 'an op rejects the shapes or types of its inputs',
    fix: 'The message says which dimension or attribute does not fit; check the layer before it.',
  },
  LPC1401: {
    summary: 'a tensor dimension that is not a positive integer',
    fix: 'Every dimension of an input shape is an int >= 1.',
  },
  LPC1402: {
    summary: 'a loss that is not a scalar',
    fix: 'Mark a loss op\'s result (`loss xent = softmax_cross_entropy(logits, label)`) with `loss`; other values with `output`.',
  },

  LPC1500: {
    summary: 'a `train` section for a net that is not defined in this file',
    fix: 'Name a net defined in the same file.',
  },
  LPC1501: {
    summary: 'an unknown setting in a `train` section',
    fix: 'Settings: optimizer, schedule, batch, epochs, seed, iterations, test_interval, test_iterations, display, master_weights.',
  },
  LPC1502: {
    summary: 'a setting given twice, or two `train` sections for one net',
    fix: 'Keep one of them.',
  },
  LPC1503: {
    summary: 'an unknown optimizer',
    fix: 'Optimizers: sgd, nesterov, adam, adagrad, rmsprop.',
  },
  LPC1504: {
    summary: 'an unknown learning-rate schedule',
    fix: 'Schedules: fixed, step, multistep, inv, exp, poly.',
  },
  LPC1505: {
    summary: 'an argument the optimizer or schedule does not take',
    fix: 'Use one of the argument names the message lists.',
  },
  LPC1506: {
    summary: 'a required optimizer or schedule argument is missing',
    fix: 'Add the argument, for example `step(gamma: 0.1, stepsize: 10000)`.',
  },
  LPC1507: {
    summary: 'a train setting or argument value of the wrong kind or out of range',
    fix: 'The message states what the setting takes.',
  },
  LPC1508: {
    summary: 'a `train` section without an optimizer',
    fix: 'Add `optimizer sgd(lr: 0.01)` (or another optimizer).',
  },
  LPC1509: {
    summary: 'an optimizer or schedule that is not written as a call',
    fix: 'Write it as a call with named arguments: `optimizer sgd(lr: 0.01)`, `schedule fixed()`.',
  },
  LPC1510: {
    summary: 'an optimizer or schedule argument without a name',
    fix: 'Name every argument: `sgd(lr: 0.01)`, not `sgd(0.01)`.',
  },
};
