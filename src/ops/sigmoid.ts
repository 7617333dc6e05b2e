import type { OpDef } from './op-def.js';
import { wgsl, type Expr } from '../codegen/wgsl/lib/expr.js';
import { helper } from '../codegen/wgsl/lib/helper.js';
import type { ShaderBuilder } from '../codegen/wgsl/lib/shader-builder.js';
import type { ElementwiseStage } from '../codegen/wgsl/lib/kernel.js';
import { mapKernel } from '../codegen/wgsl/lib/templates/element-kernel.js';
import { mapBackward } from '../codegen/wgsl/lib/templates/grad-kernel.js';
import { roundF32, roundToStorage } from './precision.js';

/** The value 1 / (1 + e^-x), written so that exp never overflows for large |x|. */
export function logistic(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * The same stable form in WGSL: e = exp(-|x|) never overflows; sigmoid(|x|) = 1 / (1 + e) and
 * sigmoid(-|x|) = e / (1 + e). NaN stays NaN.
 */
const SIGMOID = helper(
  'lpc_sigmoid',
  `fn lpc_sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  let r = 1.0 / (1.0 + e);
  return select(r, e * r, x < 0.0);
}`,
);

function sigmoidExpr(b: ShaderBuilder, x: Expr<'f32'>): Expr<'f32'> {
  return wgsl('f32', `${b.use(SIGMOID)}(${x})`);
}

/** sigmoid as a stage; its derivative from the output, dy * y * (1 - y), in the reference's order. */
function sigmoidStage(): ElementwiseStage {
  return { name: 'sigmoid', emit: (b, x) => sigmoidExpr(b, x), derivative: (_b, _x, y, dy) => wgsl('f32', `${dy} * ${y} * (1.0 - ${y})`) };
}

/** Logistic sigmoid, elementwise. The backward uses the saved output: dy * y * (1 - y). */
export const sigmoidOp: OpDef = {
  name: 'sigmoid',
  doc: 'Logistic sigmoid, elementwise: y = 1 / (1 + exp(-x)). The output is f32 unless a `-> T` says otherwise.',
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
      for (let i = 0; i < x.length; i++) y[i] = logistic(x[i]);
      return { shape: [...inputs[0].shape], data: roundToStorage(y, outType.dtype) };
    },
    backward({ inputs, output, gradOutput }) {
      const y = output.data;
      const dy = gradOutput.data;
      const dx = new Float64Array(y.length);
      for (let i = 0; i < y.length; i++) dx[i] = dy[i] * y[i] * (1 - y[i]);
      return { inputs: [{ shape: [...inputs[0].shape], data: roundF32(dx) }], params: [] };
    },
  },
  wgsl: {
    forward(req) {
      return [mapKernel(req, 'sigmoid', (k, x, i) => ({ value: sigmoidExpr(k.b, x.loadValue(i)) }))];
    },
    elementwise: sigmoidStage,
    backward: (req) => mapBackward(req, 'sigmoid', sigmoidStage()),
  },
};
