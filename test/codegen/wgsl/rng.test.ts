import { describe, expect, it } from 'vitest';
import { wgsl } from '../../../src/codegen/wgsl/lib/expr.js';
import { rngKeys, rngKeyUniforms, rngU32, rngUniform } from '../../../src/codegen/wgsl/lib/rng.js';
import { ShaderBuilder } from '../../../src/codegen/wgsl/lib/shader-builder.js';
import { rngKeys as hostKeys, rngU32 as hostU32, rngUniform as hostUniform, uniformStream } from '../../../src/numeric/rng.js';
import { runKernel } from '../../../src/runtime/webgpu/run-kernel.js';
import { bufferOf, emptyBuffer, gpuHarness, readBuffer } from './gpu-harness.js';

describe('WGSL counter-based generator', () => {
  it('draws the same 1e5 u32 values and uniforms as src/numeric/rng.ts, bit for bit', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const n = 100_000;
    const [seed, step, stream] = [0xdeadbeef, 12345, 0xfe000003];
    const b = new ShaderBuilder({ capabilities: h.wgsl, workgroupSize: 64 });
    const bits = b.storageBuffer('bits', 'u32', 'read_write');
    const uni = b.storageBuffer('uni', 'f32', 'read_write');
    const keys = rngKeyUniforms(b);
    const i = wgsl('u32', 'i');
    const shader = b
      .main([
        `let i = ${b.globalIndex()};`,
        `if (i >= ${b.uniform('n', 'u32')}) { return; }`,
        `${bits}[i] = ${rngU32(b, keys, i)};`,
        `${uni}[i] = ${rngUniform(b, keys, i)};`,
      ])
      .build();
    const { keyA, keyB } = hostKeys(seed, step, stream);
    const bitsBuf = emptyBuffer(h.device, n);
    const uniBuf = emptyBuffer(h.device, n);
    await runKernel(h.device, h.cache, {
      shader,
      label: 'rng parity',
      buffers: { bits: bitsBuf, uni: uniBuf },
      uniforms: { rng_key_a: keyA, rng_key_b: keyB, n },
      workgroups: [Math.ceil(n / 64)],
    });
    const got = await readBuffer(h.device, bitsBuf);
    const gotU = new Float32Array((await readBuffer(h.device, uniBuf)).buffer);
    const draw = uniformStream(seed, step, stream);
    let bad = -1;
    for (let k = 0; k < n && bad < 0; k++) if (got[k] !== hostU32(seed, step, stream, k) || gotU[k] !== draw(k)) bad = k;
    expect(bad, `first differing draw at index ${bad}`).toBe(-1);
    expect(gotU[7]).toBe(hostUniform(seed, step, stream, 7));
  });

  it('computes the key schedule on the device like rngKeys', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const triples = [
      [0, 0, 0],
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
      [0xffffffff, 0xffffffff, 0xffffffff],
      [42, 7, 0x01000005],
      [0x9e3779b9, 0x6a09e667, 0xbb67ae85],
    ];
    const b = new ShaderBuilder({ capabilities: h.wgsl, workgroupSize: 8 });
    const input = b.storageBuffer('input', 'u32', 'read');
    const out = b.storageBuffer('out', 'u32', 'read_write');
    const k = rngKeys(b, wgsl('u32', `${input}[3u * i]`), wgsl('u32', `${input}[3u * i + 1u]`), wgsl('u32', `${input}[3u * i + 2u]`));
    const shader = b
      .main([
        `let i = gid.x;`,
        `if (i >= arrayLength(&${input}) / 3u) { return; }`,
        `let keys = ${k};`,
        `${out}[3u * i] = keys.x;`,
        `${out}[3u * i + 1u] = keys.y;`,
        `${out}[3u * i + 2u] = ${rngU32(b, wgsl('vec2<u32>', 'keys'), 99)};`,
      ])
      .build();
    const outBuf = emptyBuffer(h.device, 3 * triples.length);
    await runKernel(h.device, h.cache, { shader, label: 'rng keys', buffers: { input: bufferOf(h.device, Uint32Array.from(triples.flat())), out: outBuf }, workgroups: [1] });
    const got = await readBuffer(h.device, outBuf);
    const want = triples.flatMap(([s, t, r]) => {
      const { keyA, keyB } = hostKeys(s, t, r);
      return [keyA, keyB, hostU32(s, t, r, 99)];
    });
    expect(Array.from(got)).toEqual(want);
  });
});
