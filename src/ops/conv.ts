import type { ConvGeometry } from '../numeric/conv-geometry.js';
import type { Attrs } from '../ir/graph.js';
import { exactBiasAdder } from './exact-bias.js';
import type { OpDef, ShapeResult } from './op-def.js';
import type { Tensor } from '../numeric/tensor.js';
import { intAttr, pairAttr } from './attrs.js';
import { hasBias, learnableLayerAttrs, weightAndBiasParams } from './layer-params.js';
import { roundF32, roundToStorage } from './precision.js';
import { formatShape } from './shape-util.js';
import { convConfigs, convKernel } from '../codegen/wgsl/lib/templates/conv-gemm.js';
import { convBackward } from './conv.wgsl-backward.js';

/**
 * 2-D convolution, Caffe's Convolution layer: cross-correlation over NCHW input with weights
 * [filters, Cin/group, kh, kw], optional bias [filters], stride, zero padding, dilation and
 * channel groups. Output size per spatial axis:
 *   floor((in + 2*pad - (dilation*(k-1)+1)) / stride) + 1        (SEMANTICS.md section 5)
 */

/** Everything the loops need (src/numeric/conv-geometry.ts), derived once from the input shape and attributes. */
function convGeometry(inputShape: readonly number[], attrs: Attrs): { ok: true; g: ConvGeometry } | Extract<ShapeResult, { ok: false }> {
  if (inputShape.length !== 4) {
    return {
      ok: false,
      message: `conv expects a 4-D input [batch, channels, height, width], got shape ${formatShape(inputShape)}`,
      hint: 'reshape the input to NCHW, or use dense for flat features',
      blame: 'x',
    };
  }
  const [n, cin, h, w] = inputShape;
  const cout = intAttr(attrs, 'filters');
  const group = intAttr(attrs, 'group', 1);
  const [kh, kw] = pairAttr(attrs, 'kernel');
  const [strideH, strideW] = pairAttr(attrs, 'stride', [1, 1]);
  const [padH, padW] = pairAttr(attrs, 'pad', [0, 0]);
  const [dilH, dilW] = pairAttr(attrs, 'dilation', [1, 1]);
  if (cin % group !== 0) {
    return {
      ok: false,
      message: `input channels ${cin} are not divisible by group ${group}`,
      hint: `group splits the input channels into equal parts; use a group that divides ${cin}`,
      blame: 'group',
    };
  }
  if (cout % group !== 0) {
    return {
      ok: false,
      message: `filters ${cout} are not divisible by group ${group}`,
      hint: 'each group produces filters/group output channels; make filters a multiple of group',
      blame: 'filters',
    };
  }
  const extentH = dilH * (kh - 1) + 1;
  const extentW = dilW * (kw - 1) + 1;
  if (extentH > h + 2 * padH || extentW > w + 2 * padW) {
    const dilated = dilH !== 1 || dilW !== 1 ? ` (dilated extent ${extentH} x ${extentW})` : '';
    return {
      ok: false,
      message: `kernel ${kh} x ${kw}${dilated} does not fit input ${h} x ${w} with pad ${padH === padW ? padH : `${padH} x ${padW}`}`,
      hint: 'use a smaller kernel, or pad the input',
      blame: 'kernel',
    };
  }
  const hout = Math.floor((h + 2 * padH - extentH) / strideH) + 1;
  const wout = Math.floor((w + 2 * padW - extentW) / strideW) + 1;
  return { ok: true, g: { n, cin, h, w, cout, group, kh, kw, strideH, strideW, padH, padW, dilH, dilW, hout, wout } };
}

function geometryOrThrow(inputShape: readonly number[], attrs: Attrs): ConvGeometry {
  const r = convGeometry(inputShape, attrs);
  // inferShape has accepted this node before any forward runs; failing here is a caller bug.
  if (!r.ok) throw new Error(`conv: ${r.message}`);
  return r.g;
}

/**
 * Calls visit(inputIndex, weightIndex) for every in-bounds product of output element
 * (b, oc, oy, ox), in the kernels' summation order: input channel of the group, then kernel
 * row, then kernel column. Padded positions contribute nothing and are skipped.
 */
function forEachTap(
  g: ConvGeometry,
  b: number,
  oc: number,
  oy: number,
  ox: number,
  visit: (inputIndex: number, weightIndex: number) => void,
): void {
  const cinPerGroup = g.cin / g.group;
  const coutPerGroup = g.cout / g.group;
  const firstInputChannel = Math.floor(oc / coutPerGroup) * cinPerGroup;
  for (let icg = 0; icg < cinPerGroup; icg++) {
    const ic = firstInputChannel + icg;
    for (let ky = 0; ky < g.kh; ky++) {
      const iy = oy * g.strideH - g.padH + ky * g.dilH;
      if (iy < 0 || iy >= g.h) continue;
      for (let kx = 0; kx < g.kw; kx++) {
        const ix = ox * g.strideW - g.padW + kx * g.dilW;
        if (ix < 0 || ix >= g.w) continue;
        visit(((b * g.cin + ic) * g.h + iy) * g.w + ix, ((oc * cinPerGroup + icg) * g.kh + ky) * g.kw + kx);
      }
    }
  }
}

function convForward(
  x: Tensor,
  weights: Tensor,
  bias: Tensor | undefined,
  g: ConvGeometry,
  f32Order: boolean,
  addExactBias: (acc: number, bias: number) => number,
): Float64Array {
  const y = new Float64Array(g.n * g.cout * g.hout * g.wout);
  const xd = x.data;
  const wd = weights.data;
  let out = 0;
  for (let b = 0; b < g.n; b++) {
    for (let oc = 0; oc < g.cout; oc++) {
      for (let oy = 0; oy < g.hout; oy++) {
        for (let ox = 0; ox < g.wout; ox++) {
          let acc = 0;
          // f32: round every product and every partial sum, as an f32 kernel does; exact: the
          // products of fixed-point values are exact and their sum stays below 2^31 codes
          // (the accumulator analysis guarantees it), so f64 sums them exactly in any order.
          if (f32Order) forEachTap(g, b, oc, oy, ox, (xi, wi) => (acc = Math.fround(acc + Math.fround(xd[xi] * wd[wi]))));
          else forEachTap(g, b, oc, oy, ox, (xi, wi) => (acc += xd[xi] * wd[wi]));
          if (bias) acc = f32Order ? Math.fround(acc + bias.data[oc]) : addExactBias(acc, bias.data[oc]);
          y[out++] = acc;
        }
      }
    }
  }
  return y;
}

export const convOp: OpDef = {
  name: 'conv',
  doc: 'Convolution (cross-correlation) over an NCHW input: weights [filters, Cin/group, kh, kw], optional bias [filters]. Output [N, filters, Hout, Wout] with Hout = floor((H + 2*pad - (dilation*(kernel-1)+1)) / stride) + 1. Declared types: `weights:`, `bias:`, `acc:`.',
  inputs: [{ name: 'x', doc: 'input activations [batch, channels, height, width]' }],
  attrs: {
    filters: { kind: 'int', min: 1, doc: 'number of output channels' },
    kernel: { kind: 'ints', arity: 2, min: 1, doc: 'kernel height and width (one int for a square kernel)' },
    stride: { kind: 'ints', arity: 2, min: 1, default: [1, 1], doc: 'step between windows, rows and columns' },
    pad: { kind: 'ints', arity: 2, min: 0, default: [0, 0], doc: 'zero padding added on each side, rows and columns' },
    dilation: { kind: 'ints', arity: 2, min: 1, default: [1, 1], doc: 'spacing between kernel taps' },
    group: { kind: 'int', min: 1, default: 1, doc: 'splits channels into groups convolved separately; divides both channels and filters' },
    ...learnableLayerAttrs,
  },
  typeSlots: ['weights', 'bias', 'acc'],
  params(attrs, inputs) {
    const cin = inputs[0]?.shape[1] ?? 0;
    const [kh, kw] = pairAttr(attrs, 'kernel');
    const filters = intAttr(attrs, 'filters');
    const group = intAttr(attrs, 'group', 1);
    return weightAndBiasParams(attrs, [filters, Math.floor(cin / group), kh, kw], filters);
  },
  inferShape(inputs, attrs) {
    const r = convGeometry(inputs[0].shape, attrs);
    if (!r.ok) return r;
    return { ok: true, shape: [r.g.n, r.g.cout, r.g.hout, r.g.wout] };
  },
  macs(inputs, output, attrs) {
    const [n, cout, hout, wout] = output;
    const [kh, kw] = pairAttr(attrs, 'kernel');
    const cinPerGroup = inputs[0].shape[1] / intAttr(attrs, 'group', 1);
    return n * cout * hout * wout * cinPerGroup * kh * kw;
  },
  fusion: 'anchor',
  differentiable: true,
  cpu: {
    forward({ inputs, params, attrs, outType, accumulate, inputTypes, paramTypes }) {
      const g = geometryOrThrow(inputs[0].shape, attrs);
      const bias = hasBias(attrs) ? params[1] : undefined;
      const addExactBias = exactBiasAdder(inputTypes[0].dtype, paramTypes[0], paramTypes[1]);
      const y = convForward(inputs[0], params[0], bias, g, accumulate !== 'exact', addExactBias);
      return { shape: [g.n, g.cout, g.hout, g.wout], data: roundToStorage(y, outType.dtype) };
    },
    /**
     * dx uses the weights the forward ran with (params[0], already Q(W) when typed: SEMANTICS.md
     * section 3); dW sums x * dy over batch and positions; db sums dy.
     */
    backward({ inputs, params, attrs, gradOutput }) {
      const g = geometryOrThrow(inputs[0].shape, attrs);
      const x = inputs[0].data;
      const w = params[0].data;
      const dy = gradOutput.data;
      const dx = new Float64Array(x.length);
      const dw = new Float64Array(w.length);
      const db = new Float64Array(g.cout);
      let out = 0;
      for (let b = 0; b < g.n; b++) {
        for (let oc = 0; oc < g.cout; oc++) {
          for (let oy = 0; oy < g.hout; oy++) {
            for (let ox = 0; ox < g.wout; ox++) {
              const grad = dy[out++];
              db[oc] += grad;
              forEachTap(g, b, oc, oy, ox, (xi, wi) => {
                dx[xi] += w[wi] * grad;
                dw[wi] += x[xi] * grad;
              });
            }
          }
        }
      }
      const paramGrads = [{ shape: [...params[0].shape], data: roundF32(dw) }];
      if (hasBias(attrs)) paramGrads.push({ shape: [g.cout], data: roundF32(db) });
      return { inputs: [{ shape: [...inputs[0].shape], data: roundF32(dx) }], params: paramGrads };
    },
  },
  /** Implicit GEMM over the NCHW input (src/codegen/wgsl/lib/templates/conv-gemm.ts): one dispatch per fused node. */
  wgsl: {
    backward: convBackward,
    forward: (req) => convKernel(req, geometryOrThrow(req.inputs[0].shape, req.attrs as Attrs)),
    configs: (req) => convConfigs(req, geometryOrThrow(req.inputs[0].shape, req.attrs as Attrs)),
  },
};
