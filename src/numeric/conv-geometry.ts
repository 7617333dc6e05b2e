/**
 * The sizes of one convolution window walk over an NCHW input: input, output channels and groups,
 * kernel, stride, padding, dilation and the output size. One definition shared by the CPU
 * reference (src/ops/conv.ts) and the WGSL generators (src/codegen/wgsl/lib/templates/), which
 * each derive it from the same shape rule (SEMANTICS.md section 5).
 */
export interface ConvGeometry {
  n: number;
  cin: number;
  h: number;
  w: number;
  cout: number;
  group: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padH: number;
  padW: number;
  dilH: number;
  dilW: number;
  hout: number;
  wout: number;
}
