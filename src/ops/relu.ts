import type { Attrs } from '../ir/graph.js';
import type { OpDef } from './op-def.js';
import { F32, type NumberType } from '../numeric/number-type.js';
import { f32Lit, wgsl, type Expr } from '../codegen/wgsl/lib/expr.js';
import type { ElementwiseStage } from '../codegen/wgsl/lib/kernel.js';
import { mapKernel } from '../codegen/wgsl/lib/templates/element-kernel.js';
import { mapBackward } from '../codegen/wgsl/lib/templates/grad-kernel.js';
import { floatAttr } from './attrs.js';
import { roundF32, roundToStorage } from './precision.js';

/**
 * Rectified linear unit, Caffe's ReLU: y = x for x > 0, negative_slope * x otherwise (a leaky
 * ReLU when the slope is not 0). The gradient at exactly 0 is the slope, as in Caffe.
 */
/**
 * relu of an f32 value in WGSL. Plain relu gives +0 for x <= 0 and for NaN, like the reference
 * (`x > 0 ? x : 0`). The leaky form multiplies by the slope rounded to f32, where the reference
 * multiplies in f64 and rounds once: the two agree within an f32 ulp of the product.
 */
function reluExpr(x: Expr<'f32'>, slope: number): Expr<'f32'> {
  return wgsl('f32', slope === 0 ? `select(0.0, ${x}, ${x} > 0.0)` : `select(${x} * ${f32Lit(slope)}, ${x}, ${x} > 0.0)`);
}

/**
 * The backward in WGSL, as the reference: dy where x > 0, else slope * dy (0 for plain relu; the
 * slope at exactly 0, as Caffe). The leaky product is one f32 multiply by the f32 slope.
 */
function reluDerivative(x: Expr<'f32'>, dy: Expr<'f32'>, slope: number): Expr<'f32'> {
  return wgsl('f32', slope === 0 ? `select(0.0, ${dy}, ${x} > 0.0)` : `select(${dy} * ${f32Lit(slope)}, ${dy}, ${x} > 0.0)`);
}

/** relu as an epilogue stage (and, standalone, the stage its backward differentiates). */
function reluStage(attrs: Readonly<Record<string, unknown>>, inType: NumberType): ElementwiseStage {
  const slope = floatAttr(attrs as Attrs, 'negative_slope', 0);
  return {
    name: slope === 0 ? 'relu' : `relu(${slope})`,
    emit: (_b, x) => reluExpr(x, slope),
    outType: reluType(inType, attrs),
    derivative: (_b, x, _y, dy) => reluDerivative(x, dy, slope),
  };
}

/** Relu keeps a fixed input's grid when the slope is 0. */
function reluType(inType: NumberType, attrs: Readonly<Record<string, unknown>>): NumberType {
  return inType.kind === 'fixed' && floatAttr(attrs as Attrs, 'negative_slope', 0) === 0 ? inType : F32;
}

export const reluOp: OpDef = {
  name: 'relu',
  doc: 'Rectified linear unit: y = max(x, 0) + negative_slope * min(x, 0). With slope 0 the output keeps a fixed-point input type, since relu of a representable value is representable.',
  inputs: [{ name: 'x', doc: 'any tensor' }],
  attrs: {
    negative_slope: { kind: 'float', default: 0, doc: 'slope for x <= 0 (0: plain ReLU; otherwise leaky ReLU)' },
  },
  inferShape(inputs) {
    return { ok: true, shape: [...inputs[0].shape] };
  },
  inferType(inputs, attrs) {
    const t = inputs[0].dtype;
    return t.kind === 'fixed' && floatAttr(attrs, 'negative_slope', 0) === 0 ? t : F32;
  },
  fusion: 'epilogue',
  differentiable: true,
  cpu: {
    forward({ inputs, attrs, outType }) {
      const x = inputs[0].data;
      const slope = floatAttr(attrs, 'negative_slope', 0);
      const y = new Float64Array(x.length);
      // Plain relu writes +0, never -0 (0 * negative): zeros are counted and stored as codes.
      for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : slope === 0 ? 0 : slope * x[i];
      return { shape: [...inputs[0].shape], data: roundToStorage(y, outType.dtype) };
    },
    backward({ inputs, attrs, gradOutput }) {
      const x = inputs[0].data;
      const dy = gradOutput.data;
      const slope = floatAttr(attrs, 'negative_slope', 0);
      const dx = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) dx[i] = x[i] > 0 ? dy[i] : slope === 0 ? 0 : slope * dy[i];
      return { inputs: [{ shape: [...inputs[0].shape], data: roundF32(dx) }], params: [] };
    },
  },
  wgsl: {
    forward(req) {
      const slope = floatAttr(req.attrs as Attrs, 'negative_slope', 0);
      const inType = req.inputs[0].type;
      return [
        mapKernel(req, 'relu', (_k, x, i) =>
          // A fixed input keeps its codes: max(k, 0) is exact at every width.
          inType.kind === 'fixed' && slope === 0
            ? { code: wgsl('i32', `max(${x.loadCode(i)}, 0i)`), type: inType }
            : { lines: [`let lpc_x = ${x.loadValue(i)};`], value: reluExpr(wgsl('f32', 'lpc_x'), slope), type: reluType(inType, req.attrs) },
        ),
      ];
    },
    elementwise: reluStage,
    backward: (req) => mapBackward(req, 'relu', reluStage(req.attrs, req.inputs[0].type)),
  },
};
