import type { KernelBackwardRequest } from '../kernel.js';

/**
 * Geometry, register tiles and reduction slices of the conv/dense backward kernels
 * (gemm-backward.ts has the overview).
 */

/** One conv or dense layer as the backward kernels see it. */
export interface GemmBackwardGeometry {
  /** Input [n, cin, h, w] (dense: [M, K, 1, 1]). */
  n: number;
  cin: number;
  h: number;
  w: number;
  /** Output channels and channel groups. */
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
  /**
   * Weight (oc, icg, ky, kx) is element oc * weightStrideOut + icg * weightStrideIn + ky * kw + kx:
   * conv [cout, cin/group, kh, kw] has (cin/group * kh * kw, kh * kw); dense [U, K] (1, ...) has
   * (K, 1) and its transpose [K, U] has (1, U).
   */
  weightStrideOut: number;
  weightStrideIn: number;
  /** Whether the op has a bias (parameter 1). */
  bias: boolean;
}

/** Register tiles of the dX kernel: input channels x images x input columns per invocation. */
export interface InputTiles {
  tc: number;
  tn: number;
  tx: number;
}

/** Register tiles of the dW kernel (output channels x weight columns) and the reduction's slices. */
export interface ParamTiles {
  tr: number;
  tf: number;
  /** Slices of the reduction over output positions (1: no split, no second pass). */
  slices: number;
}

/** Invocations a split reduction aims for: enough to occupy a GPU, and many times lavapipe's threads. */
export const SPLIT_TARGET_INVOCATIONS = 4096;
/** No slice shorter than this many positions: shorter ones cost more in partial traffic than they gain. */
export const MIN_SLICE_POSITIONS = 256;

function configInt(req: KernelBackwardRequest, key: string): number | undefined {
  const v = req.config?.[key];
  return v !== undefined && Number.isInteger(v) && v >= 1 ? v : undefined;
}

function clampTile(v: number, max: number): number {
  return Math.max(1, Math.min(v, max));
}

/**
 * dX tiles: 4 accumulators' worth of reuse along input columns of one stride class when rows are
 * wide, along images when they are not (dense: one column per row), and up to 4 channels.
 */
export function inputTiles(req: KernelBackwardRequest, g: GemmBackwardGeometry): InputTiles {
  const columnsPerClass = Math.ceil(g.w / g.strideW);
  const tx = clampTile(configInt(req, 'bw_dx_tx') ?? Math.min(4, columnsPerClass), 8);
  const tn = clampTile(configInt(req, 'bw_dx_tn') ?? Math.max(1, Math.floor(4 / tx)), Math.min(8, g.n));
  const tc = clampTile(configInt(req, 'bw_dx_tc') ?? 4, Math.min(8, g.cin / g.group));
  return { tc, tn, tx };
}

/** dW tiles and slices for `columns` weight columns (plus the bias column when wanted). */
export function paramTiles(req: KernelBackwardRequest, g: GemmBackwardGeometry, columns: number): ParamTiles {
  const rowsPerGroup = g.cout / g.group;
  const tr = clampTile(configInt(req, 'bw_dw_tr') ?? 4, Math.min(8, rowsPerGroup));
  const tf = clampTile(configInt(req, 'bw_dw_tf') ?? 4, Math.min(8, columns));
  const positions = g.n * g.hout * g.wout;
  const blocks = g.group * Math.ceil(rowsPerGroup / tr) * Math.ceil(columns / tf);
  let slices = configInt(req, 'bw_dw_slices') ?? Math.min(Math.ceil(SPLIT_TARGET_INVOCATIONS / blocks), Math.floor(positions / MIN_SLICE_POSITIONS));
  slices = Math.max(1, Math.min(slices, positions));
  // The partials live in one scratch binding.
  const partialBytes = (s: number) => s * g.cout * columns * 4;
  while (slices > 1 && partialBytes(slices) > req.capabilities.maxStorageBufferBindingSize) slices = Math.floor(slices / 2);
  // Equal slices with none empty: S = ceil(T / ceil(T / S)).
  slices = Math.ceil(positions / Math.ceil(positions / slices));
  return { tr, tf, slices };
}

