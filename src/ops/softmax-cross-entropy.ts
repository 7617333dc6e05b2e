import type { OpDef } from './op-def.js';
import { optionalIntAttr } from './attrs.js';
import { checkLogitsAndLabels, classAt, labelLayout } from './labels.js';
import { labelScoreForward } from './losses.wgsl.js';
import { crossEntropyBackward } from './losses.wgsl-backward.js';
import { roundF32 } from './precision.js';

/**
 * Caffe's SoftmaxWithLoss with its default (VALID) normalisation: the mean over the labelled,
 * non-ignored positions of -log softmax(logits)[label], softmax taken over axis 1. Each term is
 * computed as log(sum(exp(x - max))) - (x[label] - max), which never overflows.
 */

/** Softmax probabilities at one position, into `p` (length C), and the log of the normaliser. */
function softmaxAt(x: Float64Array, base: number, classes: number, inner: number, p: Float64Array): number {
  let max = -Infinity;
  for (let c = 0; c < classes; c++) max = Math.max(max, x[base + c * inner]);
  let sum = 0;
  for (let c = 0; c < classes; c++) {
    p[c] = Math.exp(x[base + c * inner] - max);
    sum += p[c];
  }
  for (let c = 0; c < classes; c++) p[c] /= sum;
  return max + Math.log(sum);
}

export const softmaxCrossEntropyOp: OpDef = {
  name: 'softmax_cross_entropy',
  doc: 'Softmax over the class axis (1) followed by the cross-entropy with integer class labels (Caffe SoftmaxWithLoss): the mean over the batch (and positions, for [N, C, H, W] logits) of -log p[label]. Positions whose label equals `ignore_label` are skipped and not counted. Output is an f32 scalar.',
  inputs: [
    { name: 'logits', doc: 'unnormalised scores, [N, C] or [N, C, H, W]' },
    { name: 'label', doc: 'i32 class indices in 0..C-1, one per sample (and position)' },
  ],
  attrs: {
    ignore_label: { kind: 'int', optional: true, doc: 'a label value whose positions contribute neither loss nor gradient' },
  },
  inferShape(inputs) {
    return checkLogitsAndLabels('softmax_cross_entropy', inputs);
  },
  differentiable: true,
  isLoss: true,
  cpu: {
    forward({ inputs, attrs }) {
      const [logits, label] = inputs;
      const { outer, classes, inner } = labelLayout(logits.shape);
      const ignore = optionalIntAttr(attrs, 'ignore_label');
      const p = new Float64Array(classes);
      let total = 0;
      let counted = 0;
      for (let n = 0; n < outer; n++) {
        for (let i = 0; i < inner; i++) {
          const k = classAt('softmax_cross_entropy', label.data, n * inner + i, classes, ignore);
          if (k < 0) continue;
          const base = n * classes * inner + i;
          const logZ = softmaxAt(logits.data, base, classes, inner, p);
          total += logZ - logits.data[base + k * inner];
          counted++;
        }
      }
      // Caffe divides by max(1, count), so a batch where every label is ignored has loss 0.
      return { shape: [], data: Float64Array.of(Math.fround(total / Math.max(1, counted))) };
    },
    /** d loss / d logits = (softmax - onehot(label)) * dy / count; the label gets no gradient. */
    backward({ inputs, attrs, gradOutput }) {
      const [logits, label] = inputs;
      const { outer, classes, inner } = labelLayout(logits.shape);
      const ignore = optionalIntAttr(attrs, 'ignore_label');
      const p = new Float64Array(classes);
      const dx = new Float64Array(logits.data.length);
      let counted = 0;
      for (let q = 0; q < outer * inner; q++) if (classAt('softmax_cross_entropy', label.data, q, classes, ignore) >= 0) counted++;
      const scale = gradOutput.data[0] / Math.max(1, counted);
      for (let n = 0; n < outer; n++) {
        for (let i = 0; i < inner; i++) {
          const k = classAt('softmax_cross_entropy', label.data, n * inner + i, classes, ignore);
          if (k < 0) continue;
          const base = n * classes * inner + i;
          softmaxAt(logits.data, base, classes, inner, p);
          for (let c = 0; c < classes; c++) dx[base + c * inner] = (p[c] - (c === k ? 1 : 0)) * scale;
        }
      }
      return { inputs: [{ shape: [...logits.shape], data: roundF32(dx) }, undefined], params: [] };
    },
  },
  wgsl: { forward: (req) => labelScoreForward(req, 'cross_entropy'), backward: crossEntropyBackward },
};
