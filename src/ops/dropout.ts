import type { CpuContext, OpDef } from './op-def.js';
import { uniformStream } from '../numeric/rng.js';
import { floatAttr } from './attrs.js';
import { roundF32, roundToStorage } from './precision.js';

/**
 * Dropout (SEMANTICS.md section 5): identity at inference. In training, element i is kept when
 * rngUniform(seed, step, stream, i) >= ratio and kept elements are scaled by 1 / (1 - ratio), as
 * Caffe does (scaling at training time, so inference needs nothing). The mask is a pure function
 * of the context, so the backward pass recomputes the very mask the forward pass used, and the
 * GPU kernel draws the same one.
 */

/** The f32 scale applied to kept units in training. */
export function dropoutScale(ratio: number): number {
  return Math.fround(1 / (1 - ratio));
}

/** keep[i] = 1 where element i survives this step's mask, 0 where it is dropped. */
export function dropoutMask(ctx: CpuContext, ratio: number, count: number): Uint8Array {
  const draw = uniformStream(ctx.seed, ctx.step, ctx.stream);
  const keep = new Uint8Array(count);
  for (let i = 0; i < count; i++) keep[i] = draw(i) >= ratio ? 1 : 0;
  return keep;
}

export const dropoutOp: OpDef = {
  name: 'dropout',
  doc: 'Dropout: at inference the identity; in training each element is zeroed with probability `ratio` (mask drawn from the counter-based generator keyed by seed, step and node) and the kept ones are scaled by 1 / (1 - ratio). The output keeps the input\'s number type.',
  inputs: [{ name: 'x', doc: 'any tensor' }],
  attrs: {
    ratio: { kind: 'float', default: 0.5, min: 0, doc: 'probability of dropping each element, 0 <= ratio < 1' },
  },
  inferShape(inputs, attrs) {
    const ratio = floatAttr(attrs, 'ratio', 0.5);
    if (!(ratio >= 0 && ratio < 1)) {
      return {
        ok: false,
        message: `dropout ratio must satisfy 0 <= ratio < 1, got ${ratio}`,
        hint: 'ratio is the probability of dropping an element; 0.5 is the usual choice',
        blame: 'ratio',
      };
    }
    return { ok: true, shape: [...inputs[0].shape] };
  },
  inferType(inputs) {
    return inputs[0].dtype;
  },
  differentiable: true,
  cpu: {
    forward({ inputs, attrs, outType, ctx }) {
      const x = inputs[0].data;
      if (!ctx.training) return { shape: [...inputs[0].shape], data: roundToStorage(Float64Array.from(x), outType.dtype) };
      const ratio = floatAttr(attrs, 'ratio', 0.5);
      const scale = dropoutScale(ratio);
      const keep = dropoutMask(ctx, ratio, x.length);
      const y = new Float64Array(x.length);
      // Scaled values are computed in f32 whatever the declared type: scaling by 1/(1-ratio)
      // leaves the fixed-point grid, and a following quantizer (if any) rounds them back.
      for (let i = 0; i < x.length; i++) y[i] = keep[i] ? Math.fround(x[i] * scale) : 0;
      return { shape: [...inputs[0].shape], data: y };
    },
    backward({ inputs, attrs, gradOutput, ctx }) {
      const dy = gradOutput.data;
      if (!ctx.training) return { inputs: [{ shape: [...inputs[0].shape], data: roundF32(Float64Array.from(dy)) }], params: [] };
      const ratio = floatAttr(attrs, 'ratio', 0.5);
      const scale = dropoutScale(ratio);
      const keep = dropoutMask(ctx, ratio, dy.length);
      const dx = new Float64Array(dy.length);
      for (let i = 0; i < dy.length; i++) dx[i] = keep[i] ? dy[i] * scale : 0;
      return { inputs: [{ shape: [...inputs[0].shape], data: roundF32(dx) }], params: [] };
    },
  },
};
