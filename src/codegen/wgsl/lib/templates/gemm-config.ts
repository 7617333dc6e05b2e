import type { WgslCapabilities } from '../capabilities.js';

/**
 * Tile configurations of the implicit-GEMM kernel (gemm-kernel.ts), the values `lpc tune`
 * measures (an op's `wgsl.configs`) and a request's `config` selects.
 *
 * The GEMM computes out[z][row][col] for `batches` x `rows` x `cols` outputs (conv: z = image and
 * group, row = output channel of the group, col = output pixel; dense: row = input row, col =
 * unit), each a sum over the fan-in k = 0..K-1. Three ways to lay the work out:
 *
 *   registers  no workgroup memory and no barriers: an invocation loads its operands straight from
 *              storage and keeps a rows x cols block of accumulators in registers. The rows of a
 *              workgroup are the same for all its invocations, which makes their loads uniform.
 *              Suits CPU implementations (lavapipe runs a workgroup as SIMD loops over its
 *              invocations, where a barrier costs a context switch and every load is per lane).
 *   workgroup  classic GPU tiling: the workgroup stages a (wgy*rows) x tileK block of one operand
 *              and a tileK x (wgx*cols) block of the other in workgroup memory, two barriers per
 *              K step, and each invocation accumulates its rows x cols block from there.
 *   flat       no reuse: each invocation computes `cols` consecutive outputs of the flat output on
 *              its own. The fallback for packed outputs whose rows are not a whole number of
 *              words (a word would straddle two rows of the tiled layouts), and for grids the
 *              tiled layouts cannot express.
 *
 * Every configuration computes each output's sum over k = 0, 1, ..., K-1 in order, so all of them
 * give the same f32 results (up to FMA contraction) and bit-identical integer results.
 */
export type GemmVariant = 'registers' | 'workgroup' | 'flat';

export interface GemmConfig {
  variant: GemmVariant;
  /** Rows of outputs per invocation (1 for `flat`). */
  rows: number;
  /** Columns of outputs per invocation (`flat`: consecutive outputs per invocation). */
  cols: number;
  /** Invocations per workgroup along columns (all of them for `registers` and `flat`). */
  wgx: number;
  /** Invocations per workgroup along rows (`workgroup` only; 1 otherwise). */
  wgy: number;
  /** K step of the workgroup-memory tiles (`workgroup` only; 0 otherwise). */
  tileK: number;
  /**
   * `registers` only: 0, or the number of lanes S that share the row operand through subgroup
   * broadcasts. Each lane loads the element of one of S rows and the subgroup broadcasts it, so
   * an invocation makes rows / S loads of the row operand per k instead of rows. Needs the
   * `subgroups` feature and S <= the adapter's smallest subgroup size.
   */
  subgroup: number;
}

const VARIANT_CODE: Record<GemmVariant, number> = { registers: 0, workgroup: 1, flat: 2 };
const VARIANTS: GemmVariant[] = ['registers', 'workgroup', 'flat'];

/** The record form `lpc tune` caches and KernelRequest.config carries. */
export function configRecord(c: GemmConfig): Record<string, number> {
  return { variant: VARIANT_CODE[c.variant], rows: c.rows, cols: c.cols, wgx: c.wgx, wgy: c.wgy, tileK: c.tileK, subgroup: c.subgroup };
}

/** Parses a config record; undefined when a field is missing or not a positive integer where one is needed. */
export function parseConfig(r: Readonly<Record<string, number>> | undefined): GemmConfig | undefined {
  if (!r) return undefined;
  const variant = VARIANTS[r.variant];
  const int = (v: number | undefined, min: number) => (v !== undefined && Number.isInteger(v) && v >= min ? v : undefined);
  const rows = int(r.rows, 1);
  const cols = int(r.cols, 1);
  const wgx = int(r.wgx, 1);
  const wgy = int(r.wgy, 1);
  const tileK = int(r.tileK, 0);
  const subgroup = int(r.subgroup ?? 0, 0);
  if (!variant || rows === undefined || cols === undefined || wgx === undefined || wgy === undefined || tileK === undefined || subgroup === undefined) return undefined;
  return { variant, rows, cols, wgx, wgy, tileK, subgroup };
}

export function configName(c: GemmConfig): string {
  const tile = `${c.rows}x${c.cols}`;
  if (c.variant === 'registers') return `registers ${tile} per invocation, ${c.wgx} invocations${c.subgroup > 0 ? `, rows shared by ${c.subgroup}-lane subgroup broadcasts` : ''}`;
  if (c.variant === 'workgroup') return `workgroup ${c.wgy * c.rows}x${c.wgx * c.cols} tiles, k step ${c.tileK}, ${tile} per invocation`;
  return `flat ${c.cols} outputs per invocation, ${c.wgx} invocations`;
}

/** What a configuration must fit: the problem's sizes and the output's packing. */
export interface GemmShape {
  rows: number;
  cols: number;
  batches: number;
  k: number;
  /** Codes per output word (4 at 8 bits, 2 at 16, 1 otherwise): whole words per invocation. */
  lanes: number;
  /** Bytes of one workgroup-memory element (4). */
  tileElementBytes: number;
  /**
   * Conv with unit stride and dilation along W: the output row length. Register tiles whose
   * columns divide it stay within one output row, where the kernel reuses input elements across
   * kernel columns (a sliding window, conv-gemm.ts). Absent: no such reuse.
   */
  rowRun?: number;
}

/** Why a configuration cannot serve this shape on this adapter, or undefined when it can. */
export function configProblem(c: GemmConfig, s: GemmShape, caps: WgslCapabilities): string | undefined {
  const invocations = c.wgx * c.wgy;
  if (c.wgx > caps.maxComputeWorkgroupSizeX || c.wgy > caps.maxComputeWorkgroupSizeY || invocations > caps.maxComputeInvocationsPerWorkgroup) {
    return `workgroup ${c.wgx} x ${c.wgy} exceeds the adapter's limits`;
  }
  const maxGroups = caps.maxComputeWorkgroupsPerDimension;
  if (c.subgroup > 0) {
    if (c.variant !== 'registers') return 'only the register layout shares rows through subgroups';
    if (!caps.features.has('subgroups')) return 'the device has no subgroups';
    if (c.subgroup > (caps.subgroupMinSize ?? 4)) return `the adapter may run subgroups of ${caps.subgroupMinSize ?? 4} lanes, fewer than ${c.subgroup}`;
    // A power-of-two workgroup of at least S lanes fills whole subgroups, or one subgroup's first lanes.
    if ((c.wgx & (c.wgx - 1)) !== 0 || c.wgx < c.subgroup) return `subgroup broadcasts need a power-of-two workgroup of at least ${c.subgroup} invocations`;
  }
  if (c.variant === 'flat') {
    if (c.rows !== 1 || c.wgy !== 1) return 'the flat layout has one row and one workgroup row';
    if (c.cols % s.lanes !== 0) return `the flat layout must compute whole words (${s.lanes} outputs)`;
    const groups = Math.ceil(Math.ceil((s.rows * s.cols * s.batches) / c.cols) / c.wgx);
    if (Math.ceil(groups / maxGroups) > maxGroups) return 'too many workgroups';
    return undefined;
  }
  // Tiled layouts: an invocation's columns of one row hold whole words of the output.
  if (s.lanes > 1 && (s.cols % s.lanes !== 0 || c.cols % s.lanes !== 0)) {
    return `rows of ${s.cols} outputs are not whole ${s.lanes}-code words of the packed output`;
  }
  if (s.batches > maxGroups) return `${s.batches} batches exceed the workgroup grid`;
  if (c.variant === 'registers') {
    if (c.wgy !== 1 || c.tileK !== 0) return 'the register layout has one workgroup row and no k tiles';
    if (Math.ceil(s.cols / (c.wgx * c.cols)) > maxGroups || Math.ceil(s.rows / c.rows) > maxGroups) return 'too many workgroups';
    return undefined;
  }
  if (c.tileK < 1) return 'the workgroup layout needs a k step';
  const tm = c.wgy * c.rows;
  const tn = c.wgx * c.cols;
  const bytes = s.tileElementBytes * c.tileK * (tm + tn);
  if (bytes > caps.maxComputeWorkgroupStorageSize) return `tiles need ${bytes} bytes of workgroup memory; the adapter offers ${caps.maxComputeWorkgroupStorageSize}`;
  if (Math.ceil(s.cols / tn) > maxGroups || Math.ceil(s.rows / tm) > maxGroups) return 'too many workgroups';
  return undefined;
}

function registers(rows: number, cols: number, wgx = 64, subgroup = 0): GemmConfig {
  return { variant: 'registers', rows, cols, wgx, wgy: 1, tileK: 0, subgroup };
}

function workgroup(rows: number, cols: number, wgx: number, wgy: number, tileK: number): GemmConfig {
  return { variant: 'workgroup', rows, cols, wgx, wgy, tileK, subgroup: 0 };
}

function flat(cols: number, wgx = 64): GemmConfig {
  return { variant: 'flat', rows: 1, cols, wgx, wgy: 1, tileK: 0, subgroup: 0 };
}

/** The smallest power of two >= n (n >= 1). */
function pow2AtLeast(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/**
 * The register tile for a shape: rows up to `maxRows` (fewer when the problem has fewer rows, so
 * small batches of a dense layer do not compute padding), columns `cols` (a whole number of words),
 * rows shared by `subgroup` lanes (0: none).
 */
function registerTile(s: GemmShape, maxRows: number, cols: number, subgroup = 0, wgx = 64): GemmConfig {
  const rows = Math.min(maxRows, pow2AtLeast(s.rows));
  const c = Math.max(cols, s.lanes);
  // Narrow problems (few columns) do not need 64 invocations along them.
  const x = Math.max(8, Math.min(wgx, pow2AtLeast(Math.ceil(s.cols / c))));
  return registers(rows, c, x, rows >= 2 ? subgroup : 0);
}

/** Columns per invocation: 8, or the largest of 8, 4, 2 that keeps a conv's sliding window. */
function windowCols(s: GemmShape): number {
  if (s.rowRun === undefined) return 8;
  return [8, 4, 2].find((c) => c >= s.lanes && s.rowRun! % c === 0) ?? 8;
}

/**
 * Candidate configurations for `lpc tune`, the default first, every one valid for the shape and
 * the adapter. The default favours register tiles on CPU adapters (or when unknown) and
 * workgroup tiles on GPUs (capabilities.cpuAdapter false). bench/gemm-configs.ts measures them
 * (bench/RESULTS.md): on lavapipe, subgroup-shared rows and the conv window cut the per-lane
 * loads that dominate its time, and 16 x 8 tiles were the best compromise with register spills.
 */
export function gemmCandidates(s: GemmShape, caps: WgslCapabilities): GemmConfig[] {
  const out: GemmConfig[] = [];
  const add = (c: GemmConfig) => {
    if (configProblem(c, s, caps) === undefined && !out.some((o) => configName(o) === configName(c))) out.push(c);
  };
  // Rows shared across subgroup lanes: 8 where every subgroup has at least 8 lanes (lavapipe on
  // AVX2), else 4, the least any WebGPU implementation runs.
  const sg = caps.features.has('subgroups') ? Math.min(8, caps.subgroupMinSize ?? 4) : 0;
  const cols = windowCols(s);
  const registerTiles = [
    ...(sg > 0 ? [registerTile(s, 16, cols, sg), registerTile(s, 32, 4, sg), registerTile(s, 16, 4, sg), registerTile(s, 32, 8, sg)] : []),
    registerTile(s, 8, cols),
    registerTile(s, 16, 4),
    registerTile(s, 4, 4),
  ];
  const workgroupTiles = [workgroup(4, 4, 16, 16, 16), workgroup(4, 4, 8, 8, 32), workgroup(2, 2, 16, 16, 16)];
  if (caps.cpuAdapter === false) {
    workgroupTiles.forEach(add);
    registerTiles.forEach(add);
  } else {
    registerTiles.forEach(add);
    workgroupTiles.forEach(add);
  }
  add(flat(Math.max(4, s.lanes)));
  // Always at least the flat layout (it serves every shape whose grid fits).
  if (out.length === 0) add(flat(s.lanes));
  return out;
}

/** The configuration to use: the request's when it serves the shape, else the default candidate. */
export function chooseConfig(requested: Readonly<Record<string, number>> | undefined, s: GemmShape, caps: WgslCapabilities): GemmConfig {
  const parsed = parseConfig(requested);
  if (parsed && configProblem(parsed, s, caps) === undefined) return parsed;
  const candidates = gemmCandidates(s, caps);
  if (candidates.length === 0) throw new RangeError(`no GEMM layout fits ${s.batches} x ${s.rows} x ${s.cols} outputs on this adapter`);
  return candidates[0];
}
