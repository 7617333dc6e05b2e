import type { WgslCapabilities } from '../../../../codegen/wgsl/lib/capabilities.js';
import { wgsl } from '../../../../codegen/wgsl/lib/expr.js';
import type { ElementwiseStage, KernelBinding, KernelDispatch, KernelRng, KernelTensor } from '../../../../codegen/wgsl/lib/kernel.js';
import { quantize, quantizeValue } from '../../../../codegen/wgsl/lib/quantizer.js';
import { ShaderBuilder } from '../../../../codegen/wgsl/lib/shader-builder.js';
import { flatAccessor, flatUniforms, tensorBindingsOf } from '../../../../codegen/wgsl/lib/templates/kernel-io.js';
import type { FixedType } from '../../../../numeric/number-type.js';
import { EXPONENT_BINS } from '../../../train/layer-stats.js';
import { MAGNITUDE_BINS } from '../../../train/magnitude-histogram.js';
import { FINITE } from './control.js';

/**
 * Per-tensor statistics (SEMANTICS.md section 6, docs/training.md "Statistics") computed on the GPU
 * where the tensor is, as counters the host reads back (a few KiB per tensor, never the tensor):
 *
 *   word 0 zeros, 1 saturated, 2 nan, 3 infinite,
 *   word 4 min and 5 max of the finite values as order keys (u32s that sort as the f32s do),
 *   word 6 max |x| as f32 bits (non-negative f32s sort as their bits),
 *   words 8 .. 263 the exponent bins (the biased f32 exponent of |x|),
 *   words 264 .. 1023 the calibration histogram (magnitude-histogram.ts: a binary search over the
 *   f32 edges, `<=`, 10 comparisons), when asked for.
 * The element count is the host's (valid rows times the row size).
 *
 * Each workgroup counts its grid-stride share in workgroup atomics (scalars privately per
 * invocation first), then adds its non-zero counters to the tensor's block with one global atomic
 * each, so the global buffer sees a few adds per workgroup rather than one per element.
 *
 * Values that came out of a quantizer (a fused node whose last stage rounds, a standalone quantize,
 * a parameter as the net uses it) are described with the quantizer's input too, as the CPU
 * reference does: saturated = the quantizer clamped (or wrapped) a finite value, nan and infinite
 * counted before it. The stages between the saved pre-epilogue value and the final quantizer are
 * recomputed (inference forms: no draws).
 */
export const STATS_WORDS = 1024;
export const STATS_EXPONENTS = 8;
export const STATS_HISTOGRAM = STATS_EXPONENTS + EXPONENT_BINS;

export interface StatsSource {
  /** The values described: a node's output, or a parameter's f32 master. */
  values: KernelTensor;
  /** Round the loaded values with this type (nearest) first: a parameter as the net uses it. */
  roundTo?: FixedType;
  /** The values came out of this quantizer: its input is `stages` applied to `tensor`. */
  quantizer?: { tensor: KernelTensor; stages: readonly ElementwiseStage[]; type: FixedType };
}

export interface StatsDispatchSpec {
  capabilities: WgslCapabilities;
  source: StatsSource;
  /** Elements to count (the valid rows). */
  count: number;
  /** The statistics buffer and this tensor's block in it (word offset, a multiple of STATS_WORDS). */
  stats: string;
  block: number;
  /** The f32 histogram edges (MAGNITUDE_EDGES) when histograms are collected. */
  edges?: string;
  label: string;
}

const WORKGROUP = 256;
/** Elements per workgroup before the grid is widened (fewer, fuller workgroups suit lavapipe). */
const PER_GROUP = WORKGROUP * 16;

export function statsDispatch(s: StatsDispatchSpec): KernelDispatch {
  const b = new ShaderBuilder({ capabilities: s.capabilities, workgroupSize: WORKGROUP });
  const src = s.source;
  const x = flatAccessor(b, 'x', src.values, 'read');
  const pre = src.quantizer && src.quantizer.tensor.id !== src.values.id ? flatAccessor(b, 'pre', src.quantizer.tensor, 'read') : undefined;
  const out = b.storageBuffer('stats', 'atomic<u32>', 'read_write');
  const edges = s.edges ? b.storageBuffer('edges', 'f32', 'read') : undefined;
  const n = b.uniform('count', 'u32');
  const block = b.uniform('block', 'u32');
  b.use(FINITE);
  const exps = b.workgroupArray('wg_exp', 'atomic<u32>', EXPONENT_BINS);
  const hist = edges ? b.workgroupArray('wg_hist', 'atomic<u32>', MAGNITUDE_BINS) : undefined;
  const scal = b.workgroupArray('wg_scalars', 'atomic<u32>', 8);
  const rng: KernelRng[] = [];
  const i = wgsl('u32', 'lpc_i');
  const value = src.roundTo ? quantizeValue(b, src.roundTo, x.loadValue(i)) : x.loadValue(i);
  const elementLines = [`  let lpc_v = ${value};`];
  if (src.quantizer) {
    const q = src.quantizer;
    elementLines.push(`  var lpc_p = ${(pre ?? x).loadValue(i)};`);
    for (const st of q.stages) {
      if (st.rng) rng.push(st.rng);
      elementLines.push(`  lpc_p = ${st.emit(b, wgsl('f32', 'lpc_p'), i)};`);
    }
    elementLines.push(
      '  if (!lpc_finite(lpc_p)) {',
      '    if ((bitcast<u32>(lpc_p) & 0x7fffffu) != 0u) { lpc_nan++; } else { lpc_inf++; }',
      `  } else if (${quantize(b, q.type, wgsl('f32', 'lpc_p'))}.status == 1u) { lpc_sat++; }`,
    );
  }
  elementLines.push('  if (!lpc_finite(lpc_v)) {');
  if (!src.quantizer) elementLines.push('    if ((bitcast<u32>(lpc_v) & 0x7fffffu) != 0u) { lpc_nan++; } else { lpc_inf++; }');
  elementLines.push('    continue;', '  }');
  elementLines.push(
    '  if (lpc_v == 0.0) { lpc_zeros++; }',
    '  let lpc_bits = bitcast<u32>(lpc_v);',
    // order key: negative floats with every bit flipped, positive ones with the sign bit set
    '  let lpc_key = select(lpc_bits | 0x80000000u, ~lpc_bits, (lpc_bits & 0x80000000u) != 0u);',
    '  lpc_min = min(lpc_min, lpc_key);',
    '  lpc_max = max(lpc_max, lpc_key);',
    '  let lpc_abs = lpc_bits & 0x7fffffffu;',
    '  lpc_maxabs = max(lpc_maxabs, lpc_abs);',
    `  atomicAdd(&${exps}[(lpc_abs >> 23u) & 0xffu], 1u);`,
  );
  if (hist && edges) {
    elementLines.push(
      '  let lpc_a = bitcast<f32>(lpc_abs);',
      '  var lpc_lo = 0u;',
      `  var lpc_hi = ${MAGNITUDE_BINS - 1}u;`,
      '  while (lpc_lo < lpc_hi) {',
      '    let lpc_mid = (lpc_lo + lpc_hi) / 2u;',
      `    if (lpc_a <= ${edges}[lpc_mid]) { lpc_hi = lpc_mid; } else { lpc_lo = lpc_mid + 1u; }`,
      '  }',
      `  atomicAdd(&${hist}[lpc_lo], 1u);`,
    );
  }
  const flushBins = (arr: string, bins: number, at: number) => [
    `for (var lpc_k = lidx; lpc_k < ${bins}u; lpc_k += ${WORKGROUP}u) {`,
    `  let lpc_c = atomicLoad(&${arr}[lpc_k]);`,
    `  if (lpc_c != 0u) { atomicAdd(&${out}[${block} + ${at}u + lpc_k], lpc_c); }`,
    '}',
  ];
  const clearBins = (arr: string, bins: number) => [`for (var lpc_k = lidx; lpc_k < ${bins}u; lpc_k += ${WORKGROUP}u) { atomicStore(&${arr}[lpc_k], 0u); }`];
  const body = [
    ...clearBins(exps, EXPONENT_BINS),
    ...(hist ? clearBins(hist, MAGNITUDE_BINS) : []),
    `if (lidx < 8u) { atomicStore(&${scal}[lidx], select(0u, 0xffffffffu, lidx == 4u)); }`,
    'workgroupBarrier();',
    'var lpc_zeros = 0u; var lpc_sat = 0u; var lpc_nan = 0u; var lpc_inf = 0u;',
    'var lpc_min = 0xffffffffu; var lpc_max = 0u; var lpc_maxabs = 0u;',
    'let lpc_stride = nwg.x * nwg.y * ' + `${WORKGROUP}u;`,
    `for (var lpc_i = (wid.x + wid.y * nwg.x) * ${WORKGROUP}u + lidx; lpc_i < ${n}; lpc_i += lpc_stride) {`,
    ...elementLines,
    '}',
    `atomicAdd(&${scal}[0], lpc_zeros);`,
    `atomicAdd(&${scal}[1], lpc_sat);`,
    `atomicAdd(&${scal}[2], lpc_nan);`,
    `atomicAdd(&${scal}[3], lpc_inf);`,
    `atomicMin(&${scal}[4], lpc_min);`,
    `atomicMax(&${scal}[5], lpc_max);`,
    `atomicMax(&${scal}[6], lpc_maxabs);`,
    'workgroupBarrier();',
    ...flushBins(exps, EXPONENT_BINS, STATS_EXPONENTS),
    ...(hist ? flushBins(hist, MAGNITUDE_BINS, STATS_HISTOGRAM) : []),
    'if (lidx < 4u) {',
    `  let lpc_c = atomicLoad(&${scal}[lidx]);`,
    `  if (lpc_c != 0u) { atomicAdd(&${out}[${block} + lidx], lpc_c); }`,
    '}',
    `if (lidx == 4u) { atomicMin(&${out}[${block} + 4u], atomicLoad(&${scal}[4])); }`,
    `if (lidx == 5u) { atomicMax(&${out}[${block} + 5u], atomicLoad(&${scal}[5])); }`,
    `if (lidx == 6u) { atomicMax(&${out}[${block} + 6u], atomicLoad(&${scal}[6])); }`,
  ];
  const shader = b.main(body).build();
  const groups = Math.max(1, Math.min(Math.ceil(s.count / PER_GROUP), s.capabilities.maxComputeWorkgroupsPerDimension));
  const bindings: KernelBinding[] = [...tensorBindingsOf(x, src.values)];
  const flat: [typeof x, KernelTensor][] = [[x, src.values]];
  if (pre && src.quantizer) {
    bindings.push(...tensorBindingsOf(pre, src.quantizer.tensor));
    flat.push([pre, src.quantizer.tensor]);
  }
  bindings.push({ name: out, tensor: s.stats });
  if (edges && s.edges) bindings.push({ name: edges, tensor: s.edges });
  return {
    label: s.label,
    shader,
    workgroups: [groups, 1, 1],
    uniforms: { ...flatUniforms(flat), count: s.count, block: s.block },
    bindings,
    ...(rng.length > 0 ? { rng } : {}),
  };
}

/** The initial contents of one tensor's block (min key at its largest, everything else 0). */
export function emptyStatsBlock(): Uint32Array {
  const w = new Uint32Array(STATS_WORDS);
  w[4] = 0xffffffff;
  return w;
}

/** The f32 value of an order key. */
export function keyToFloat(key: number): number {
  const bits = (key & 0x80000000) !== 0 ? key & 0x7fffffff : ~key >>> 0;
  const f = new Float32Array(new Uint32Array([bits >>> 0]).buffer);
  return f[0];
}

export function bitsToFloat(bits: number): number {
  return new Float32Array(new Uint32Array([bits >>> 0]).buffer)[0];
}
