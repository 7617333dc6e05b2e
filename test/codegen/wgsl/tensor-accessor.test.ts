import { describe, expect, it } from 'vitest';
import { wgsl } from '../../../src/codegen/wgsl/lib/expr.js';
import { PORTABLE_WGSL } from '../../../src/codegen/wgsl/lib/capabilities.js';
import { ShaderBuilder } from '../../../src/codegen/wgsl/lib/shader-builder.js';
import { TensorAccessor } from '../../../src/codegen/wgsl/lib/tensor-accessor.js';
import { codeRange, F32, fixed, type FixedType } from '../../../src/numeric/number-type.js';
import { chunkingOf, createTensor, readCodes, readValues, readWords, tensorBindings, tensorFromValues, uploadCodes } from '../../../src/runtime/webgpu/buffers.js';
import { packCodes } from '../../../src/runtime/webgpu/host-packing.js';
import { runKernel } from '../../../src/runtime/webgpu/run-kernel.js';
import { bufferOf, emptyBuffer, gpuHarness, readBuffer } from './gpu-harness.js';

/** Types whose codes sit in 8-bit, 16-bit and 32-bit lanes, narrow and full width. */
const LANE_TYPES: FixedType[] = [fixed(2, 2), fixed(3, 5, 'nearest', 'saturate'), fixed(5, 7), fixed(1, 15, 'nearest', 'saturate'), fixed(10, 14), fixed(16, 16, 'nearest', 'saturate')];

/** Codes covering both ends of the range, -1, 0, 1 and a deterministic spread between. */
function sampleCodes(t: FixedType, count: number): number[] {
  const { kmin, kmax } = codeRange(t);
  const out = [kmin, kmax, -1, 0, 1, kmin + 1, kmax - 1];
  let s = 99;
  while (out.length < count) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(kmin + (s % (kmax - kmin + 1)));
  }
  return out.slice(0, count);
}

const typeName = (t: FixedType) => `fixed<${t.intBits}, ${t.fracBits}>`;

describe('TensorAccessor on the device', () => {
  it.for(LANE_TYPES.map((t) => [typeName(t), t] as const))('%s: host-packed codes load as the same codes and values', async ([, t], ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const count = 13; // odd, so the last word has padding lanes
    const codes = sampleCodes(t, count);
    const tensor = tensorFromValues(h.device, t, codes.map((k) => k * 2 ** -t.fracBits), { label: 'x' });
    const b = new ShaderBuilder({ capabilities: h.wgsl, workgroupSize: 32 });
    const x = new TensorAccessor(b, { name: 'x', type: t, shape: [count], access: 'read' });
    const outCodes = b.storageBuffer('out_codes', 'i32', 'read_write');
    const outValues = b.storageBuffer('out_values', 'f32', 'read_write');
    const shader = b
      .main([`let i = gid.x;`, `if (i >= ${x.length()}) { return; }`, `${outCodes}[i] = ${x.loadCode(wgsl('u32', 'i'))};`, `${outValues}[i] = ${x.loadValue(wgsl('u32', 'i'))};`])
      .build();
    const oc = emptyBuffer(h.device, count);
    const ov = emptyBuffer(h.device, count);
    await runKernel(h.device, h.cache, { shader, label: 'unpack', buffers: { ...tensorBindings(x, tensor), out_codes: oc, out_values: ov }, workgroups: [1] });
    expect(Array.from(new Int32Array((await readBuffer(h.device, oc)).buffer))).toEqual(codes);
    expect(Array.from(new Float32Array((await readBuffer(h.device, ov)).buffer))).toEqual(codes.map((k) => Math.fround(k * 2 ** -t.fracBits)));
    tensor.destroy();
  });

  it.for(LANE_TYPES.map((t) => [typeName(t), t] as const))('%s: whole-word stores pack like the host and zero the padding lanes', async ([, t], ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const count = 13;
    const codes = sampleCodes(t, count);
    // Garbage (-1) past the end: storeCodes must write those lanes as 0.
    const input = Int32Array.from([...codes, -1, -1, -1, -1]);
    const out = createTensor(h.device, t, count, { label: 'y' });
    const b = new ShaderBuilder({ capabilities: h.wgsl, workgroupSize: 16 });
    const src = b.storageBuffer('src', 'i32', 'read');
    const y = new TensorAccessor(b, { name: 'y', type: t, shape: [count], access: 'read_write' });
    const lane = (k: number) => `${src}[w * ${y.lanes}u + ${k}u]`;
    const vec = y.lanes === 4 ? wgsl('vec4<i32>', `vec4<i32>(${lane(0)}, ${lane(1)}, ${lane(2)}, ${lane(3)})`) : y.lanes === 2 ? wgsl('vec2<i32>', `vec2<i32>(${lane(0)}, ${lane(1)})`) : wgsl('i32', lane(0));
    const shader = b.main([`let w = gid.x;`, `if (w >= ${y.wordCount()}) { return; }`, y.storeCodes(wgsl('u32', 'w'), vec)]).build();
    await runKernel(h.device, h.cache, { shader, label: 'pack', buffers: { src: bufferOf(h.device, input), ...tensorBindings(y, out) }, workgroups: [1] });
    expect(Array.from(await readCodes(h.device, out))).toEqual(codes);
    expect(Array.from(await readWords(h.device, out))).toEqual(Array.from(packCodes(codes, t)));
    out.destroy();
  });

  it('reads NCHW elements by index tuple with static and with uniform shapes (an NCHW -> NHWC transpose)', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const [n, c, hh, w] = [2, 3, 4, 5];
    const values = Array.from({ length: n * c * hh * w }, (_, i) => i * 0.5 - 7);
    const want: number[] = [];
    for (let a = 0; a < n; a++) for (let y = 0; y < hh; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) want.push(values[((a * c + ch) * hh + y) * w + x]);
    for (const dynamic of [false, true]) {
      const src = tensorFromValues(h.device, F32, values, { label: 'src' });
      const dst = createTensor(h.device, F32, values.length, { label: 'dst' });
      const b = new ShaderBuilder({ capabilities: h.wgsl, workgroupSize: 64 });
      const xs = new TensorAccessor(b, { name: 'src', type: F32, shape: dynamic ? { rank: 4 } : [n, c, hh, w], access: 'read' });
      const ys = new TensorAccessor(b, { name: 'dst', type: F32, shape: dynamic ? { rank: 4 } : [n, hh, w, c], access: 'read_write' });
      const shader = b
        .main([
          `let o = gid.x;`,
          `if (o >= ${ys.length()}) { return; }`,
          `let d = ${ys.indicesOf(wgsl('u32', 'o'))};`,
          ys.storeValue(wgsl('u32', 'o'), xs.loadValueAt([wgsl('u32', 'd[0]'), wgsl('u32', 'd[3]'), wgsl('u32', 'd[1]'), wgsl('u32', 'd[2]')])),
        ])
        .build();
      expect(shader.uniforms.fields.length > 0).toBe(dynamic);
      const uniforms = dynamic ? { ...xs.uniformValues([n, c, hh, w]), ...ys.uniformValues([n, hh, w, c]) } : undefined;
      await runKernel(h.device, h.cache, { shader, label: 'transpose', buffers: { ...tensorBindings(xs, src), ...tensorBindings(ys, dst) }, uniforms, workgroups: [Math.ceil(values.length / 64)] });
      expect(Array.from(await readValues(h.device, dst))).toEqual(want);
      src.destroy();
      dst.destroy();
    }
  });

  it('loads and stores chunked tensors (several bindings, an artificially small chunk size)', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const t8 = fixed(4, 4);
    const count = 37;
    const codes = sampleCodes(t8, count);
    const input = createTensor(h.device, t8, count, { label: 'x', chunkElements: 8 });
    uploadCodes(h.device, input, codes);
    const output = createTensor(h.device, F32, count, { label: 'y', chunkElements: 16 });
    expect(input.ranges.length).toBe(5);
    expect(output.ranges.length).toBe(3);
    const b = new ShaderBuilder({ capabilities: h.wgsl, workgroupSize: 64 });
    const x = new TensorAccessor(b, { name: 'x', type: t8, shape: [count], access: 'read', chunking: chunkingOf(input) });
    const y = new TensorAccessor(b, { name: 'y', type: F32, shape: [count], access: 'read_write', chunking: chunkingOf(output) });
    const shader = b.main([`let i = gid.x;`, `if (i >= ${x.length()}) { return; }`, y.storeValue(wgsl('u32', 'i'), wgsl('f32', `${x.loadValue(wgsl('u32', 'i'))} * 2.0`))]).build();
    expect(shader.bindings.length).toBe(8); // 5 + 3 storage bindings, the test device's limit
    await runKernel(h.device, h.cache, { shader, label: 'chunked copy', buffers: { ...tensorBindings(x, input), ...tensorBindings(y, output) }, workgroups: [1] });
    expect(Array.from(await readValues(h.device, output))).toEqual(codes.map((k) => k * 2 ** -4 * 2));
    input.destroy();
    output.destroy();
  });

  it('writes whole words into a chunked packed tensor', async (ctx) => {
    const h = await gpuHarness();
    if (!h) return ctx.skip();
    const t = fixed(1, 7, 'nearest', 'saturate');
    const count = 21;
    const codes = sampleCodes(t, count);
    const out = createTensor(h.device, t, count, { label: 'y', chunkElements: 8 });
    const b = new ShaderBuilder({ capabilities: h.wgsl, workgroupSize: 8 });
    const src = b.storageBuffer('src', 'i32', 'read');
    const y = new TensorAccessor(b, { name: 'y', type: t, shape: [count], access: 'read_write', chunking: chunkingOf(out) });
    const lane = (k: number) => `${src}[min(w * 4u + ${k}u, arrayLength(&${src}) - 1u)]`;
    const shader = b
      .main([`let w = gid.x;`, `if (w >= ${y.wordCount()}) { return; }`, y.storeCodes(wgsl('u32', 'w'), wgsl('vec4<i32>', `vec4<i32>(${lane(0)}, ${lane(1)}, ${lane(2)}, ${lane(3)})`))])
      .build();
    await runKernel(h.device, h.cache, { shader, label: 'chunked pack', buffers: { src: bufferOf(h.device, Int32Array.from(codes)), ...tensorBindings(y, out) }, workgroups: [1] });
    expect(Array.from(await readCodes(h.device, out))).toEqual(codes);
    expect(Array.from(await readWords(h.device, out))).toEqual(Array.from(packCodes(codes, t)));
    out.destroy();
  });
});

describe('TensorAccessor (generated text)', () => {
  it('rejects stores that would race or mismatch the packing', () => {
    const b = new ShaderBuilder({ capabilities: PORTABLE_WGSL, workgroupSize: 1 });
    const p = new TensorAccessor(b, { name: 'p', type: fixed(4, 4), shape: [8], access: 'read_write' });
    expect(() => p.storeCode(0, 1)).toThrow(/whole words/);
    expect(() => p.storeCodes(0, wgsl('vec2<i32>', 'vec2<i32>(0i)'))).toThrow(/vec4<i32>/);
    expect(() => p.storeValue(0, 1)).toThrow(/quantize/);
    const f = new TensorAccessor(b, { name: 'f', type: F32, shape: [8], access: 'read_write' });
    expect(() => f.loadCode(0)).toThrow(/f32 values/);
    expect(() => new TensorAccessor(b, { name: 'c', type: fixed(4, 4), shape: [8], access: 'read', chunking: { chunks: 2, chunkElements: 6 } })).toThrow(/multiple of 4/);
  });

  it('declares uniforms only for what a dynamic-shape kernel reads', () => {
    const b = new ShaderBuilder({ capabilities: PORTABLE_WGSL, workgroupSize: 1 });
    const x = new TensorAccessor(b, { name: 'x', type: F32, shape: { rank: 3 }, access: 'read' });
    b.main([`let v = ${x.loadValueAt([0, 1, 2])};`]);
    expect(b.uniformNames()).toEqual(['x_s0', 'x_s1', 'x_s2']);
    expect(x.uniformValues([2, 3, 4])).toEqual({ x_s0: 12, x_s1: 4, x_s2: 1 });
  });
});
