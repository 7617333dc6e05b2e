import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PORTABLE_WGSL } from '../../../src/codegen/wgsl/lib/capabilities.js';
import { WGSL_LIB_CODES } from '../../../src/codegen/wgsl/lib/codes.js';
import { f32Lit, i32Lit, wgsl } from '../../../src/codegen/wgsl/lib/expr.js';
import { helper } from '../../../src/codegen/wgsl/lib/helper.js';
import { quantize } from '../../../src/codegen/wgsl/lib/quantizer.js';
import { rngKeyUniforms, rngUniform } from '../../../src/codegen/wgsl/lib/rng.js';
import { gridFor, ShaderBuilder } from '../../../src/codegen/wgsl/lib/shader-builder.js';
import { packUniforms } from '../../../src/codegen/wgsl/lib/uniforms.js';
import { DiagnosticError } from '../../../src/diag/diagnostic.js';
import { F32, fixed } from '../../../src/numeric/number-type.js';
import { quantizeCode } from '../../../src/numeric/quantize.js';
import { rngKeys, rngUniform as hostUniform } from '../../../src/numeric/rng.js';
import { createTensor, readCodes, tensorBindings, tensorFromValues } from '../../../src/runtime/webgpu/buffers.js';
import { runKernel } from '../../../src/runtime/webgpu/run-kernel.js';
import { bufferOf, gpuHarness, readBuffer } from './gpu-harness.js';
import { GOLDEN_TYPE, goldenKernel } from './golden-kernel.js';

const GOLDEN = fileURLToPath(new URL('../../golden/wgsl/relu-quantize-pack.wgsl', import.meta.url));

function codeOf(e: () => void): string | undefined {
  try {
    e();
  } catch (err) {
    return err instanceof DiagnosticError ? err.diagnostics[0].code : undefined;
  }
  return undefined;
}

/** Names of the functions a WGSL text declares. */
function functions(code: string): string[] {
  return [...code.matchAll(/^fn (\w+)\(/gm)].map((m) => m[1]);
}

describe('ShaderBuilder', () => {
  it('emits only the helpers a kernel used, each once, dependencies first', () => {
    const b = new ShaderBuilder({ capabilities: PORTABLE_WGSL, workgroupSize: 64 });
    const out = b.storageBuffer('out', 'i32', 'read_write');
    const keys = rngKeyUniforms(b);
    const t = fixed(2, 6, 'stochastic', 'saturate');
    const u0 = rngUniform(b, keys, wgsl('u32', 'gid.x'));
    const u1 = rngUniform(b, keys, wgsl('u32', 'gid.x + 1u'));
    const code = b.main([`${out}[gid.x] = ${quantize(b, t, 0.3, u0)}.code + ${quantize(b, t, 0.7, u1)}.code;`]).build().code;
    expect(functions(code)).toEqual(['lpc_rng_mix', 'lpc_rng_u32', 'lpc_rng_uniform', 'lpc_quant_i2f6_stoch_sat_u', 'main']);
    expect(code.match(/struct LpcQuant/g)).toHaveLength(1);
    // no wrap helper (saturate), no key schedule (keys come from uniforms), no packing helpers
    expect(code).not.toContain('lpc_wrap_int_f32');
    expect(code).not.toContain('lpc_rng_keys');
    expect(code).not.toContain('lpc_pack');
  });

  it('numbers storage bindings in declaration order and the uniform block last', () => {
    const b = new ShaderBuilder({ capabilities: PORTABLE_WGSL, workgroupSize: [8, 8] });
    b.storageBuffer('a', 'f32', 'read');
    b.uniform('n', 'u32');
    b.storageBuffer('c.weights.q', 'u32', 'read_write');
    b.uniform('scale', 'f32');
    b.uniform('n', 'u32');
    const s = b.main(['']).build();
    expect(s.bindings).toEqual([
      { name: 'a', group: 0, binding: 0, kind: 'read-only-storage', element: 'f32' },
      { name: 'c_weights_q', group: 0, binding: 1, kind: 'storage', element: 'u32' },
      { name: 'lpc_u', group: 0, binding: 2, kind: 'uniform' },
    ]);
    expect(s.uniforms.fields).toEqual([
      { name: 'n', type: 'u32', offset: 0 },
      { name: 'scale', type: 'f32', offset: 4 },
    ]);
    expect(s.uniforms.size).toBe(16);
    expect(s.workgroupSize).toEqual([8, 8, 1]);
    expect(s.code).toContain('@compute @workgroup_size(8, 8, 1)');
    const bytes = new DataView(packUniforms(s.uniforms, { n: 7, scale: 0.5 }));
    expect([bytes.getUint32(0, true), bytes.getFloat32(4, true)]).toEqual([7, 0.5]);
    expect(() => packUniforms(s.uniforms, { n: 7 })).toThrow(/scale/);
    expect(() => packUniforms(s.uniforms, { n: -1, scale: 0 })).toThrow(/u32/);
    expect(() => packUniforms(s.uniforms, { n: 1, scale: 0, extra: 1 })).toThrow(/not a field/);
    expect(() => b.uniform('n', 'i32')).toThrow(/declared as u32/);
  });

  it('derives the cache key from the text: equal kernels share it, different ones do not', () => {
    expect(goldenKernel().shader.key).toBe(goldenKernel().shader.key);
    const other = (size: number) => new ShaderBuilder({ capabilities: PORTABLE_WGSL, workgroupSize: size }).main(['']).build().key;
    expect(other(32)).not.toBe(other(64));
  });

  it('reports a helper name reused with different text, and duplicate declarations', () => {
    const b = new ShaderBuilder({ capabilities: PORTABLE_WGSL, workgroupSize: 1 });
    b.use(helper('f', 'fn f() {}'));
    b.use(helper('f', 'fn f() {}'));
    expect(() => b.use(helper('f', 'fn f() { let x = 1; }'))).toThrow(/two different WGSL helpers/);
    b.storageBuffer('a', 'f32', 'read');
    expect(() => b.storageBuffer('a', 'f32', 'read')).toThrow(/declared twice/);
    expect(() => b.build()).toThrow(/main/);
  });

  it('turns kernels that exceed the adapter limits into diagnostics', () => {
    expect(codeOf(() => new ShaderBuilder({ capabilities: PORTABLE_WGSL, workgroupSize: [16, 32] }))).toBe(WGSL_LIB_CODES.WORKGROUP_TOO_LARGE);
    const b = new ShaderBuilder({ capabilities: PORTABLE_WGSL, workgroupSize: 64 });
    b.workgroupArray('tile_a', 'f32', 2048);
    expect(codeOf(() => b.workgroupArray('tile_b', 'f32', 2049))).toBe(WGSL_LIB_CODES.WORKGROUP_MEMORY_EXCEEDED);
    const c = new ShaderBuilder({ capabilities: PORTABLE_WGSL, workgroupSize: 64 });
    for (let i = 0; i < 8; i++) c.storageBuffer(`s${i}`, 'f32', 'read');
    expect(codeOf(() => c.storageBuffer('s8', 'f32', 'read'))).toBe(WGSL_LIB_CODES.TOO_MANY_STORAGE_BINDINGS);
  });

  it('makes identifiers that cannot collide with WGSL words, builtins or the library', () => {
    const b = new ShaderBuilder({ capabilities: PORTABLE_WGSL, workgroupSize: 1 });
    const names = ['conv1.weights.q', 'loop', 'input', 'gid', 'lpc_u', '1x', 'min'];
    expect(names.map((n) => b.storageBuffer(n, 'f32', 'read'))).toEqual([
      'conv1_weights_q',
      't_loop',
      'input',
      't_gid',
      't_lpc_u',
      't_1x',
      't_min',
    ]);
  });

  it('writes exact literals: hex floats for f32, a constant expression for -2^31', () => {
    expect(f32Lit(0.1).code).toBe('0x1.99999ap-4f');
    expect(f32Lit(-1.5).code).toBe('(-0x1.8p0f)');
    expect(f32Lit(2 ** -149).code).toBe('0x1p-149f');
    expect(i32Lit(-(2 ** 31)).code).toBe('(-2147483647i - 1i)');
    expect(() => f32Lit(Infinity)).toThrow();
  });

  it('spreads large grids over two dimensions', () => {
    expect(gridFor(1000, 64, 65535)).toEqual([16, 1, 1]);
    const [x, y] = gridFor(65535 * 64 * 3 + 1, 64, 65535);
    expect(y).toBe(4);
    expect(x * y * 64).toBeGreaterThanOrEqual(65535 * 64 * 3 + 1);
  });

  it('matches the golden WGSL of a small kernel (LPC_UPDATE_GOLDEN=1 rewrites it)', () => {
    const code = goldenKernel().shader.code;
    if (process.env.LPC_UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, code);
    expect(code).toBe(readFileSync(GOLDEN, 'utf8'));
  });

  it('the golden kernel compiles and computes relu + stochastic quantization + packing', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const shape = [1, 2, 3, 3];
    const values = Array.from({ length: 18 }, (_, i) => Math.fround((i - 6) * 0.77));
    const x = tensorFromValues(h.device, F32, values);
    const y = createTensor(h.device, GOLDEN_TYPE, values.length);
    const { shader, x: xa, y: ya } = goldenKernel(h.wgsl);
    const { keyA, keyB } = rngKeys(3, 1, 4);
    const stats = bufferOf(h.device, new Uint32Array(2));
    await runKernel(h.device, h.cache, {
      shader,
      label: 'golden',
      buffers: { ...tensorBindings(xa, x), ...tensorBindings(ya, y), lpc_qstats: stats },
      uniforms: { ...xa.uniformValues(shape), ...ya.uniformValues(shape), rng_key_a: keyA, rng_key_b: keyB },
      workgroups: [1],
    });
    const want = values.map((v, i) => quantizeCode(Math.max(v, 0), GOLDEN_TYPE, hostUniform(3, 1, 4, i)));
    expect(Array.from(await readCodes(h.device, y))).toEqual(want);
    const saturated = values.filter((v) => Math.max(v, 0) > 7.9375).length;
    expect(Array.from(await readBuffer(h.device, stats))).toEqual([saturated, 0]);
    expect(saturated).toBeGreaterThan(0);
  });
});
