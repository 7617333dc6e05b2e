import { describe, expect, it } from 'vitest';
import { PACKED_DOT_FEATURE, type WgslCapabilities } from '../../../src/codegen/wgsl/lib/capabilities.js';
import { parseConfig } from '../../../src/codegen/wgsl/lib/templates/gemm-config.js';
import type { Attrs } from '../../../src/ir/graph.js';
import { F32, fixed, OVERFLOW_MODES, ROUND_MODES, type FixedType, type NumberType } from '../../../src/numeric/number-type.js';
import { convOp } from '../../../src/ops/conv.js';
import { quantizeOp } from '../../../src/ops/quantize.js';
import { reluOp } from '../../../src/ops/relu.js';
import { checkCase, requestOf, tensorSpec, type GemmCase, type StageSpec } from './gemm-harness.js';
import { gpuHarness, type GpuHarness } from './gpu-harness.js';

/**
 * The conv kernel (src/codegen/wgsl/lib/templates/conv-gemm.ts) against the CPU reference
 * (src/ops/conv.ts forward, then the epilogue ops): f32 paths within SEMANTICS.md section 4's
 * tolerance, the exact i32 path and deterministic fixed-point outputs bit for bit, f32
 * accumulation into fixed outputs by the boundary rule. Shapes live in uniforms, so the cases of a
 * describe block share a few pipelines; lavapipe compiles each once.
 */

const TIMEOUT = 240_000;

interface ConvSpec {
  n: number;
  cin: number;
  h: number;
  w: number;
  filters: number;
  kernel: [number, number];
  stride?: [number, number];
  pad?: [number, number];
  dilation?: [number, number];
  group?: number;
}

function convCase(s: ConvSpec, types: { x: NumberType; w: NumberType; b?: NumberType }, rest: Partial<GemmCase> = {}, seed = 1): GemmCase {
  const group = s.group ?? 1;
  const attrs: Attrs = { filters: s.filters, kernel: s.kernel, stride: s.stride ?? [1, 1], pad: s.pad ?? [0, 0], dilation: s.dilation ?? [1, 1], group };
  return {
    op: convOp,
    x: tensorSpec(types.x, [s.n, s.cin, s.h, s.w], seed),
    weights: tensorSpec(types.w, [s.filters, s.cin / group, s.kernel[0], s.kernel[1]], seed + 1, 0.5),
    bias: types.b ? tensorSpec(types.b, [s.filters], seed + 2, 0.5) : undefined,
    attrs,
    ...rest,
  };
}

const RELU: StageSpec = { op: reluOp };
const quant = (t: FixedType): StageSpec => ({ op: quantizeOp, attrs: { to: t } });

/** The device's capabilities without subgroups (and optionally without the packed dot product). */
function without(h: GpuHarness, opts: { subgroups?: boolean; packedDot?: boolean }): WgslCapabilities {
  const features = new Set([...h.wgsl.features].filter((f) => f !== 'subgroups' || opts.subgroups !== false));
  const languageFeatures = new Set([...h.wgsl.languageFeatures].filter((f) => f !== PACKED_DOT_FEATURE || opts.packedDot !== false));
  return { ...h.wgsl, features, languageFeatures };
}

const A8 = fixed(4, 4);
const W8 = fixed(2, 6);

describe('conv kernel', () => {
  it('every tile configuration matches the reference (f32, and exact 8-bit into packed 8-bit codes)', { timeout: TIMEOUT }, async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const shape: ConvSpec = { n: 2, cin: 3, h: 7, w: 8, filters: 6, kernel: [3, 3], pad: [1, 1] };
    const f32 = convCase(shape, { x: F32, w: F32, b: F32 }, { epilogue: [RELU] });
    const names = await checkCase(h, f32, { expect: 'close', configs: 'all' });
    // the candidates cover the three layouts
    expect(names.some((n) => n.startsWith('registers'))).toBe(true);
    expect(names.some((n) => n.startsWith('workgroup'))).toBe(true);
    expect(names.some((n) => n.startsWith('flat'))).toBe(true);
    // 7 x 8 = 56 pixels per plane: whole words of four codes, so the tiled layouts store packed words
    const exact = convCase(shape, { x: A8, w: W8, b: fixed(6, 6) }, { accumulate: 'exact', epilogue: [RELU, quant(A8)] });
    const exactNames = await checkCase(h, exact, { expect: 'exact', configs: 'all' });
    expect(exactNames.filter((n) => !n.startsWith('flat')).length).toBeGreaterThan(3);
  });

  describe('odd shapes (f32, each layout)', () => {
    const shapes: [string, ConvSpec][] = [
      ['1 x 1 image, 1 x 1 kernel', { n: 1, cin: 1, h: 1, w: 1, filters: 1, kernel: [1, 1] }],
      ['7 x 13, non-square kernel 3 x 5, stride 2 x 1, pad 1 x 2', { n: 2, cin: 3, h: 7, w: 13, filters: 5, kernel: [3, 5], stride: [2, 1], pad: [1, 2] }],
      ['13 x 13, 2 groups, dilation 2, pad 2', { n: 1, cin: 4, h: 13, w: 13, filters: 6, kernel: [3, 3], dilation: [2, 2], pad: [2, 2], group: 2 }],
      ['65 x 3, 3 groups of 2 -> 1 channels, 5 x 3 kernel, stride 2, pad 2 x 1', { n: 3, cin: 6, h: 65, w: 3, filters: 3, kernel: [5, 3], stride: [2, 2], pad: [2, 1], group: 3 }],
      ['1 x 1 kernel over 65 channels, 3 x 3 image', { n: 1, cin: 65, h: 3, w: 3, filters: 7, kernel: [1, 1] }],
      ['stride 3, dilation 2 x 1, no padding, no bias', { n: 2, cin: 2, h: 13, w: 7, filters: 3, kernel: [2, 3], stride: [3, 3], dilation: [2, 1] }],
      // unit stride along W and rows of 4 (and 2) pixels: the register layout's sliding window
      ['sliding window over rows of 12, kernel 3 x 5 wider than the window, pad 1 x 2', { n: 2, cin: 3, h: 5, w: 12, filters: 5, kernel: [3, 5], pad: [1, 2] }],
      ['sliding window over rows of 6, kernel 2 x 4, stride 2 x 1, pad 0 x 2', { n: 1, cin: 2, h: 7, w: 5, filters: 9, kernel: [2, 4], stride: [2, 1], pad: [0, 2] }],
    ];
    // One configuration of each layout: the pipelines are shared by all shapes (sizes are uniforms).
    const layouts = [undefined, { variant: 1, rows: 4, cols: 4, wgx: 8, wgy: 8, tileK: 32, subgroup: 0 }, { variant: 2, rows: 1, cols: 4, wgx: 64, wgy: 1, tileK: 0, subgroup: 0 }];
    it.for(shapes)('%s', { timeout: TIMEOUT }, async ([name, s], ctx) => {
      const h = await gpuHarness();
      if (!h) return ctx.skip();
      const noBias = name.includes('no bias');
      let windows = 0;
      await checkCase(h, convCase(s, { x: F32, w: F32, b: noBias ? undefined : F32 }, { epilogue: [RELU] }), {
        expect: 'close',
        configs: layouts,
        dispatch: (d) => (windows += d.shader.code.includes('lpc_conv_tap') ? 1 : 0),
      });
      expect(windows, 'the default layout uses the sliding window').toBe(name.startsWith('sliding window') ? 1 : 0);
    });
  });

  it('exact path: every rounding and overflow mode of the output quantizer, bit for bit', { timeout: TIMEOUT }, async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    // Wide codes and a narrow output type, so that saturation and wrapping happen.
    const shape: ConvSpec = { n: 1, cin: 3, h: 6, w: 6, filters: 4, kernel: [3, 3], pad: [1, 1] };
    for (const [k, round] of ROUND_MODES.entries()) {
      const overflow = OVERFLOW_MODES[k % OVERFLOW_MODES.length];
      const out = fixed(3, 3, round, overflow);
      const c = convCase(shape, { x: fixed(4, 4), w: fixed(2, 6), b: F32 }, { accumulate: 'exact', epilogue: [quant(out)] }, 10 + k);
      await checkCase(h, c, { expect: 'exact' });
    }
    // the remaining overflow modes with nearest rounding
    for (const overflow of OVERFLOW_MODES) {
      const c = convCase(shape, { x: fixed(4, 4), w: fixed(2, 6) }, { accumulate: 'exact', epilogue: [RELU, quant(fixed(2, 4, 'nearest', overflow))] }, 20);
      await checkCase(h, c, { expect: 'exact' });
    }
  });

  it('exact path: 16-bit codes, mixed widths, fixed and f32 biases, 16-bit packed outputs', { timeout: TIMEOUT }, async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const shape: ConvSpec = { n: 2, cin: 4, h: 5, w: 4, filters: 6, kernel: [3, 2], pad: [1, 0], group: 2 };
    // 16-bit input codes (large accumulators: the bound still fits i32 for K = 12)
    await checkCase(h, convCase(shape, { x: fixed(8, 8), w: W8, b: fixed(10, 6) }, { accumulate: 'exact', epilogue: [RELU, quant(fixed(8, 8))] }), { expect: 'exact' });
    // f32 bias after the exact sum; f32 output (no quantizer)
    await checkCase(h, convCase(shape, { x: A8, w: fixed(4, 12), b: F32 }, { accumulate: 'exact' }), { expect: 'exact' });
    // a bias finer than the accumulator is added in f32 too
    await checkCase(h, convCase(shape, { x: A8, w: W8, b: fixed(2, 14) }, { accumulate: 'exact', epilogue: [quant(fixed(6, 10))] }), { expect: 'exact' });
  });

  it('packed outputs whose planes are not whole words take the flat layout, bit for bit', { timeout: TIMEOUT }, async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    // 5 x 5 = 25 pixels: a word of four codes straddles two output channels
    const shape: ConvSpec = { n: 2, cin: 2, h: 5, w: 5, filters: 3, kernel: [3, 3], pad: [1, 1] };
    const c8 = convCase(shape, { x: A8, w: W8, b: A8 }, { accumulate: 'exact', epilogue: [RELU, quant(A8)] });
    const req = requestOf(c8, h.wgsl);
    const configs = convOp.wgsl!.configs!(req);
    expect(configs.every((r) => parseConfig(r)?.variant === 'flat')).toBe(true);
    await checkCase(h, c8, { expect: 'exact', configs: 'all' });
    const c16 = convCase(shape, { x: fixed(8, 8), w: W8 }, { accumulate: 'exact', epilogue: [quant(fixed(8, 8, 'even'))] }, 3);
    await checkCase(h, c16, { expect: 'exact', configs: 'all' });
  });

  it('f32 accumulation into fixed-point outputs: codes by the boundary rule', { timeout: TIMEOUT }, async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const shape: ConvSpec = { n: 2, cin: 5, h: 9, w: 4, filters: 8, kernel: [3, 3], pad: [1, 1] };
    // f32 input (as a net's first layer) with 8-bit weights, 8-bit output codes
    await checkCase(h, convCase(shape, { x: F32, w: W8, b: F32 }, { epilogue: [RELU, quant(A8)] }), { expect: 'near' });
    // 16-bit codes whose products exceed the i32 bound: f32 accumulation, 16-bit output
    await checkCase(h, convCase(shape, { x: fixed(8, 8), w: fixed(2, 14), b: F32 }, { epilogue: [RELU, quant(fixed(9, 7))] }), { expect: 'near' });
  });

  it('training: stochastic output rounding draws what the reference draws (exact path, bit for bit)', { timeout: TIMEOUT }, async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const shape: ConvSpec = { n: 2, cin: 3, h: 6, w: 6, filters: 4, kernel: [3, 3], pad: [1, 1] };
    const out = fixed(4, 4, 'stochastic');
    const c = convCase(shape, { x: A8, w: W8, b: F32 }, { accumulate: 'exact', epilogue: [RELU, quant(out)], training: true, seed: 7, step: 3, nodeIndex: 5 });
    await checkCase(h, c, { expect: 'exact', configs: [undefined, { variant: 2, rows: 1, cols: 4, wgx: 64, wgy: 1, tileK: 0, subgroup: 0 }] });
    // f32 accumulation with a stochastic output: the boundary rule with the same draws
    await checkCase(h, { ...c, x: tensorSpec(F32, [2, 3, 6, 6], 4), accumulate: 'f32' }, { expect: 'near' });
  });

  it('training: f32 master weights rounded while loading (nearest and stochastic, own stream)', { timeout: TIMEOUT }, async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const shape: ConvSpec = { n: 1, cin: 4, h: 5, w: 4, filters: 8, kernel: [3, 3], pad: [1, 1] };
    const base = { training: true, seed: 3, step: 11, nodeIndex: 2 };
    // nearest weights and a fixed bias, exact accumulation
    await checkCase(h, convCase(shape, { x: A8, w: F32, b: F32 }, { ...base, paramQuantizers: [W8, fixed(6, 6)], accumulate: 'exact', epilogue: [quant(A8)] }), { expect: 'exact' });
    // stochastic weights and bias: draws from the parameter streams, indexed by the flat element
    const sw = fixed(2, 6, 'stochastic');
    const sb = fixed(4, 8, 'stochastic');
    await checkCase(h, convCase(shape, { x: A8, w: F32, b: F32 }, { ...base, paramQuantizers: [sw, sb], accumulate: 'exact', epilogue: [RELU, quant(A8)] }), {
      expect: 'exact',
      configs: [undefined, { variant: 1, rows: 4, cols: 4, wgx: 8, wgy: 8, tileK: 32, subgroup: 0 }],
    });
  });

  it('weights split into chunks (as beyond the binding limit), f32 and 16-bit codes', { timeout: TIMEOUT }, async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    // 8 filters x 3 x 3 x 3 = 216 weights in chunks of 60: each filter's fan-in crosses a chunk boundary
    const shape: ConvSpec = { n: 2, cin: 3, h: 6, w: 8, filters: 8, kernel: [3, 3], pad: [1, 1] };
    await checkCase(h, convCase(shape, { x: F32, w: F32, b: F32 }, { weightChunkElements: 60, epilogue: [RELU] }), { expect: 'close' });
    await checkCase(h, convCase(shape, { x: A8, w: fixed(4, 12), b: F32 }, { weightChunkElements: 60, accumulate: 'exact', epilogue: [quant(fixed(8, 8))] }), {
      expect: 'exact',
      configs: [undefined, { variant: 1, rows: 4, cols: 4, wgx: 8, wgy: 8, tileK: 32, subgroup: 0 }],
    });
  });

  it('without subgroups (and without the packed dot product) the default layout is still exact', { timeout: TIMEOUT }, async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const shape: ConvSpec = { n: 2, cin: 3, h: 4, w: 4, filters: 5, kernel: [3, 3], pad: [1, 1] };
    const caps = without(h, { subgroups: false, packedDot: false });
    const c = convCase(shape, { x: A8, w: W8, b: A8 }, { accumulate: 'exact', epilogue: [RELU, quant(A8)], capabilities: caps });
    const names = await checkCase(h, c, { expect: 'exact', configs: 'all' });
    expect(names.some((n) => n.includes('subgroup'))).toBe(false);
  });
});
