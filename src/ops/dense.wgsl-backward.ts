import type { Attrs } from '../ir/graph.js';
import type { KernelBackwardRequest, KernelDispatch } from '../codegen/wgsl/lib/kernel.js';
import { gemmBackward, type GemmBackwardGeometry } from '../codegen/wgsl/lib/templates/gemm-backward.js';
import { boolAttr, intAttr } from './attrs.js';
import { hasBias } from './layer-params.js';
import { canonicalAxis, productOf } from './shape-util.js';

/**
 * The WGSL backward of dense (training), from the shared conv/dense backward template
 * (src/codegen/wgsl/lib/templates/gemm-backward.ts): the input flattened from `axis` into rows of
 * K features is an [M, K, 1, 1] image batch and the layer a 1 x 1 convolution with U filters;
 * `transpose` ([K, U] weights) only changes the weight strides.
 */
export function denseGemmGeometry(inputShape: readonly number[], attrs: Attrs): GemmBackwardGeometry {
  const axis = canonicalAxis(intAttr(attrs, 'axis', 1), inputShape.length);
  if (axis === undefined) throw new Error(`dense backward: axis out of range for input [${inputShape.join(', ')}]`);
  const m = productOf(inputShape.slice(0, axis));
  const k = productOf(inputShape.slice(axis));
  const units = intAttr(attrs, 'units');
  const transpose = boolAttr(attrs, 'transpose', false);
  return {
    n: m,
    cin: k,
    h: 1,
    w: 1,
    cout: units,
    group: 1,
    kh: 1,
    kw: 1,
    strideH: 1,
    strideW: 1,
    padH: 0,
    padW: 0,
    dilH: 1,
    dilW: 1,
    hout: 1,
    wout: 1,
    weightStrideOut: transpose ? 1 : k,
    weightStrideIn: transpose ? units : 1,
    bias: hasBias(attrs),
  };
}

export function denseBackward(req: KernelBackwardRequest): KernelDispatch[] {
  return gemmBackward(req, denseGemmGeometry(req.inputs[0].shape, req.attrs as Attrs), 'dense');
}
