import type { ConvGeometry } from '../../../../numeric/conv-geometry.js';
import type { KernelBackwardRequest } from '../kernel.js';

/**
 * Geometry, register tiles and reduction slices of the conv/dense backward kernels
 * (gemm-backward.ts has the overview).
 */

/** One conv or dense layer as the backward kernels see it. */
export interface GemmBackwardGeometry extends ConvGeometry {
  /* Input [n, cin, h, w] (dense: [M, K, 1, 1]); output channels and channel groups. */
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
/** Slices made for parallelism are at least this long: shorter ones cost more in partial traffic than they gain. */
export const MIN_SLICE_POSITIONS = 256;
/** Slices made for accuracy are at least this long (a reduction up to this long is never split for accuracy). */
export const MIN_ACCURACY_SLICE = 128;

/**
 * Slices of a reduction over T positions: as many as parallelism wants (few output blocks, long
 * reduction), and at least about sqrt(T) for accuracy. An f32 sum of T terms of typical size s in
 * S slices of L = T / S errs by about 2^-24 * s * sqrt(T) * (sqrt(L) + sqrt(S)) / sqrt(2) (random
 * rounding errors, each proportional to the running sum): smallest at L = S = sqrt(T), where it
 * grows as T^(3/4), against T^(3/2) for one sequential sum. Measured on lavapipe for LeNet's conv1
 * at batch 64 (T = 36864): 18 slices gave 8.5x the f32 tolerance on the worst weight gradient,
 * 288 slices 4.5x; for conv2 (T = 4096) 2 slices 9.4x, 32 slices 1.5x. The price is the
 * partial sums (E * S floats, E the weight count) and the second pass: for conv2 at batch 64,
 * about 0.15 s with 3 slices against 0.2-0.3 s with 32-64 on lavapipe (noisy), so slices stay at
 * least MIN_ACCURACY_SLICE long.
 */
export function reductionSlices(positions: number, blocks: number): number {
  const parallel = Math.min(Math.ceil(SPLIT_TARGET_INVOCATIONS / blocks), Math.floor(positions / MIN_SLICE_POSITIONS));
  const accurate = Math.ceil(positions / Math.max(MIN_ACCURACY_SLICE, Math.ceil(Math.sqrt(positions))));
  return Math.max(1, parallel, accurate);
}

function configInt(req: KernelBackwardRequest, key: string): number | undefined {
  const v = req.config?.[key];
  return v !== undefined && Number.isInteger(v) && v >= 1 ? v : undefined;
}

function clampTile(v: number): number {
  return Math.max(1, Math.min(v, 8));
}

/**
 * A default tile edge: `want` (4: a 4 x 4 tile of accumulators is the fastest measured on lavapipe,
 * docs/wgsl.md section 16), or the dimension itself when it is 1 or 2, where a wider tile would be
 * mostly waste. Dimensions of 3 and more share the 4-wide tile, so one pipeline serves most layers
 * (a tile past the edge loads clamped indices and stores nothing).
 */
function defaultTile(dim: number, want = 4): number {
  return dim <= 2 ? Math.min(dim, want) : want;
}

/**
 * dX tiles: reuse along input columns of one stride class when rows are wide, along images when
 * they are not (dense has one column per row), and across 4 channels.
 */
export function inputTiles(req: KernelBackwardRequest, g: GemmBackwardGeometry): InputTiles {
  const tx = clampTile(configInt(req, 'bw_dx_tx') ?? defaultTile(Math.ceil(g.w / g.strideW)));
  const tn = clampTile(configInt(req, 'bw_dx_tn') ?? defaultTile(g.n, Math.max(1, Math.floor(4 / tx))));
  const tc = clampTile(configInt(req, 'bw_dx_tc') ?? defaultTile(g.cin / g.group));
  return { tc, tn, tx };
}

/** dW tiles and slices for `columns` weight columns (plus the bias column when wanted). */
export function paramTiles(req: KernelBackwardRequest, g: GemmBackwardGeometry, columns: number): ParamTiles {
  const rowsPerGroup = g.cout / g.group;
  const tr = clampTile(configInt(req, 'bw_dw_tr') ?? defaultTile(rowsPerGroup));
  const tf = clampTile(configInt(req, 'bw_dw_tf') ?? defaultTile(columns));
  const positions = g.n * g.hout * g.wout;
  const blocks = g.group * Math.ceil(rowsPerGroup / tr) * Math.ceil(columns / tf);
  let slices = configInt(req, 'bw_dw_slices') ?? reductionSlices(positions, blocks);
  slices = Math.max(1, Math.min(slices, positions));
  // The partials live in one scratch binding.
  const partialBytes = (s: number) => s * g.cout * columns * 4;
  while (slices > 1 && partialBytes(slices) > req.capabilities.maxStorageBufferBindingSize) slices = Math.floor(slices / 2);
  // Equal slices with none empty: S = ceil(T / ceil(T / S)).
  slices = Math.ceil(positions / Math.ceil(positions / slices));
  return { tr, tf, slices };
}

