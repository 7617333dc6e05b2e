import type { Attrs } from '../ir/graph.js';
import type { CpuContext, OpDef } from './op-def.js';
import type { FixedType } from '../numeric/number-type.js';
import { formatNumberType } from '../numeric/number-type.js';
import { emptyQuantizeStats, quantizeCodeCounted, quantizeTensor } from '../numeric/quantize.js';
import { uniformStream } from '../numeric/rng.js';
import { stringAttr, typeAttr } from './attrs.js';
import { roundF32 } from './precision.js';
import type { Expr } from '../codegen/wgsl/lib/expr.js';
import type { ElementwiseContext, ElementwiseStage, KernelRng } from '../codegen/wgsl/lib/kernel.js';
import { quantize, quantizeCode, quantizeValue } from '../codegen/wgsl/lib/quantizer.js';
import { wgsl } from '../codegen/wgsl/lib/expr.js';
import { mapBackward } from '../codegen/wgsl/lib/templates/grad-kernel.js';
import { rngKeyUniforms, rngUniform } from '../codegen/wgsl/lib/rng.js';
import type { ShaderBuilder } from '../codegen/wgsl/lib/shader-builder.js';
import { mapKernel } from '../codegen/wgsl/lib/templates/element-kernel.js';

/**
 * Rounds a tensor to a fixed-point type with the quantizer Q of SEMANTICS.md section 2. The
 * output type is the target `to`; values are exact multiples of 2^-F.
 * Stochastic rounding draws u = rngUniform(ctx.seed, ctx.step, ctx.stream, i) for element i
 * while training; at inference (ctx.training false) stochastic types round with `nearest`.
 * Backward is the straight-through estimator: identity, or with `ste: clipped` zero wherever
 * the forward's quantizer saturated (its code was clamped or wrapped) or the input was NaN.
 */

export const STE_MODES = ['identity', 'clipped'] as const;

function targetType(attrs: Attrs): FixedType {
  const t = typeAttr(attrs, 'to');
  // inferShape has rejected non-fixed targets before any forward runs; reaching here is a caller bug.
  if (t.kind !== 'fixed') throw new Error(`quantize: target type ${formatNumberType(t)} is not fixed-point`);
  return t;
}

/** The uniform draws for stochastic rounding, or undefined when the forward rounds deterministically. */
function drawsFor(t: FixedType, ctx: CpuContext): ((i: number) => number) | undefined {
  return t.round === 'stochastic' && ctx.training ? uniformStream(ctx.seed, ctx.step, ctx.stream) : undefined;
}

/**
 * WGSL: the draw for element `i` when the quantizer rounds stochastically in training, from the
 * keys of `rng` (uniforms `<prefix>_key_a/_b`, filled by the executor for the stream); undefined
 * otherwise, and the quantizer then rounds stochastic types with `nearest`, as the reference does
 * at inference.
 */
function wgslDraw(b: ShaderBuilder, t: FixedType, training: boolean, rng: KernelRng, i: Expr<'u32'>): Expr<'f32'> | undefined {
  if (!training || t.round !== 'stochastic') return undefined;
  return rngUniform(b, rngKeyUniforms(b, rng.prefix), i);
}

/**
 * The quantizer as an epilogue stage: its value (and code) for the element at `flatIndex`, and its
 * straight-through derivative: dy, or with `ste: clipped` 0 where the quantizer saturated or met a
 * NaN, decided by rerunning it on the same input with the same draw (the reference's rule).
 */
function quantizeStage(t: FixedType, ctx: ElementwiseContext, ste: (typeof STE_MODES)[number]): ElementwiseStage {
  const rng: KernelRng = { prefix: ctx.rngPrefix, stream: ctx.stream };
  const draws = ctx.training && t.round === 'stochastic';
  return {
    name: `quantize ${formatNumberType(t)}`,
    emit: (b, x, i) => quantizeValue(b, t, x, wgslDraw(b, t, ctx.training, rng, i)),
    emitCode: (b, x, i) => quantizeCode(b, t, x, wgslDraw(b, t, ctx.training, rng, i)),
    outType: t,
    derivative: (b, x, _y, dy, i) =>
      ste === 'clipped' ? wgsl('f32', `select(${dy}, 0.0, ${quantize(b, t, x, wgslDraw(b, t, ctx.training, rng, i))}.status != 0u)`) : dy,
    ...(draws ? { rng } : {}),
  };
}

function steOf(attrs: Attrs): (typeof STE_MODES)[number] {
  return stringAttr(attrs, 'ste', 'identity', STE_MODES);
}

export const quantizeOp: OpDef = {
  name: 'quantize',
  doc: "Rounds to a fixed-point type (SEMANTICS.md section 2): scale by 2^F in f32, round with the type's rounding mode, clamp or wrap with its overflow mode; NaN becomes 0. Output type = `to`. Gradient: straight-through (identity), or zero where the value saturated with ste: clipped.",
  inputs: [{ name: 'x', doc: 'any tensor' }],
  attrs: {
    to: { kind: 'type', doc: 'the fixed-point type to round to, e.g. fixed<4, 4, round: stochastic>' },
    ste: {
      kind: 'enum',
      values: STE_MODES,
      default: 'identity',
      doc: 'straight-through gradient: identity passes it unchanged; clipped zeroes it where the quantizer saturated',
    },
  },
  inferShape(inputs, attrs) {
    const t = typeAttr(attrs, 'to');
    if (t.kind !== 'fixed') {
      return {
        ok: false,
        message: `quantize needs a fixed-point target type, got ${formatNumberType(t)}`,
        hint: 'write a type such as to: fixed<4, 4>',
        blame: 'to',
      };
    }
    return { ok: true, shape: [...inputs[0].shape] };
  },
  inferType(_inputs, attrs) {
    return typeAttr(attrs, 'to');
  },
  fusion: 'epilogue',
  differentiable: true,
  cpu: {
    forward({ inputs, attrs, ctx }) {
      const t = targetType(attrs);
      return { shape: [...inputs[0].shape], data: quantizeTensor(inputs[0].data, t, drawsFor(t, ctx)) };
    },
    backward({ inputs, attrs, gradOutput, ctx }) {
      const dy = gradOutput.data;
      const dx = Float64Array.from(dy);
      if (stringAttr(attrs, 'ste', 'identity', STE_MODES) === 'clipped') {
        const t = targetType(attrs);
        const draw = drawsFor(t, ctx);
        const x = inputs[0].data;
        // Re-run the quantizer with the forward's draws and watch its counters: an element whose
        // call moved either counter saturated (or was NaN), and its output did not follow x.
        const stats = emptyQuantizeStats();
        for (let i = 0; i < x.length; i++) {
          const before = stats.saturated + stats.nan;
          quantizeCodeCounted(x[i], t, draw ? draw(i) : undefined, stats);
          if (stats.saturated + stats.nan !== before) dx[i] = 0;
        }
      }
      return { inputs: [{ shape: [...inputs[0].shape], data: roundF32(dx) }], params: [] };
    },
  },
  wgsl: {
    forward(req) {
      const t = targetType(req.attrs as Attrs);
      const rng: KernelRng = { prefix: 'rng', stream: req.stream };
      return [
        mapKernel(req, 'quantize', (k, x, i) => {
          const u = wgslDraw(k.b, t, req.training, rng, i);
          if (u) k.rng.push(rng);
          // The code itself is the op's result, so a fixed output of the type stores it exactly.
          return { code: quantizeCode(k.b, t, x.loadValue(i), u), type: t };
        }),
      ];
    },
    elementwise(attrs, _inType, ctx) {
      return quantizeStage(targetType(attrs as Attrs), ctx, steOf(attrs as Attrs));
    },
    // Standalone: the stage with the forward's own keys (prefix `rng`, the node's stream).
    backward: (req) =>
      mapBackward(req, 'quantize', quantizeStage(targetType(req.attrs as Attrs), { training: req.training, stream: req.stream, rngPrefix: 'rng' }, steOf(req.attrs as Attrs))),
  },
};
