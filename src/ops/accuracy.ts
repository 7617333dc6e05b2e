import type { OpDef } from './op-def.js';
import { intAttr, optionalIntAttr } from './attrs.js';
import { checkLogitsAndLabels, classAt, labelLayout } from './labels.js';
import { labelScoreForward } from './losses.wgsl.js';

/**
 * Caffe's Accuracy: the fraction of labelled positions whose true class is among the `top_k`
 * highest scores. As in Caffe, a prediction counts as correct when fewer than `top_k` classes
 * score strictly higher than the true class, so ties favour the label.
 */
export const accuracyOp: OpDef = {
  name: 'accuracy',
  doc: 'Fraction of samples (and positions) whose label is among the `top_k` highest logits along axis 1 (Caffe Accuracy; ties count as correct). Positions labelled `ignore_label` are skipped. A metric: an f32 scalar, not differentiable.',
  inputs: [
    { name: 'logits', doc: 'scores, [N, C] or [N, C, H, W]' },
    { name: 'label', doc: 'i32 class indices in 0..C-1, one per sample (and position)' },
  ],
  attrs: {
    top_k: { kind: 'int', default: 1, min: 1, doc: 'how many of the highest scores may contain the label' },
    ignore_label: { kind: 'int', optional: true, doc: 'a label value whose positions are not counted' },
  },
  inferShape(inputs, attrs) {
    const checked = checkLogitsAndLabels('accuracy', inputs);
    if (!checked.ok) return checked;
    const topK = intAttr(attrs, 'top_k', 1);
    const classes = inputs[0].shape[1];
    if (topK < 1 || topK > classes) {
      return {
        ok: false,
        message: `accuracy top_k is ${topK}, but it must be between 1 and the number of classes (${classes})`,
        hint: topK > classes ? `with ${classes} classes, top_k: ${classes} already counts every prediction as correct` : undefined,
        blame: 'top_k',
      };
    }
    return checked;
  },
  differentiable: false,
  isLoss: true,
  cpu: {
    forward({ inputs, attrs }) {
      const [logits, label] = inputs;
      const { outer, classes, inner } = labelLayout(logits.shape);
      const topK = intAttr(attrs, 'top_k', 1);
      const ignore = optionalIntAttr(attrs, 'ignore_label');
      let correct = 0;
      let counted = 0;
      for (let n = 0; n < outer; n++) {
        for (let i = 0; i < inner; i++) {
          const k = classAt('accuracy', label.data, n * inner + i, classes, ignore);
          if (k < 0) continue;
          const base = n * classes * inner + i;
          const truth = logits.data[base + k * inner];
          let higher = 0;
          for (let c = 0; c < classes; c++) if (logits.data[base + c * inner] > truth) higher++;
          if (higher < topK) correct++;
          counted++;
        }
      }
      return { shape: [], data: Float64Array.of(counted === 0 ? 0 : Math.fround(correct / counted)) };
    },
  },
  wgsl: { forward: (req) => labelScoreForward(req, 'accuracy') },
};
