import type { Attrs } from '../ir/graph.js';
import type { KernelBackwardRequest, KernelDispatch } from '../codegen/wgsl/lib/kernel.js';
import { gemmBackward, type GemmBackwardGeometry } from '../codegen/wgsl/lib/templates/gemm-backward.js';
import { intAttr, pairAttr } from './attrs.js';
import { hasBias } from './layer-params.js';

/**
 * The WGSL backward of conv (training): dX as a transposed convolution, dW and db, from the
 * shared conv/dense backward template (src/codegen/wgsl/lib/templates/gemm-backward.ts, which
 * describes the kernels and their summation order). The output size comes from the gradient's
 * shape, which the shape rule computed.
 */
export function convGemmGeometry(inputShape: readonly number[], outputShape: readonly number[], attrs: Attrs): GemmBackwardGeometry {
  if (inputShape.length !== 4 || outputShape.length !== 4) {
    throw new Error(`conv backward expects NCHW input and output, got [${inputShape.join(', ')}] and [${outputShape.join(', ')}]`);
  }
  const [n, cin, h, w] = inputShape;
  const [, cout, hout, wout] = outputShape;
  const group = intAttr(attrs, 'group', 1);
  const [kh, kw] = pairAttr(attrs, 'kernel');
  const [strideH, strideW] = pairAttr(attrs, 'stride', [1, 1]);
  const [padH, padW] = pairAttr(attrs, 'pad', [0, 0]);
  const [dilH, dilW] = pairAttr(attrs, 'dilation', [1, 1]);
  return {
    n,
    cin,
    h,
    w,
    cout,
    group,
    kh,
    kw,
    strideH,
    strideW,
    padH,
    padW,
    dilH,
    dilW,
    hout,
    wout,
    weightStrideOut: (cin / group) * kh * kw,
    weightStrideIn: kh * kw,
    bias: hasBias(attrs),
  };
}

export function convBackward(req: KernelBackwardRequest): KernelDispatch[] {
  const attrs = req.attrs as Attrs;
  return gemmBackward(req, convGemmGeometry(req.inputs[0].shape, req.gradOutput.shape, attrs), 'conv');
}
