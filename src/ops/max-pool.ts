import type { OpDef } from './op-def.js';
import type { Tensor } from '../numeric/tensor.js';
import { roundF32, roundToStorage } from './precision.js';
import { poolForward } from './pooling.wgsl.js';
import { poolBackward } from './pooling.wgsl-backward.js';
import { poolGeometry, poolGeometryOrThrow, poolingAttrs, poolOutputShape, windowRange, type PoolGeometry } from './pooling.js';

/**
 * Max pooling, Caffe's Pooling MAX: each output is the largest input in its window; padding
 * never wins (it is outside the clipped window). Ties go to the first maximum in row-major
 * window order (Caffe's strict `>`), which is also where the backward pass sends the gradient.
 */

/** For each output element, the flat input index of its maximum. */
function argmaxIndices(x: Tensor, g: PoolGeometry): Int32Array {
  const arg = new Int32Array(g.n * g.c * g.hout * g.wout);
  let out = 0;
  for (let plane = 0; plane < g.n * g.c; plane++) {
    const base = plane * g.h * g.w;
    for (let oy = 0; oy < g.hout; oy++) {
      const rows = windowRange(oy, g.strideH, g.padH, g.kh, g.h);
      for (let ox = 0; ox < g.wout; ox++) {
        const cols = windowRange(ox, g.strideW, g.padW, g.kw, g.w);
        let best = base + rows.start * g.w + cols.start;
        for (let iy = rows.start; iy < rows.end; iy++) {
          for (let ix = cols.start; ix < cols.end; ix++) {
            const i = base + iy * g.w + ix;
            if (x.data[i] > x.data[best]) best = i;
          }
        }
        arg[out++] = best;
      }
    }
  }
  return arg;
}

export const maxPoolOp: OpDef = {
  name: 'max_pool',
  doc: "Max pooling over height and width of an NCHW input (Caffe Pooling MAX). Output size uses Caffe's ceil rule by default (ceil_mode: false for floor); global: true pools each whole channel. Keeps the input's number type, since the maximum of representable values is representable.",
  inputs: [{ name: 'x', doc: 'input activations [batch, channels, height, width]' }],
  attrs: poolingAttrs,
  inferShape(inputs, attrs) {
    const r = poolGeometry('max_pool', inputs[0].shape, attrs);
    return r.ok ? { ok: true, shape: poolOutputShape(r.g) } : r;
  },
  inferType(inputs) {
    return inputs[0].dtype;
  },
  differentiable: true,
  cpu: {
    forward({ inputs, attrs, outType }) {
      const g = poolGeometryOrThrow('max_pool', inputs[0].shape, attrs);
      const arg = argmaxIndices(inputs[0], g);
      const y = new Float64Array(arg.length);
      for (let i = 0; i < arg.length; i++) y[i] = inputs[0].data[arg[i]];
      return { shape: poolOutputShape(g), data: roundToStorage(y, outType.dtype) };
    },
    /** The gradient of each output goes to the input element that won its window. */
    backward({ inputs, attrs, gradOutput }) {
      const g = poolGeometryOrThrow('max_pool', inputs[0].shape, attrs);
      const arg = argmaxIndices(inputs[0], g);
      const dx = new Float64Array(inputs[0].data.length);
      for (let i = 0; i < arg.length; i++) dx[arg[i]] += gradOutput.data[i];
      return { inputs: [{ shape: [...inputs[0].shape], data: roundF32(dx) }], params: [] };
    },
  },
  wgsl: {
    forward: (req) => poolForward(req, 'max'),
    backward: (req) => poolBackward(req, 'max'),
  },
};
