import { describe, expect, it } from 'vitest';
import { u32Lit, wgsl } from '../../../src/codegen/wgsl/lib/expr.js';
import { countQuantStatus, quantize, quantizeValue } from '../../../src/codegen/wgsl/lib/quantizer.js';
import { ShaderBuilder } from '../../../src/codegen/wgsl/lib/shader-builder.js';
import { codeRange, fixed, OVERFLOW_MODES, ROUND_MODES, type FixedType } from '../../../src/numeric/number-type.js';
import { emptyQuantizeStats, quantizeCodeCounted } from '../../../src/numeric/quantize.js';
import { rngUniform } from '../../../src/numeric/rng.js';
import { runKernel } from '../../../src/runtime/webgpu/run-kernel.js';
import { bufferOf, emptyBuffer, gpuHarness, readBuffer } from './gpu-harness.js';

/**
 * The WGSL quantizer against src/numeric/quantize.ts: every rounding x overflow mode at widths
 * 2..32, on edge cases (halves of both signs, the saturation boundaries and their neighbours,
 * NaN, infinities, subnormals, values beyond +-2^31) and random values. Codes and statuses must
 * be equal (===). One shader evaluates every type on every value, so lavapipe compiles once.
 */

/**
 * One (I, F) per width 2..32, plus the extreme F = 31. Each format gets its own shader: lavapipe's
 * LLVM compiles a shader when it is first dispatched, in time that grows faster than the number
 * of quantizer functions in it, so 18 functions per shader keeps the whole file near ten seconds.
 */
const FORMATS: [number, number][] = [
  [1, 1],
  [2, 2],
  [3, 5],
  [12, 0],
  [1, 15],
  [8, 16],
  [16, 16],
  [1, 31],
];

function nextF32(x: number, dir: 1 | -1): number {
  const f = new Float32Array([x]);
  const u = new Uint32Array(f.buffer);
  if (x === 0) u[0] = dir > 0 ? 1 : 0x80000001;
  else if (x > 0 === dir > 0) u[0]++;
  else u[0]--;
  return f[0];
}

/** Deterministic xorshift, so failures reproduce. */
function random(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

function edgeValues([i, f]: [number, number]): Float32Array {
  const v: number[] = [0, -0, NaN, Infinity, -Infinity, 2 ** 31, -(2 ** 31), 2 ** 31 + 256, -(2 ** 31) - 256, 2 ** 40, -(2 ** 40), 3e38, -3e38];
  v.push(3.4028234663852886e38, -3.4028234663852886e38, 1e-40, -1e-40, 1e-45, -1e-45, 2 ** -126, -(2 ** -126), 2 ** -100, -(2 ** -100), 2 ** -30, -(2 ** -30));
  const { kmax } = codeRange(fixed(i, f));
  const ulp = 2 ** -f;
  for (const k of [kmax - 1, kmax, kmax + 1, -kmax - 2, -kmax - 1, -kmax, -kmax + 1, 0, 1, -1, 2, -2, 3, -3, 2 ** 24, -(2 ** 24)]) {
    const c = k * ulp;
    for (const d of [0, 0.5, -0.5, 0.25, -0.25, 0.75, -0.75]) v.push(c + d * ulp);
    // the neighbours of each code and of each half, where f32 rounding of 1 + y bites
    v.push(nextF32(Math.fround(c), 1), nextF32(Math.fround(c), -1));
    v.push(nextF32(Math.fround(c + 0.5 * ulp), 1), nextF32(Math.fround(c + 0.5 * ulp), -1));
    v.push(nextF32(Math.fround(c - 0.5 * ulp), 1), nextF32(Math.fround(c - 0.5 * ulp), -1));
  }
  const rnd = random(12345 + 97 * i + f);
  for (let n = 0; n < 600; n++) v.push((rnd() - 0.5) * 2 ** Math.floor(rnd() * 40 - 20));
  for (let n = 0; n < 200; n++) v.push((rnd() - 0.5) * 4 * kmax * ulp);
  const bits = new Uint32Array(200);
  for (let n = 0; n < bits.length; n++) bits[n] = Math.floor(rnd() * 2 ** 32);
  v.push(...new Float32Array(bits.buffer).filter((x) => Number.isFinite(x)));
  return Float32Array.from(v);
}

interface Case {
  type: FixedType;
  draws: boolean;
}

/** Every rounding x overflow mode of one format; stochastic both with draws and without (nearest). */
function cases([i, f]: [number, number]): Case[] {
  const out: Case[] = [];
  for (const round of ROUND_MODES) {
    for (const overflow of OVERFLOW_MODES) {
      out.push({ type: fixed(i, f, round, overflow), draws: false });
      if (round === 'stochastic') out.push({ type: fixed(i, f, round, overflow), draws: true });
    }
  }
  return out;
}

describe('WGSL quantizer', () => {
  it.for(FORMATS)('fixed<%i, %i>: reference codes and statuses in every rounding x overflow mode', async ([i, f], ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const all = cases([i, f]);
    const xs = edgeValues([i, f]);
    const n = xs.length;
    const draw = (i: number) => rngUniform(7, 3, 11, i);
    const us = Float32Array.from({ length: n }, (_, i) => draw(i));

    const b = new ShaderBuilder({ capabilities: h.wgsl, workgroupSize: 64 });
    const x = b.storageBuffer('x', 'f32', 'read');
    const u = b.storageBuffer('u', 'f32', 'read');
    const codes = b.storageBuffer('codes', 'i32', 'read_write');
    const status = b.storageBuffer('status', 'u32', 'read_write');
    const xi = wgsl('f32', `${x}[i]`);
    const ui = wgsl('f32', `${u}[i]`);
    const arms = all.map((c, t) => `    case ${t}u: { r = ${quantize(b, c.type, xi, c.draws ? ui : undefined)}; }`);
    const shader = b
      .main([
        `let idx = ${b.globalIndex()};`,
        `if (idx >= ${u32Lit(all.length * n)}) { return; }`,
        `let t = idx / ${u32Lit(n)};`,
        `let i = idx - t * ${u32Lit(n)};`,
        `var r: LpcQuant;`,
        `switch t {`,
        ...arms,
        `    default: { r = LpcQuant(0i, 9u); }`,
        `}`,
        `${codes}[idx] = r.code;`,
        `${status}[idx] = r.status;`,
      ])
      .build();

    const total = all.length * n;
    const codesBuf = emptyBuffer(h.device, total);
    const statusBuf = emptyBuffer(h.device, total);
    const groups = Math.ceil(total / 64);
    const gy = Math.ceil(groups / 65535);
    await runKernel(h.device, h.cache, {
      shader,
      label: 'quantizer parity',
      buffers: { x: bufferOf(h.device, xs), u: bufferOf(h.device, us), codes: codesBuf, status: statusBuf },
      workgroups: [Math.ceil(groups / gy), gy],
    });
    const gotCodes = new Int32Array((await readBuffer(h.device, codesBuf)).buffer);
    const gotStatus = await readBuffer(h.device, statusBuf);

    const mismatches: string[] = [];
    all.forEach((c, t) => {
      for (let i = 0; i < n && mismatches.length < 20; i++) {
        const stats = emptyQuantizeStats();
        const want = quantizeCodeCounted(xs[i], c.type, c.draws ? draw(i) : undefined, stats);
        const wantStatus = stats.nan ? 2 : stats.saturated ? 1 : 0;
        const got = gotCodes[t * n + i];
        const gotS = gotStatus[t * n + i];
        if (got !== want || gotS !== wantStatus) {
          mismatches.push(`fixed<${c.type.intBits},${c.type.fracBits},${c.type.round},${c.type.overflow}>${c.draws ? ' (u)' : ''} x=${xs[i]} u=${us[i]}: code ${got} status ${gotS}, want ${want} status ${wantStatus}`);
        }
      }
    });
    expect(mismatches).toEqual([]);
    expect(all.length).toBe(18);
  });

  it('counts saturation and NaN like QuantizeStats, and gives Q(x) as f32', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const t = fixed(3, 4, 'nearest', 'saturate');
    const xs = Float32Array.from([0.1, -0.2, 100, -100, NaN, NaN, NaN, Infinity, 3.9, -4.03, 7.96875, 2.5]);
    const b = new ShaderBuilder({ capabilities: h.wgsl, workgroupSize: 32 });
    const x = b.storageBuffer('x', 'f32', 'read');
    const out = b.storageBuffer('out', 'f32', 'read_write');
    const shader = b
      .main([
        `let i = gid.x;`,
        `if (i >= arrayLength(&${x})) { return; }`,
        `let q = ${quantize(b, t, wgsl('f32', `${x}[i]`))};`,
        countQuantStatus(b, wgsl('u32', 'q.status')),
        `${out}[i] = ${quantizeValue(b, t, wgsl('f32', `${x}[i]`))};`,
      ])
      .build();
    const stats = bufferOf(h.device, new Uint32Array(2));
    const outBuf = emptyBuffer(h.device, xs.length);
    await runKernel(h.device, h.cache, { shader, label: 'quantizer stats', buffers: { x: bufferOf(h.device, xs), out: outBuf, lpc_qstats: stats }, workgroups: [1] });
    const want = emptyQuantizeStats();
    const values = Array.from(xs, (v) => quantizeCodeCounted(v, t, undefined, want) * 2 ** -t.fracBits);
    const got = await readBuffer(h.device, stats);
    expect({ saturated: got[0], nan: got[1] }).toEqual(want);
    expect(Array.from(new Float32Array((await readBuffer(h.device, outBuf)).buffer))).toEqual(values);
  });
});
