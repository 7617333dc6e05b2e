import type { CpuContext, OpDef } from './op-def.js';
import { uniformStream } from '../numeric/rng.js';
import { floatAttr } from './attrs.js';
import { roundF32, roundToStorage } from './precision.js';
import { wgsl } from '../codegen/wgsl/lib/expr.js';
import type { KernelBackwardRequest, KernelRequest, KernelDispatch } from '../codegen/wgsl/lib/kernel.js';
import { GradKernel } from '../codegen/wgsl/lib/templates/grad-kernel.js';
import { rngKeyUniforms, rngU32 } from '../codegen/wgsl/lib/rng.js';
import { loadElement, mapKernel } from '../codegen/wgsl/lib/templates/element-kernel.js';
import type { Attrs } from '../ir/graph.js';

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

/**
 * WGSL forward. At inference a copy (codes of fixed inputs unchanged). In training element i is
 * kept when its draw u = (rngU32 >> 8) * 2^-24 satisfies u >= ratio, tested exactly in integers as
 * (rngU32 >> 8) >= ceil(ratio * 2^24) (comparing u with ratio rounded to f32 could flip a draw
 * that falls between ratio and its f32 neighbour). Kept values are x * fround(1 / (1 - ratio)) in
 * f32, the reference's product; they leave a fixed type's grid, and the kernel's output store
 * rounds them like the CPU executor's output enforcement.
 */
function dropoutForward(req: KernelRequest): KernelDispatch[] {
  if (!req.training) return [mapKernel(req, 'dropout (identity)', (_k, x, i) => loadElement(x, i))];
  const ratio = floatAttr(req.attrs as Attrs, 'ratio', 0.5);
  return [
    mapKernel(req, 'dropout', (k, x, i) => {
      const threshold = k.uniform('drop_threshold', 'u32', Math.ceil(ratio * 2 ** 24));
      const scale = k.uniform('drop_scale', 'f32', dropoutScale(ratio));
      k.rng.push({ prefix: 'rng', stream: req.stream });
      const draw = rngU32(k.b, rngKeyUniforms(k.b, 'rng'), i);
      return {
        lines: [`let lpc_keep = (${draw} >> 8u) >= ${threshold};`],
        value: wgsl('f32', `select(0.0, ${x.loadValue(i)} * ${scale}, lpc_keep)`),
      };
    }),
  ];
}

/**
 * WGSL backward: dx = dy * fround(1 / (1 - ratio)) where the forward kept the element, else 0, the
 * mask redrawn from the same keys (the node's stream, prefix `rng`) and flat index as the forward.
 * At inference (not trained, but defined) the identity.
 */
function dropoutBackward(req: KernelBackwardRequest): KernelDispatch[] {
  const target = req.gradInputs[0];
  if (!target) return [];
  const k = new GradKernel(req, 'dropout');
  if (!req.training) return [k.finish(target, req.accumulateInputs[0] ?? false, (i) => ({ value: k.gradOut(i) }))];
  const ratio = floatAttr(req.attrs as Attrs, 'ratio', 0.5);
  const threshold = k.uniform('drop_threshold', 'u32', Math.ceil(ratio * 2 ** 24));
  const scale = k.uniform('drop_scale', 'f32', dropoutScale(ratio));
  k.collect({ prefix: 'rng', stream: req.stream });
  return [
    k.finish(target, req.accumulateInputs[0] ?? false, (i) => ({
      lines: [`let lpc_keep = (${rngU32(k.b, rngKeyUniforms(k.b, 'rng'), i)} >> 8u) >= ${threshold};`],
      value: wgsl('f32', `select(0.0, ${k.gradOut(i)} * ${scale}, lpc_keep)`),
    })),
  ];
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
  wgsl: { forward: dropoutForward, backward: dropoutBackward },
};
