import { describe, expect, it } from 'vitest';
import { PACKED_DOT_FEATURE, type WgslCapabilities } from '../../../src/codegen/wgsl/lib/capabilities.js';
import type { KernelDispatch } from '../../../src/codegen/wgsl/lib/kernel.js';
import { parseConfig } from '../../../src/codegen/wgsl/lib/templates/gemm-config.js';
import type { Attrs } from '../../../src/ir/graph.js';
import { F32, fixed, type FixedType, type NumberType } from '../../../src/numeric/number-type.js';
import { denseOp } from '../../../src/ops/dense.js';
import { quantizeOp } from '../../../src/ops/quantize.js';
import { reluOp } from '../../../src/ops/relu.js';
import { checkCase, requestOf, tensorSpec, type GemmCase, type StageSpec } from './gemm-harness.js';
import { gpuHarness, type GpuHarness } from './gpu-harness.js';

/**
 * The dense kernel (src/codegen/wgsl/lib/templates/dense-gemm.ts) against the CPU reference
 * (src/ops/dense.ts forward, then the epilogue ops): layouts, `transpose` and `axis`, the exact
 * path with dot4I8 (builtin and portable) and without, chunked weights, packed outputs, training.
 */

const TIMEOUT = 240_000;

interface DenseSpec {
  /** Input shape; rows are the dims before `axis`. */
  x: number[];
  units: number;
  axis?: number;
  transpose?: boolean;
}

function denseCase(s: DenseSpec, types: { x: NumberType; w: NumberType; b?: NumberType }, rest: Partial<GemmCase> = {}, seed = 1): GemmCase {
  const axis = s.axis ?? 1;
  const k = s.x.slice(axis).reduce((a, d) => a * d, 1);
  const attrs: Attrs = { units: s.units, axis, transpose: s.transpose ?? false };
  return {
    op: denseOp,
    x: tensorSpec(types.x, s.x, seed),
    weights: tensorSpec(types.w, s.transpose ? [k, s.units] : [s.units, k], seed + 1, 0.5),
    bias: types.b ? tensorSpec(types.b, [s.units], seed + 2, 0.5) : undefined,
    attrs,
    ...rest,
  };
}

const RELU: StageSpec = { op: reluOp };
const quant = (t: FixedType): StageSpec => ({ op: quantizeOp, attrs: { to: t } });
const A8 = fixed(4, 4);
const W8 = fixed(2, 6);

function withoutPackedDot(h: GpuHarness): WgslCapabilities {
  return { ...h.wgsl, languageFeatures: new Set([...h.wgsl.languageFeatures].filter((f) => f !== PACKED_DOT_FEATURE)) };
}

const usesDot4 = (d: KernelDispatch) => d.shader.code.includes('lpc_dot4_i8');

describe('dense kernel', () => {
  it('every tile configuration matches the reference (f32, and exact 8-bit into packed 8-bit codes)', { timeout: TIMEOUT }, async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    await checkCase(h, denseCase({ x: [5, 37], units: 12 }, { x: F32, w: F32, b: F32 }, { epilogue: [RELU] }), { expect: 'close', configs: 'all' });
    // K = 36: the register and flat layouts step over words with dot4; the workgroup layout stages codes
    const exact = denseCase({ x: [5, 36], units: 12 }, { x: A8, w: W8, b: A8 }, { accumulate: 'exact', epilogue: [RELU, quant(A8)] });
    let dot4 = 0;
    await checkCase(h, exact, { expect: 'exact', configs: 'all', dispatch: (d) => (dot4 += usesDot4(d) ? 1 : 0) });
    expect(dot4).toBeGreaterThan(3);
  });

  describe('odd shapes, transpose and axis (f32, each layout)', () => {
    const shapes: [string, DenseSpec][] = [
      ['1 row, 1 feature, 1 unit', { x: [1, 1], units: 1 }],
      ['3 rows of 13 features, 65 units', { x: [3, 13], units: 65 }],
      ['transposed weights [K, units], 7 rows, 7 units', { x: [7, 3, 3], units: 7, transpose: true }],
      ['axis 2: [2, 3, 4, 5] is 6 rows of 20 features', { x: [2, 3, 4, 5], units: 13, axis: 2 }],
      ['axis -1, transposed, 65 rows', { x: [65, 3], units: 3, axis: -1, transpose: true }],
    ];
    const layouts = [undefined, { variant: 1, rows: 4, cols: 4, wgx: 8, wgy: 8, tileK: 32, subgroup: 0 }, { variant: 2, rows: 1, cols: 4, wgx: 64, wgy: 1, tileK: 0, subgroup: 0 }];
    it.for(shapes)('%s', { timeout: TIMEOUT }, async ([, s], ctx) => {
      const h = await gpuHarness();
      if (!h) return ctx.skip();
      await checkCase(h, denseCase(s, { x: F32, w: F32, b: F32 }, { epilogue: [RELU] }), { expect: 'close', configs: layouts });
    });
  });

  it('exact path: dot4I8 builtin and portable fallback agree with the reference bit for bit', { timeout: TIMEOUT }, async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const c = denseCase({ x: [9, 2, 2, 5], units: 8 }, { x: A8, w: W8, b: fixed(6, 6) }, { accumulate: 'exact', epilogue: [RELU, quant(fixed(4, 4, 'floor', 'saturate'))] });
    const builtin = h.wgsl.languageFeatures.has(PACKED_DOT_FEATURE);
    await checkCase(h, c, {
      expect: 'exact',
      dispatch: (d) => {
        expect(usesDot4(d)).toBe(true);
        expect(d.shader.code.includes('dot4I8Packed')).toBe(builtin);
      },
    });
    await checkCase(h, { ...c, capabilities: withoutPackedDot(h) }, {
      expect: 'exact',
      dispatch: (d) => {
        expect(usesDot4(d)).toBe(true);
        expect(d.shader.code.includes('dot4I8Packed')).toBe(false);
      },
    });
  });

  it('exact path without dot4 (16-bit codes, transposed weights, K not a multiple of 4), f32 output', { timeout: TIMEOUT }, async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const noDot4 = (d: KernelDispatch) => expect(usesDot4(d)).toBe(false);
    await checkCase(h, denseCase({ x: [4, 12], units: 6 }, { x: fixed(8, 8), w: W8, b: F32 }, { accumulate: 'exact' }), { expect: 'exact', dispatch: noDot4 });
    await checkCase(h, denseCase({ x: [4, 12], units: 6, transpose: true }, { x: A8, w: W8, b: A8 }, { accumulate: 'exact', epilogue: [quant(A8)] }), { expect: 'exact', dispatch: noDot4 });
    await checkCase(h, denseCase({ x: [4, 13], units: 8 }, { x: A8, w: W8 }, { accumulate: 'exact', epilogue: [quant(fixed(6, 2, 'zero', 'wrap'))] }), { expect: 'exact', dispatch: noDot4 });
  });

  it('chunked weights (split over several bindings) in every layout, f32 and packed 8-bit with dot4', { timeout: TIMEOUT }, async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    // 13 units x 24 features = 312 weights in chunks of 100 (4 bindings); the dot4 words of a row
    // cross chunk boundaries
    // the default (subgroup rows), a plain register tile, the workgroup and flat layouts
    const layouts = [
      undefined,
      { variant: 0, rows: 4, cols: 4, wgx: 8, wgy: 1, tileK: 0, subgroup: 0 },
      { variant: 1, rows: 4, cols: 4, wgx: 8, wgy: 8, tileK: 32, subgroup: 0 },
      { variant: 2, rows: 1, cols: 4, wgx: 64, wgy: 1, tileK: 0, subgroup: 0 },
    ];
    const f32 = denseCase({ x: [6, 24], units: 13 }, { x: F32, w: F32, b: F32 }, { weightChunkElements: 100, epilogue: [RELU] });
    await checkCase(h, f32, { expect: 'close', configs: layouts });
    const transposed = denseCase({ x: [6, 24], units: 13, transpose: true }, { x: F32, w: F32, b: F32 }, { weightChunkElements: 100 });
    await checkCase(h, transposed, { expect: 'close' });
    const packed = denseCase({ x: [6, 24], units: 12 }, { x: A8, w: W8, b: A8 }, { weightChunkElements: 100, accumulate: 'exact', epilogue: [RELU, quant(A8)] });
    let dot4 = 0;
    await checkCase(h, packed, { expect: 'exact', configs: layouts, dispatch: (d) => (dot4 += usesDot4(d) ? 1 : 0) });
    expect(dot4).toBe(3);
    // training: f32 master weights in chunks, rounded stochastically while loading
    const master = denseCase({ x: [6, 24], units: 12 }, { x: A8, w: F32, b: F32 }, { weightChunkElements: 100, accumulate: 'exact', paramQuantizers: [fixed(2, 6, 'stochastic'), undefined], training: true, seed: 9, step: 4, nodeIndex: 3, epilogue: [quant(A8)] });
    await checkCase(h, master, { expect: 'exact' });
  });

  it('packed outputs: 16-bit words, and rows that are not whole words (the flat layout)', { timeout: TIMEOUT }, async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    await checkCase(h, denseCase({ x: [3, 20], units: 6 }, { x: A8, w: fixed(4, 12), b: F32 }, { accumulate: 'exact', epilogue: [quant(fixed(8, 8, 'even', 'saturate'))] }), { expect: 'exact', configs: 'all' });
    // 10 units of 8-bit codes: a word straddles two rows
    const c = denseCase({ x: [3, 20], units: 10 }, { x: A8, w: W8, b: A8 }, { accumulate: 'exact', epilogue: [RELU, quant(A8)] });
    expect(denseOp.wgsl!.configs!(requestOf(c, h.wgsl)).every((r) => parseConfig(r)?.variant === 'flat')).toBe(true);
    await checkCase(h, c, { expect: 'exact' });
  });

  it('f32 accumulation into fixed outputs and training with stochastic rounding', { timeout: TIMEOUT }, async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    await checkCase(h, denseCase({ x: [8, 50], units: 16 }, { x: F32, w: W8, b: F32 }, { epilogue: [RELU, quant(A8)] }), { expect: 'near' });
    const train = { training: true, seed: 5, step: 2, nodeIndex: 4 };
    const out = fixed(4, 4, 'stochastic');
    await checkCase(h, denseCase({ x: [8, 40], units: 16 }, { x: A8, w: W8, b: F32 }, { ...train, accumulate: 'exact', epilogue: [quant(out)] }), { expect: 'exact' });
    await checkCase(h, denseCase({ x: [8, 40], units: 16 }, { x: F32, w: F32, b: F32 }, { ...train, paramQuantizers: [fixed(2, 6, 'stochastic'), fixed(4, 4, 'stochastic')], epilogue: [RELU, quant(out)] }), { expect: 'near' });
  });
});
