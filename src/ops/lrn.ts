import type { Attrs } from '../ir/graph.js';
import type { OpDef } from './op-def.js';
import { floatAttr, intAttr } from './attrs.js';
import { roundF32, roundToStorage } from './precision.js';
import { formatShape, productOf } from './shape-util.js';
import { wgsl } from '../codegen/wgsl/lib/expr.js';
import type { KernelDispatch, KernelRequest } from '../codegen/wgsl/lib/kernel.js';
import { ElementKernel } from '../codegen/wgsl/lib/templates/element-kernel.js';
import { lrnBackward } from './lrn.wgsl-backward.js';

/**
 * Local response normalisation across channels (Caffe LRN, ACROSS_CHANNELS):
 *   scale[c] = k + alpha / n * sum_{c' in window(c)} x[c']^2
 *   y[c]     = x[c] * scale[c]^(-beta)
 * with the window of n = local_size channels centred on c and clipped at the first and last
 * channel (missing channels count as zeros). Works on axis 1 of any input of rank >= 2.
 */

interface LrnParams {
  size: number;
  alpha: number;
  beta: number;
  k: number;
}

function readParams(attrs: Attrs): LrnParams {
  return {
    size: intAttr(attrs, 'local_size', 5),
    alpha: floatAttr(attrs, 'alpha', 1),
    beta: floatAttr(attrs, 'beta', 0.75),
    k: floatAttr(attrs, 'k', 1),
  };
}

/** The per-element scale: k + alpha/n * (sum of squares over the channel window). */
function lrnScale(x: Float64Array, shape: readonly number[], p: LrnParams): Float64Array {
  const n = shape[0];
  const c = shape[1];
  const inner = productOf(shape.slice(2));
  const half = (p.size - 1) / 2;
  const scale = new Float64Array(x.length);
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const lo = Math.max(0, ch - half);
      const hi = Math.min(c - 1, ch + half);
      for (let i = 0; i < inner; i++) {
        let sumSquares = 0;
        for (let cc = lo; cc <= hi; cc++) {
          const v = x[(b * c + cc) * inner + i];
          sumSquares += v * v;
        }
        scale[(b * c + ch) * inner + i] = p.k + (p.alpha / p.size) * sumSquares;
      }
    }
  }
  return scale;
}

/**
 * WGSL forward, one output element per lane: the squares of the channel window summed in f32 in
 * channel order, scale = k + (alpha / n) * sum, y = x * pow(scale, -beta). The reference works in
 * f64, so results agree within the f32 tolerance (pow's error on lavapipe is a few ulp).
 */
function lrnForward(req: KernelRequest): KernelDispatch[] {
  const p = readParams(req.attrs as Attrs);
  const shape = req.inputs[0].shape;
  const k = new ElementKernel(req, 'lrn');
  const x = k.input('x', req.inputs[0]);
  const channels = k.uniform('lrn_c', 'u32', shape[1]);
  const inner = k.uniform('lrn_inner', 'u32', productOf(shape.slice(2)));
  const half = k.uniform('lrn_half', 'u32', (p.size - 1) / 2);
  const kConst = k.uniform('lrn_k', 'f32', p.k);
  const alpha = k.uniform('lrn_alpha_n', 'f32', p.alpha / p.size);
  const negBeta = k.uniform('lrn_neg_beta', 'f32', -p.beta);
  return [
    k.finish((i) => ({
      lines: [
        `let lpc_c = (${i} / ${inner}) % ${channels};`,
        // element i at channel 0 of its image and position; channel cc is cc * inner further
        `let lpc_base = ${i} - lpc_c * ${inner};`,
        `let lpc_hi = min(lpc_c + ${half}, ${channels} - 1u);`,
        `var lpc_sq = 0.0;`,
        `for (var lpc_cc = lpc_c - min(lpc_c, ${half}); lpc_cc <= lpc_hi; lpc_cc++) {`,
        `  let lpc_v = ${x.loadValue(wgsl('u32', `lpc_base + lpc_cc * ${inner}`))};`,
        `  lpc_sq = lpc_sq + lpc_v * lpc_v;`,
        `}`,
        `let lpc_scale = ${kConst} + ${alpha} * lpc_sq;`,
      ],
      value: wgsl('f32', `${x.loadValue(i)} * pow(lpc_scale, ${negBeta})`),
    })),
  ];
}

export const lrnOp: OpDef = {
  name: 'lrn',
  doc: 'Local response normalisation across channels (Caffe LRN): y = x * (k + alpha/local_size * sum of x^2 over local_size neighbouring channels, centred)^(-beta). Output is f32.',
  inputs: [{ name: 'x', doc: 'input activations [batch, channels, ...]' }],
  attrs: {
    local_size: { kind: 'int', default: 5, min: 1, doc: 'number of channels summed over, centred on each channel; must be odd' },
    alpha: { kind: 'float', default: 1, doc: 'scaling of the sum of squares' },
    beta: { kind: 'float', default: 0.75, doc: 'exponent of the normaliser' },
    k: { kind: 'float', default: 1, doc: 'constant added to the scaled sum of squares' },
  },
  inferShape(inputs, attrs) {
    const shape = inputs[0].shape;
    if (shape.length < 2) {
      return {
        ok: false,
        message: `lrn normalises across channels (axis 1), but the input has shape ${formatShape(shape)}`,
        hint: 'apply lrn to a [batch, channels, ...] tensor',
        blame: 'x',
      };
    }
    const size = intAttr(attrs, 'local_size', 5);
    if (size % 2 !== 1) {
      return {
        ok: false,
        message: `lrn local_size ${size} must be odd, so the window is centred on each channel`,
        hint: `use ${size + 1} or ${Math.max(1, size - 1)}`,
        blame: 'local_size',
      };
    }
    return { ok: true, shape: [...shape] };
  },
  differentiable: true,
  cpu: {
    forward({ inputs, attrs, outType }) {
      const p = readParams(attrs);
      const x = inputs[0].data;
      const scale = lrnScale(x, inputs[0].shape, p);
      const y = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) y[i] = x[i] * Math.pow(scale[i], -p.beta);
      return { shape: [...inputs[0].shape], data: roundToStorage(y, outType.dtype) };
    },
    /**
     * dx[c] = dy[c] * scale[c]^-beta
     *         - (2 alpha beta / n) * x[c] * sum_{c' : c in window(c')} dy[c'] * x[c'] * scale[c']^(-beta-1)
     * The window is symmetric, so c is in window(c') exactly when c' is in window(c).
     * Recomputed from x rather than the stored output, so the f32 rounding of y does not leak in.
     */
    backward({ inputs, attrs, gradOutput }) {
      const p = readParams(attrs);
      const shape = inputs[0].shape;
      const x = inputs[0].data;
      const dy = gradOutput.data;
      const scale = lrnScale(x, shape, p);
      const n = shape[0];
      const c = shape[1];
      const inner = productOf(shape.slice(2));
      const half = (p.size - 1) / 2;
      // ratio[c'] = dy[c'] * x[c'] * scale[c']^(-beta-1): the part of each output's gradient that
      // flows back through its scale.
      const ratio = new Float64Array(x.length);
      for (let i = 0; i < x.length; i++) ratio[i] = dy[i] * x[i] * Math.pow(scale[i], -p.beta - 1);
      const coeff = (2 * p.alpha * p.beta) / p.size;
      const dx = new Float64Array(x.length);
      for (let b = 0; b < n; b++) {
        for (let ch = 0; ch < c; ch++) {
          const lo = Math.max(0, ch - half);
          const hi = Math.min(c - 1, ch + half);
          for (let i = 0; i < inner; i++) {
            const at = (b * c + ch) * inner + i;
            let through = 0;
            for (let cc = lo; cc <= hi; cc++) through += ratio[(b * c + cc) * inner + i];
            dx[at] = dy[at] * Math.pow(scale[at], -p.beta) - coeff * x[at] * through;
          }
        }
      }
      return { inputs: [{ shape: [...shape], data: roundF32(dx) }], params: [] };
    },
  },
  wgsl: { forward: lrnForward, backward: lrnBackward },
};
