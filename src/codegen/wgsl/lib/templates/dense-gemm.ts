import { hasPackedDot } from '../capabilities.js';
import { storageLayout } from '../packing.js';
import { wgsl, type Expr } from '../expr.js';
import type { KernelDispatch, KernelRequest } from '../kernel.js';
import { chooseConfig, configRecord, gemmCandidates, type GemmConfig, type GemmShape } from './gemm-config.js';
import { GemmKernel } from './gemm-kernel.js';
import { accumulatorFracBits, layerElement, ParamReader, type GemmMac, type GemmOperand, type OperandValue } from './gemm-operands.js';

/**
 * A fully connected layer as a GEMM (gemm-kernel.ts): the input flattened from `axis` is M rows of
 * K features, the output is [M, units] (rows = input rows, cols = units, one batch), and
 *
 *   A(row, k) = input[row * K + k]
 *   B(col, k) = weights[col * K + k]        ([units, K])
 *             = weights[k * units + col]    ([K, units], transpose)
 *
 * On the exact path with 8-bit input and weight codes stored packed, K a multiple of 4 and
 * [units, K] weights, a word of the input row and a word of the weight row hold the same four
 * features, and the walk steps over words with dot4I8 (the packed_4x8_integer_dot_product builtin
 * where the implementation has it, else the portable form): a quarter of the loads, and the same
 * exact sum.
 */
export interface DenseGemmGeometry {
  /** Rows: the product of the input dims before `axis`. */
  m: number;
  /** Features per row: the product of the input dims from `axis` on. */
  k: number;
  units: number;
  transpose: boolean;
}

export function denseShape(req: KernelRequest, g: DenseGemmGeometry): GemmShape {
  return { rows: g.m, cols: g.units, batches: 1, k: g.k, lanes: storageLayout(req.output.type).lanes, tileElementBytes: 4 };
}

export function denseConfigs(req: KernelRequest, g: DenseGemmGeometry): Record<string, number>[] {
  return gemmCandidates(denseShape(req, g), req.capabilities).map(configRecord);
}

/** Whether the exact path can step over packed words with dot4I8 (the layouts it needs). */
export function denseUsesDot4(req: KernelRequest, g: DenseGemmGeometry, config: GemmConfig): boolean {
  const x = req.inputs[0].type;
  const w = req.params[0].type;
  const eight = (t: typeof x) => t.kind === 'fixed' && storageLayout(t).lanes === 4;
  return req.accumulate === 'exact' && config.variant !== 'workgroup' && !g.transpose && g.k % 4 === 0 && eight(x) && eight(w) && req.paramQuantizers[0] === undefined;
}

/** The forward kernel of a (fused) dense node: one dispatch. */
export function denseKernel(req: KernelRequest, g: DenseGemmGeometry, config?: GemmConfig): KernelDispatch[] {
  const shape = denseShape(req, g);
  const cfg = config ?? chooseConfig(req.config, shape, req.capabilities);
  const k = new GemmKernel(req, 'dense', shape, cfg);
  const exact = req.accumulate === 'exact';
  const dot4 = denseUsesDot4(req, g, cfg);
  const x = k.input('input', req.inputs[0]);
  const weights = new ParamReader(k.b, req, 0, k.input('weights', req.params[0]), k.rng);
  const bias = req.params.length > 1 ? new ParamReader(k.b, req, 1, k.input('bias', req.params[1]), k.rng) : undefined;
  const mac: GemmMac = dot4 ? 'dot4' : exact ? 'i32' : 'f32';
  const accFrac = exact ? accumulatorFracBits(x.type, weights.type) : undefined;

  const units = k.u32('dn_units', g.units);
  // dot4 walks K / 4 words per row; otherwise one feature at a time.
  const steps = dot4 ? k.u32('dn_words', g.k / 4) : k.k;
  const kv = wgsl('u32', 'lpc_kd');
  const xAt = (i: Expr<'u32'>): OperandValue => (dot4 ? x.word(i) : exact ? x.loadCode(i) : x.loadValue(i));
  const wAt = (i: Expr<'u32'>): OperandValue => (dot4 ? weights.acc.word(i) : exact ? weights.code(i) : weights.value(i));
  const prefer = dot4 && hasPackedDot(req.capabilities) ? 'builtin' : 'portable';

  const a: GemmOperand = {
    prepare: (e, row) => [`let dx_row${e} = ${row} * ${steps};`],
    enter: () => [],
    load: (e) => xAt(wgsl('u32', `dx_row${e} + ${kv}`)),
    at: (row, _z, kk) => ({ lines: [], value: xAt(wgsl('u32', `${row} * ${k.k} + ${kk}`)) }),
  };
  const b: GemmOperand = g.transpose
    ? {
        prepare: (e, col) => [`let dw_col${e} = ${col};`],
        enter: () => [],
        load: (e) => wAt(wgsl('u32', `${kv} * ${units} + dw_col${e}`)),
        at: (col, _z, kk) => ({ lines: [], value: wAt(wgsl('u32', `${kk} * ${units} + ${col}`)) }),
      }
    : {
        prepare: (e, col) => [`let dw_row${e} = ${col} * ${steps};`],
        enter: () => [],
        load: (e) => wAt(wgsl('u32', `dw_row${e} + ${kv}`)),
        at: (col, _z, kk) => ({ lines: [], value: wAt(wgsl('u32', `${col} * ${k.k} + ${kk}`)) }),
      };

  const dispatch = k.finish({
    levels: [{ v: kv.code, count: steps }],
    mac,
    a,
    b,
    own: (acc, _row, col) => layerElement(k.b, acc, accFrac, bias, col),
  });
  return [{ ...dispatch, label: `${dispatch.label}${dot4 ? `, dot4 ${prefer}` : ''}` }];
}
