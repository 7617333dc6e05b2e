import type { Attrs } from '../ir/graph.js';
import type { OpDef, ParamSpec } from './op-def.js';
import { boolAttr, intAttr } from './attrs.js';
import { roundF32, roundToStorage } from './precision.js';
import { axisRangeMessage, canonicalAxis, splitAtAxis } from './shape-util.js';
import { wgsl } from '../codegen/wgsl/lib/expr.js';
import type { KernelDispatch, KernelRequest } from '../codegen/wgsl/lib/kernel.js';
import { ElementKernel } from '../codegen/wgsl/lib/templates/element-kernel.js';
import { paramValue } from '../codegen/wgsl/lib/templates/kernel-io.js';
import { scaleBackward } from './scale.wgsl-backward.js';

/**
 * Per-channel scale and shift, Caffe's Scale layer with one input (the learned-scale form that
 * follows BatchNorm): y = x * gamma[c] + beta[c], c indexing `axis`. gamma starts at 1 and beta
 * (present only with bias_term, off by default as in Caffe) at 0.
 */

function channelAxis(shape: readonly number[], attrs: Attrs): number {
  const axis = canonicalAxis(intAttr(attrs, 'axis', 1), shape.length);
  // inferShape has accepted this node before any forward runs; failing here is a caller bug.
  if (axis === undefined) throw new Error(`scale: ${axisRangeMessage('axis', intAttr(attrs, 'axis', 1), shape)}`);
  return axis;
}

/**
 * WGSL forward: y = x * gamma[d] (+ beta[d]) with d = (i / inner) % dim. Without a shift the
 * product is one f32 multiply, the reference's value exactly; with one, fma rounds x * gamma +
 * beta once, as the reference does in f64 before rounding to f32 (they can differ only where that
 * double rounding matters, by one ulp).
 */
function scaleForward(req: KernelRequest): KernelDispatch[] {
  const shape = req.inputs[0].shape;
  const { dim, inner } = splitAtAxis(shape, channelAxis(shape, req.attrs as Attrs));
  const shift = boolAttr(req.attrs as Attrs, 'bias_term', false);
  const k = new ElementKernel(req, 'scale');
  const x = k.input('x', req.inputs[0]);
  const gamma = k.input('gamma', req.params[0]);
  const beta = shift ? k.input('beta', req.params[1]) : undefined;
  const sDim = k.uniform('scale_dim', 'u32', dim);
  const sInner = k.uniform('scale_inner', 'u32', inner);
  return [
    k.finish((i) => {
      const d = wgsl('u32', 'lpc_d');
      const lines = [`let lpc_d = (${i} / ${sInner}) % ${sDim};`, `let lpc_x = ${x.loadValue(i)};`, `let lpc_g = ${paramValue(k.b, req, 0, gamma, d, k.rng)};`];
      if (!beta) return { lines, value: wgsl('f32', 'lpc_x * lpc_g') };
      lines.push(`let lpc_b = ${paramValue(k.b, req, 1, beta, d, k.rng)};`);
      return { lines, value: wgsl('f32', 'fma(lpc_x, lpc_g, lpc_b)') };
    }),
  ];
}

export const scaleOp: OpDef = {
  name: 'scale',
  doc: 'Per-channel affine map (Caffe Scale): y = x * gamma + beta, with gamma (and beta when bias_term) learned per index of `axis` (default 1, the channels). Usually follows batch_norm. Output is f32.',
  inputs: [{ name: 'x', doc: 'input activations' }],
  attrs: {
    axis: { kind: 'int', default: 1, doc: 'the axis gamma and beta run along; negative counts from the end' },
    bias_term: { kind: 'bool', default: false, doc: 'also learn a shift beta (Caffe default: off)' },
  },
  params(attrs, inputs) {
    const shape = inputs[0]?.shape ?? [];
    const axis = canonicalAxis(intAttr(attrs, 'axis', 1), shape.length);
    const c = axis === undefined ? 0 : shape[axis];
    const specs: ParamSpec[] = [{ slot: 'gamma', shape: [c], filler: { kind: 'constant', value: 1 } }];
    if (boolAttr(attrs, 'bias_term', false)) specs.push({ slot: 'beta', shape: [c], filler: { kind: 'constant', value: 0 } });
    return specs;
  },
  inferShape(inputs, attrs) {
    const shape = inputs[0].shape;
    const axis = intAttr(attrs, 'axis', 1);
    if (canonicalAxis(axis, shape.length) === undefined) {
      return {
        ok: false,
        message: axisRangeMessage('scale axis', axis, shape),
        hint: 'scale runs along the channel axis (1) of an NCHW tensor',
        blame: 'axis',
      };
    }
    return { ok: true, shape: [...shape] };
  },
  differentiable: true,
  cpu: {
    forward({ inputs, params, attrs, outType }) {
      const x = inputs[0];
      const { outer, dim, inner } = splitAtAxis(x.shape, channelAxis(x.shape, attrs));
      const gamma = params[0].data;
      const beta = boolAttr(attrs, 'bias_term', false) ? params[1].data : undefined;
      const y = new Float64Array(x.data.length);
      for (let o = 0; o < outer; o++) {
        for (let d = 0; d < dim; d++) {
          const shift = beta ? beta[d] : 0;
          for (let i = 0; i < inner; i++) {
            const at = (o * dim + d) * inner + i;
            y[at] = x.data[at] * gamma[d] + shift;
          }
        }
      }
      return { shape: [...x.shape], data: roundToStorage(y, outType.dtype) };
    },
    /** dx = dy * gamma; dgamma = sum dy * x; dbeta = sum dy (sums over all but `axis`). */
    backward({ inputs, params, attrs, gradOutput }) {
      const x = inputs[0];
      const { outer, dim, inner } = splitAtAxis(x.shape, channelAxis(x.shape, attrs));
      const gamma = params[0].data;
      const dy = gradOutput.data;
      const dx = new Float64Array(x.data.length);
      const dGamma = new Float64Array(dim);
      const dBeta = new Float64Array(dim);
      for (let o = 0; o < outer; o++) {
        for (let d = 0; d < dim; d++) {
          for (let i = 0; i < inner; i++) {
            const at = (o * dim + d) * inner + i;
            dx[at] = dy[at] * gamma[d];
            dGamma[d] += dy[at] * x.data[at];
            dBeta[d] += dy[at];
          }
        }
      }
      const paramGrads = [{ shape: [dim], data: roundF32(dGamma) }];
      if (boolAttr(attrs, 'bias_term', false)) paramGrads.push({ shape: [dim], data: roundF32(dBeta) });
      return { inputs: [{ shape: [...x.shape], data: roundF32(dx) }], params: paramGrads };
    },
  },
  wgsl: { forward: scaleForward, backward: scaleBackward },
};
