import type { TensorType } from '../ir/graph.js';
import type { ShapeResult } from './op-def.js';
import { formatShape, productOf } from './shape-util.js';

/**
 * Shared by the ops that score logits against class labels (softmax_cross_entropy, accuracy),
 * following Caffe: classes lie along axis 1 of the logits, and there is one label per remaining
 * position, N * (product of the axes after 1) labels in all, stored as integer class indices.
 */

export interface LabelLayout {
  /** N: the product of the axes before the class axis. */
  outer: number;
  /** C: the number of classes. */
  classes: number;
  /** Positions per sample after the class axis (H * W for dense prediction, 1 for [N, C]). */
  inner: number;
}

export function labelLayout(logitsShape: readonly number[]): LabelLayout {
  return { outer: logitsShape[0], classes: logitsShape[1], inner: productOf(logitsShape.slice(2)) };
}

/** Shape rule for (logits, label): logits of rank >= 2, one label per position. Output: a scalar. */
export function checkLogitsAndLabels(opName: string, inputs: readonly TensorType[]): ShapeResult {
  const logits = inputs[0].shape;
  const label = inputs[1].shape;
  if (logits.length < 2) {
    return {
      ok: false,
      message: `${opName} logits must have rank >= 2 ([N, C] or [N, C, H, W]), got shape ${formatShape(logits)}`,
      hint: 'classes lie along axis 1; a dense layer gives [N, classes]',
      blame: 'logits',
    };
  }
  const { outer, classes, inner } = labelLayout(logits);
  if (classes < 1) {
    return { ok: false, message: `${opName} logits ${formatShape(logits)} have no classes along axis 1`, blame: 'logits' };
  }
  const positions = outer * inner;
  if (productOf(label) !== positions) {
    const expected = [logits[0], ...logits.slice(2)];
    return {
      ok: false,
      message: `${opName} needs one label per prediction: logits ${formatShape(logits)} make ${positions} predictions (shape ${formatShape(expected)}), but label ${formatShape(label)} holds ${productOf(label)}`,
      hint: `give the label shape ${formatShape(expected)}: one class index in 0..${classes - 1} per sample${inner > 1 ? ' and position' : ''}`,
      blame: 'label',
    };
  }
  return { ok: true, shape: [] };
}

/** A label value that is not a class index; thrown by the CPU reference, for the runtime to report. */
export class LabelRangeError extends RangeError {
  constructor(
    readonly opName: string,
    readonly position: number,
    readonly value: number,
    readonly classes: number,
  ) {
    super(`${opName}: label ${value} at position ${position} is not a class index in 0..${classes - 1}`);
    this.name = 'LabelRangeError';
  }
}

/**
 * The class index at label position `p` (p = n * inner + i), or -1 when it equals
 * `ignoreLabel`. Anything that is not an integer in [0, classes) is a data error.
 */
export function classAt(opName: string, label: Float64Array, p: number, classes: number, ignoreLabel: number | undefined): number {
  const v = label[p];
  if (ignoreLabel !== undefined && v === ignoreLabel) return -1;
  if (!Number.isInteger(v) || v < 0 || v >= classes) throw new LabelRangeError(opName, p, v, classes);
  return v;
}
