import type { OpDef } from './op-def.js';
import { roundF32, roundToStorage } from './precision.js';
import { poolForward } from './pooling.wgsl.js';
import { poolBackward } from './pooling.wgsl-backward.js';
import { poolGeometry, poolGeometryOrThrow, poolingAttrs, poolOutputShape, windowRange } from './pooling.js';

/**
 * Average pooling, Caffe's Pooling AVE: the sum of the inputs in the window (clipped to the
 * input) divided by the window's size clipped to the PADDED input, so windows overlapping the
 * padding count the padded zeros, but windows hanging past the padding do not (Caffe's
 * pool_size). The sum runs in f32 in row-major window order, then one f32 division.
 */
export const avgPoolOp: OpDef = {
  name: 'avg_pool',
  doc: "Average pooling over height and width of an NCHW input (Caffe Pooling AVE): divides by the window clipped to the padded input. Output size uses Caffe's ceil rule by default (ceil_mode: false for floor); global: true averages each whole channel. Output is f32.",
  inputs: [{ name: 'x', doc: 'input activations [batch, channels, height, width]' }],
  attrs: poolingAttrs,
  inferShape(inputs, attrs) {
    const r = poolGeometry('avg_pool', inputs[0].shape, attrs);
    return r.ok ? { ok: true, shape: poolOutputShape(r.g) } : r;
  },
  differentiable: true,
  cpu: {
    forward({ inputs, attrs, outType }) {
      const g = poolGeometryOrThrow('avg_pool', inputs[0].shape, attrs);
      const x = inputs[0].data;
      const y = new Float64Array(g.n * g.c * g.hout * g.wout);
      let out = 0;
      for (let plane = 0; plane < g.n * g.c; plane++) {
        const base = plane * g.h * g.w;
        for (let oy = 0; oy < g.hout; oy++) {
          const rows = windowRange(oy, g.strideH, g.padH, g.kh, g.h);
          for (let ox = 0; ox < g.wout; ox++) {
            const cols = windowRange(ox, g.strideW, g.padW, g.kw, g.w);
            let sum = 0;
            for (let iy = rows.start; iy < rows.end; iy++) {
              for (let ix = cols.start; ix < cols.end; ix++) sum = Math.fround(sum + x[base + iy * g.w + ix]);
            }
            y[out++] = Math.fround(sum / (rows.paddedExtent * cols.paddedExtent));
          }
        }
      }
      return { shape: poolOutputShape(g), data: roundToStorage(y, outType.dtype) };
    },
    /** Each output's gradient is shared equally (1 / pool_size) by the inputs of its window. */
    backward({ inputs, attrs, gradOutput }) {
      const g = poolGeometryOrThrow('avg_pool', inputs[0].shape, attrs);
      const dy = gradOutput.data;
      const dx = new Float64Array(inputs[0].data.length);
      let out = 0;
      for (let plane = 0; plane < g.n * g.c; plane++) {
        const base = plane * g.h * g.w;
        for (let oy = 0; oy < g.hout; oy++) {
          const rows = windowRange(oy, g.strideH, g.padH, g.kh, g.h);
          for (let ox = 0; ox < g.wout; ox++) {
            const cols = windowRange(ox, g.strideW, g.padW, g.kw, g.w);
            const share = dy[out++] / (rows.paddedExtent * cols.paddedExtent);
            for (let iy = rows.start; iy < rows.end; iy++) {
              for (let ix = cols.start; ix < cols.end; ix++) dx[base + iy * g.w + ix] += share;
            }
          }
        }
      }
      return { inputs: [{ shape: [...inputs[0].shape], data: roundF32(dx) }], params: [] };
    },
  },
  wgsl: {
    forward: (req) => poolForward(req, 'avg'),
    backward: (req) => poolBackward(req, 'avg'),
  },
};
