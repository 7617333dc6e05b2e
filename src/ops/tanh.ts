import type { OpDef } from './op-def.js';
import { wgsl, type Expr } from '../codegen/wgsl/lib/expr.js';
import { helper } from '../codegen/wgsl/lib/helper.js';
import type { ShaderBuilder } from '../codegen/wgsl/lib/shader-builder.js';
import type { ElementwiseStage } from '../codegen/wgsl/lib/kernel.js';
import { mapKernel } from '../codegen/wgsl/lib/templates/element-kernel.js';
import { mapBackward } from '../codegen/wgsl/lib/templates/grad-kernel.js';
import { roundF32, roundToStorage } from './precision.js';

/**
 * tanh in WGSL from one exp of a non-positive argument, so no x overflows (the builtin may be
 * sinh / cosh, which is inf / inf past |x| ~ 89 on some GPUs). The absolute error is a few f32
 * ulps of 1 (measured on lavapipe over 10^5 values in [-10, 10]: at most 1.5e-7), within the f32
 * tolerance of SEMANTICS.md section 4. The sign is copied from x's bits, so tanh(-0) = -0 as in
 * the reference; NaN stays NaN.
 */
const TANH = helper(
  'lpc_tanh',
  `fn lpc_tanh(x: f32) -> f32 {
  let e = exp(-2.0 * abs(x));
  let r = (1.0 - e) / (1.0 + e);
  return bitcast<f32>(bitcast<u32>(r) | (bitcast<u32>(x) & 0x80000000u));
}`,
);

function tanhExpr(b: ShaderBuilder, x: Expr<'f32'>): Expr<'f32'> {
  return wgsl('f32', `${b.use(TANH)}(${x})`);
}

/** tanh as a stage; its derivative from the output, dy * (1 - y * y), as the reference. */
function tanhStage(): ElementwiseStage {
  return { name: 'tanh', emit: (b, x) => tanhExpr(b, x), derivative: (_b, _x, y, dy) => wgsl('f32', `${dy} * (1.0 - ${y} * ${y})`) };
}

/** Hyperbolic tangent, elementwise. The backward uses the saved output: dy * (1 - y^2). */
export const tanhOp: OpDef = {
  name: 'tanh',
  doc: 'Hyperbolic tangent, elementwise: y = tanh(x). The output is f32 unless a `-> T` says otherwise.',
  inputs: [{ name: 'x', doc: 'any tensor' }],
  attrs: {},
  inferShape(inputs) {
    return { ok: true, shape: [...inputs[0].shape] };
  },
  fusion: 'epilogue',
  differentiable: true,
  cpu: {
    forward({ inputs, outType }) {
      const x = inputs[0].data;
      const y = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]);
      return { shape: [...inputs[0].shape], data: roundToStorage(y, outType.dtype) };
    },
    backward({ inputs, output, gradOutput }) {
      const y = output.data;
      const dy = gradOutput.data;
      const dx = new Float64Array(y.length);
      for (let i = 0; i < y.length; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
      return { inputs: [{ shape: [...inputs[0].shape], data: roundF32(dx) }], params: [] };
    },
  },
  wgsl: {
    forward(req) {
      return [mapKernel(req, 'tanh', (k, x, i) => ({ value: tanhExpr(k.b, x.loadValue(i)) }))];
    },
    elementwise: tanhStage,
    backward: (req) => mapBackward(req, 'tanh', tanhStage()),
  },
};
