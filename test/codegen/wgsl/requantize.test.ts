import { describe, expect, it } from 'vitest';
import { dot4I8 } from '../../../src/codegen/wgsl/lib/dot4.js';
import { wgsl } from '../../../src/codegen/wgsl/lib/expr.js';
import { exactLayerValue, requantize, type RequantBias } from '../../../src/codegen/wgsl/lib/requantize.js';
import { rngKeyUniforms, rngUniform } from '../../../src/codegen/wgsl/lib/rng.js';
import { ShaderBuilder } from '../../../src/codegen/wgsl/lib/shader-builder.js';
import { TensorAccessor } from '../../../src/codegen/wgsl/lib/tensor-accessor.js';
import { codeRange, F32, fixed, type FixedType, type NumberType } from '../../../src/numeric/number-type.js';
import { rngKeys } from '../../../src/numeric/rng.js';
import { denseOp } from '../../../src/ops/dense.js';
import { quantizeOp } from '../../../src/ops/quantize.js';
import { tensorFromValues } from '../../../src/runtime/webgpu/buffers.js';
import { runKernel } from '../../../src/runtime/webgpu/run-kernel.js';
import { emptyBuffer, gpuHarness, readBuffer } from './gpu-harness.js';

/**
 * The exact integer path of a fixed x fixed dense layer on the device (i32 accumulation of code
 * products, integer bias, integer rounding of the accumulator to f32, output quantizer) against
 * the CPU reference: denseOp with accumulate 'exact', then the quantize op. Pre-activations are
 * compared as f32 values and output codes with ===.
 */
interface Case {
  name: string;
  m: number;
  k: number;
  units: number;
  x: FixedType;
  w: FixedType;
  /** undefined: no bias. */
  bias?: NumberType;
  out: FixedType;
  /** Codes drawn near the top of the range, so accumulators pass 2^24 and f32 rounding matters. */
  large?: boolean;
  training?: boolean;
}

const CASES: Case[] = [
  { name: '8x8 bits, K = 64 via dot4I8, no bias, nearest', m: 3, k: 64, units: 5, x: fixed(4, 4), w: fixed(2, 6), out: fixed(4, 4) },
  { name: '8x8 bits, odd K = 37, fixed bias in the integer sum, even + saturate', m: 4, k: 37, units: 7, x: fixed(3, 5, 'nearest', 'saturate'), w: fixed(1, 7), bias: fixed(6, 6), out: fixed(3, 5, 'even', 'saturate') },
  { name: '12x12 bits, accumulators beyond 2^24, fixed bias, floor + wrap', m: 3, k: 64, units: 6, x: fixed(6, 6), w: fixed(2, 10), bias: fixed(12, 4), out: fixed(4, 4, 'floor', 'wrap'), large: true },
  { name: '12x12 bits, accumulators beyond 2^24, no bias, zero + symmetric', m: 2, k: 64, units: 6, x: fixed(6, 6), w: fixed(2, 10), out: fixed(10, 6, 'zero'), large: true },
  { name: '8x8 bits, f32 bias, stochastic output while training', m: 4, k: 40, units: 6, x: fixed(4, 4), w: fixed(2, 6), bias: F32, out: fixed(4, 4, 'stochastic'), training: true },
  // With an f32 bias the reference rounds acc * 2^-S + b once (in f64), the kernel rounds acc first:
  // equal while |acc| < 2^24 (docs/wgsl.md), which these 12-bit codes and K = 3 guarantee.
  { name: '16-bit lanes, f32 bias, nearest + saturate', m: 3, k: 3, units: 5, x: fixed(4, 8), w: fixed(2, 10), bias: F32, out: fixed(8, 8, 'nearest', 'saturate'), large: true },
];

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

function randomCodes(t: FixedType, n: number, rnd: () => number, large: boolean): number[] {
  const { kmin, kmax } = codeRange(t);
  return Array.from({ length: n }, () => (large && rnd() < 0.8 ? Math.floor(kmax * (0.75 + 0.25 * rnd())) : kmin + Math.floor(rnd() * (kmax - kmin + 1))));
}

const SEED = 5;
const STEP = 2;
const STREAM = 17;

describe('exact requantization path', () => {
  it.for(CASES.map((c) => [c.name, c] as const))('%s', async ([, c], ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const rnd = lcg(c.k * 131 + c.units);
    const xv = randomCodes(c.x, c.m * c.k, rnd, !!c.large).map((k) => k * 2 ** -c.x.fracBits);
    const wv = randomCodes(c.w, c.units * c.k, rnd, !!c.large).map((k) => k * 2 ** -c.w.fracBits);
    const bv = c.bias?.kind === 'fixed' ? randomCodes(c.bias, c.units, rnd, !!c.large).map((k) => k * 2 ** -(c.bias as FixedType).fracBits) : Array.from({ length: c.units }, () => Math.fround((rnd() - 0.5) * 3));
    const accFrac = c.x.fracBits + c.w.fracBits;

    // CPU reference: exact dense, then the quantize op.
    const attrs = { units: c.units, axis: 1, transpose: false, bias_term: c.bias !== undefined };
    const cpuCtx = { training: !!c.training, seed: SEED, step: STEP, stream: STREAM };
    const pre = denseOp.cpu.forward({
      inputs: [{ shape: [c.m, c.k], data: Float64Array.from(xv) }],
      params: [{ shape: [c.units, c.k], data: Float64Array.from(wv) }, ...(c.bias ? [{ shape: [c.units], data: Float64Array.from(bv) }] : [])],
      attrs,
      inputTypes: [{ dtype: c.x, shape: [c.m, c.k] }],
      paramTypes: [c.w, ...(c.bias ? [c.bias] : [])],
      outType: { dtype: F32, shape: [c.m, c.units] },
      ctx: cpuCtx,
      accumulate: 'exact',
    });
    const q = quantizeOp.cpu.forward({ inputs: [pre], params: [], attrs: { to: c.out, ste: 'identity' }, inputTypes: [{ dtype: F32, shape: pre.shape }], paramTypes: [], outType: { dtype: c.out, shape: pre.shape }, ctx: cpuCtx });
    const wantCodes = Array.from(q.data, (v) => v * 2 ** c.out.fracBits);
    const accMax = Math.max(...Array.from(pre.data, (v) => Math.abs(v) * 2 ** accFrac));
    if (c.large && c.bias?.kind !== 'f32') expect(accMax).toBeGreaterThan(2 ** 24);

    // Device: i32 accumulation of codes, then the requantization snippets.
    const b = new ShaderBuilder({ capabilities: h.wgsl, workgroupSize: 32 });
    const x = new TensorAccessor(b, { name: 'x', type: c.x, shape: [c.m, c.k], access: 'read' });
    const w = new TensorAccessor(b, { name: 'w', type: c.w, shape: [c.units, c.k], access: 'read' });
    const bias = c.bias ? new TensorAccessor(b, { name: 'b', type: c.bias, shape: [c.units], access: 'read' }) : undefined;
    const outCodes = b.storageBuffer('out_codes', 'i32', 'read_write');
    const outPre = b.storageBuffer('out_pre', 'f32', 'read_write');
    const u = wgsl('u32', 'u');
    const biasSpec: RequantBias = !bias
      ? { kind: 'none' }
      : c.bias?.kind === 'fixed'
        ? { kind: 'code', fracBits: c.bias.fracBits, code: bias.loadCode(u) }
        : { kind: 'f32', value: bias.loadValue(u) };
    const useDot4 = x.lanes === 4 && w.lanes === 4 && c.k % 4 === 0;
    const loop = useDot4
      ? [`for (var j = 0u; j < ${c.k / 4}u; j++) {`, `  acc += ${dot4I8(b, x.word(wgsl('u32', `m * ${c.k / 4}u + j`)), w.word(wgsl('u32', `u * ${c.k / 4}u + j`)))};`, `}`]
      : [`for (var j = 0u; j < ${c.k}u; j++) {`, `  acc += ${x.loadCodeAt([wgsl('u32', 'm'), wgsl('u32', 'j')])} * ${w.loadCodeAt([wgsl('u32', 'u'), wgsl('u32', 'j')])};`, `}`];
    const keys = c.training ? rngKeyUniforms(b) : undefined;
    const o = wgsl('u32', 'o');
    const accE = wgsl('i32', 'acc');
    const shader = b
      .main([
        `let o = gid.x;`,
        `if (o >= ${c.m * c.units}u) { return; }`,
        `let m = o / ${c.units}u;`,
        `let u = o % ${c.units}u;`,
        `var acc = 0i;`,
        ...loop,
        `${outPre}[o] = ${exactLayerValue(b, accE, accFrac, biasSpec)};`,
        `${outCodes}[o] = ${requantize(b, { acc: accE, accFracBits: accFrac, bias: biasSpec, out: c.out, u: keys ? rngUniform(b, keys, o) : undefined })}.code;`,
      ])
      .build();
    expect(shader.code.includes('lpc_dot4_i8')).toBe(useDot4);
    const xt = tensorFromValues(h.device, c.x, xv);
    const wt = tensorFromValues(h.device, c.w, wv);
    const bt = c.bias ? tensorFromValues(h.device, c.bias, bv) : undefined;
    const codesBuf = emptyBuffer(h.device, c.m * c.units);
    const preBuf = emptyBuffer(h.device, c.m * c.units);
    const { keyA, keyB } = rngKeys(SEED, STEP, STREAM);
    await runKernel(h.device, h.cache, {
      shader,
      label: c.name,
      buffers: { x: xt.ranges[0], w: wt.ranges[0], ...(bt ? { b: bt.ranges[0] } : {}), out_codes: codesBuf, out_pre: preBuf },
      uniforms: keys ? { rng_key_a: keyA, rng_key_b: keyB } : undefined,
      workgroups: [Math.ceil((c.m * c.units) / 32)],
    });
    expect(Array.from(new Float32Array((await readBuffer(h.device, preBuf)).buffer))).toEqual(Array.from(pre.data));
    expect(Array.from(new Int32Array((await readBuffer(h.device, codesBuf)).buffer))).toEqual(wantCodes);
  });
});
