import { describe, expect, it } from 'vitest';
import { hasPackedDot } from '../../../src/codegen/wgsl/lib/capabilities.js';
import { dot4I8 } from '../../../src/codegen/wgsl/lib/dot4.js';
import { wgsl } from '../../../src/codegen/wgsl/lib/expr.js';
import { ShaderBuilder } from '../../../src/codegen/wgsl/lib/shader-builder.js';
import { runKernel } from '../../../src/runtime/webgpu/run-kernel.js';
import { bufferOf, emptyBuffer, gpuHarness, readBuffer } from './gpu-harness.js';

/** The dot product of the four signed bytes of two words, computed on the host. */
function hostDot4(a: number, b: number): number {
  let s = 0;
  for (let lane = 0; lane < 4; lane++) s += ((a << (24 - 8 * lane)) >> 24) * ((b << (24 - 8 * lane)) >> 24);
  return s;
}

describe('dot4I8', () => {
  it('emits the builtin with its `requires` only when the language feature is present', () => {
    const caps = { languageFeatures: new Set(['packed_4x8_integer_dot_product']) };
    const base = { features: new Set<string>(), maxComputeWorkgroupStorageSize: 16384, maxComputeInvocationsPerWorkgroup: 256, maxComputeWorkgroupSizeX: 256, maxComputeWorkgroupSizeY: 256, maxComputeWorkgroupSizeZ: 64, maxStorageBuffersPerShaderStage: 8, maxStorageBufferBindingSize: 2 ** 27, maxComputeWorkgroupsPerDimension: 65535 };
    const withFeature = new ShaderBuilder({ capabilities: { ...base, ...caps }, workgroupSize: 1 });
    const e = dot4I8(withFeature, wgsl('u32', 'a'), wgsl('u32', 'b'));
    const code = withFeature.main([`let a = 1u; let b = 2u; let d = ${e};`]).build().code;
    expect(code.startsWith('requires packed_4x8_integer_dot_product;')).toBe(true);
    expect(code).toContain('dot4I8Packed(a, b)');
    const without = new ShaderBuilder({ capabilities: { ...base, languageFeatures: new Set<string>() }, workgroupSize: 1 });
    const portable = without.main([`let a = 1u; let b = 2u; let d = ${dot4I8(without, wgsl('u32', 'a'), wgsl('u32', 'b'))};`]).build().code;
    expect(portable).not.toContain('requires');
    expect(portable).not.toContain('dot4I8Packed');
    expect(portable).toContain('extractBits');
  });

  it('builtin and portable fallback both equal the host dot product of signed bytes', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const n = 512;
    const a = new Uint32Array(n);
    const c = new Uint32Array(n);
    let s = 0x1234567;
    const next = () => (s = (Math.imul(s, 1103515245) + 12345) >>> 0);
    for (let i = 0; i < n; i++) {
      a[i] = next();
      c[i] = next();
    }
    // extremes: -128 * -128 in every lane, 127 * -128, zeros
    a.set([0x80808080, 0x7f7f7f7f, 0, 0xffffffff], 0);
    c.set([0x80808080, 0x80808080, 0x12345678, 0xffffffff], 0);
    const b = new ShaderBuilder({ capabilities: h.wgsl, workgroupSize: 64 });
    const x = b.storageBuffer('x', 'u32', 'read');
    const y = b.storageBuffer('y', 'u32', 'read');
    const fast = b.storageBuffer('fast', 'i32', 'read_write');
    const slow = b.storageBuffer('slow', 'i32', 'read_write');
    const xi = wgsl('u32', `${x}[i]`);
    const yi = wgsl('u32', `${y}[i]`);
    const shader = b
      .main([
        `let i = gid.x;`,
        `if (i >= arrayLength(&${x})) { return; }`,
        `${fast}[i] = ${dot4I8(b, xi, yi)};`,
        `${slow}[i] = ${dot4I8(b, xi, yi, 'portable')};`,
      ])
      .build();
    expect(shader.code.includes('dot4I8Packed')).toBe(hasPackedDot(h.wgsl));
    const fastBuf = emptyBuffer(h.device, n);
    const slowBuf = emptyBuffer(h.device, n);
    await runKernel(h.device, h.cache, { shader, label: 'dot4', buffers: { x: bufferOf(h.device, a), y: bufferOf(h.device, c), fast: fastBuf, slow: slowBuf }, workgroups: [n / 64] });
    const want = Array.from(a, (v, i) => hostDot4(v, c[i]));
    expect(Array.from(new Int32Array((await readBuffer(h.device, fastBuf)).buffer))).toEqual(want);
    expect(Array.from(new Int32Array((await readBuffer(h.device, slowBuf)).buffer))).toEqual(want);
    expect(want[0]).toBe(4 * 128 * 128);
  });
});
