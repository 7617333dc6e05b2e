import type { Attrs } from '../ir/graph.js';
import type { AttrSpec, ShapeResult } from './op-def.js';
import { boolAttr, intsAttr, pairAttr } from './attrs.js';
import { formatShape } from './shape-util.js';

/**
 * What max_pool and avg_pool share: attributes, the output-size rule and the windows.
 *
 * Output size per spatial axis (SEMANTICS.md section 5):
 *   ceil_mode (default, Caffe): out = ceil((in + 2*pad - k) / stride) + 1, then, when any pad
 *     is non-zero (Caffe tests pad_h || pad_w), out -= 1 on each axis where the last window would
 *     start at or past in + pad (so it would hold padding only).
 *   floor mode: out = floor((in + 2*pad - k) / stride) + 1.
 * Window (oy, ox) covers rows [oy*stride - pad, oy*stride - pad + k) of the padded input.
 * Caffe lets a window hang entirely outside the input when pad is 0 and kernel < stride in ceil
 * mode (and then pools nothing); lpc rejects that shape instead of computing garbage.
 */

export const poolingAttrs: Record<string, AttrSpec> = {
  kernel: {
    kind: 'ints',
    arity: 2,
    min: 1,
    optional: true,
    doc: 'window height and width (one int for a square window); required unless global',
  },
  stride: { kind: 'ints', arity: 2, min: 1, default: [1, 1], doc: 'step between windows, rows and columns' },
  pad: { kind: 'ints', arity: 2, min: 0, default: [0, 0], doc: 'padding added on each side, rows and columns' },
  global: { kind: 'bool', default: false, doc: 'pool each channel over the whole height and width (kernel = input size)' },
  ceil_mode: {
    kind: 'bool',
    default: true,
    doc: "true: Caffe's output size rule (ceil, with the padding clip); false: floor, as most other frameworks",
  },
};

export interface PoolGeometry {
  n: number;
  c: number;
  h: number;
  w: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  hout: number;
  wout: number;
}

type PoolError = Extract<ShapeResult, { ok: false }>;

function outputSize(input: number, k: number, stride: number, pad: number, ceilMode: boolean, anyPad: boolean): number {
  const span = input + 2 * pad - k;
  if (!ceilMode) return Math.floor(span / stride) + 1;
  let out = Math.ceil(span / stride) + 1;
  if (anyPad && (out - 1) * stride >= input + pad) out -= 1;
  return out;
}

export function poolGeometry(op: string, inputShape: readonly number[], attrs: Attrs): { ok: true; g: PoolGeometry } | PoolError {
  if (inputShape.length !== 4) {
    return {
      ok: false,
      message: `${op} expects a 4-D input [batch, channels, height, width], got shape ${formatShape(inputShape)}`,
      hint: 'pooling works on NCHW images; reshape the input first',
      blame: 'x',
    };
  }
  const [n, c, h, w] = inputShape;
  const isGlobal = boolAttr(attrs, 'global', false);
  const ceilMode = boolAttr(attrs, 'ceil_mode', true);
  const [strideH, strideW] = pairAttr(attrs, 'stride', [1, 1]);
  const [padH, padW] = pairAttr(attrs, 'pad', [0, 0]);
  const hasKernel = attrs.kernel !== undefined;
  if (isGlobal) {
    if (hasKernel) {
      return {
        ok: false,
        message: `${op} with global: true takes its window from the input; kernel must not be given`,
        hint: 'remove kernel, or remove global',
        blame: 'kernel',
      };
    }
    if (padH !== 0 || padW !== 0 || strideH !== 1 || strideW !== 1) {
      return {
        ok: false,
        message: `${op} with global: true needs pad 0 and stride 1`,
        hint: 'remove pad and stride; a global pool has one window per channel',
        blame: padH !== 0 || padW !== 0 ? 'pad' : 'stride',
      };
    }
    return { ok: true, g: { n, c, h, w, kh: h, kw: w, strideH: 1, strideW: 1, padH: 0, padW: 0, hout: 1, wout: 1 } };
  }
  if (!hasKernel) {
    return {
      ok: false,
      message: `${op} needs a kernel unless global: true`,
      hint: `write e.g. ${op}(x, kernel: 2, stride: 2)`,
      blame: 'kernel',
    };
  }
  const kernelList = intsAttr(attrs, 'kernel');
  const [kh, kw] = pairAttr(attrs, 'kernel');
  const kernelText = kernelList.length === 1 ? `${kh}` : `${kh} x ${kw}`;
  if (padH >= kh || padW >= kw) {
    return {
      ok: false,
      message: `${op} pad ${padH === padW ? padH : `${padH} x ${padW}`} must be smaller than the kernel ${kernelText}`,
      hint: 'a window made mostly of padding pools nothing useful; reduce pad',
      blame: 'pad',
    };
  }
  if (kh > h + 2 * padH || kw > w + 2 * padW) {
    return {
      ok: false,
      message: `kernel ${kh} x ${kw} does not fit input ${h} x ${w} with pad ${padH === padW ? padH : `${padH} x ${padW}`}`,
      hint: 'use a smaller kernel, global: true, or pad the input',
      blame: 'kernel',
    };
  }
  const anyPad = padH > 0 || padW > 0;
  const hout = outputSize(h, kh, strideH, padH, ceilMode, anyPad);
  const wout = outputSize(w, kw, strideW, padW, ceilMode, anyPad);
  if ((hout - 1) * strideH - padH >= h || (wout - 1) * strideW - padW >= w) {
    return {
      ok: false,
      message: `${op} kernel ${kernelText} with stride ${strideH === strideW ? strideH : `${strideH} x ${strideW}`} leaves the last window outside the ${h} x ${w} input`,
      hint: 'use ceil_mode: false, or a kernel at least as large as the stride',
      blame: 'stride',
    };
  }
  return { ok: true, g: { n, c, h, w, kh, kw, strideH, strideW, padH, padW, hout, wout } };
}

export function poolGeometryOrThrow(op: string, inputShape: readonly number[], attrs: Attrs): PoolGeometry {
  const r = poolGeometry(op, inputShape, attrs);
  // inferShape has accepted this node before any forward runs; failing here is a caller bug.
  if (!r.ok) throw new Error(`${op}: ${r.message}`);
  return r.g;
}

/** Rows or columns [start, end) of a window clipped to the input, and its extent clipped to the padded input. */
export interface WindowRange {
  start: number;
  end: number;
  /** Extent within the padded input (Caffe's pool_size factor for average pooling). */
  paddedExtent: number;
}

export function windowRange(o: number, stride: number, pad: number, k: number, size: number): WindowRange {
  const first = o * stride - pad;
  const paddedEnd = Math.min(first + k, size + pad);
  return { start: Math.max(first, 0), end: Math.min(first + k, size), paddedExtent: paddedEnd - first };
}

export function poolOutputShape(g: PoolGeometry): number[] {
  return [g.n, g.c, g.hout, g.wout];
}
