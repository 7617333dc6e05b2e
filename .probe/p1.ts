import { create, globals } from 'webgpu';
Object.assign(globalThis, globals);
const gpu = create([]);
const adapter = (await gpu.requestAdapter())!;
const device = await adapter.requestDevice();
console.log('limits', adapter.limits.maxStorageBuffersPerShaderStage, adapter.limits.maxComputeWorkgroupStorageSize, adapter.limits.maxComputeInvocationsPerWorkgroup);
const N = 1 << 16;
const a = new Float32Array(N), bb = new Float32Array(N), c = new Float32Array(N);
let s = 1;
const r = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
for (let i = 0; i < N; i++) { a[i] = (r() - 0.5) * 2 ** (r() * 20 - 10); bb[i] = (r() - 0.5) * 2 ** (r() * 20 - 10); c[i] = (r()-0.5) * 8; }
function buf(d: Float32Array) { const b = device.createBuffer({ size: d.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST }); device.queue.writeBuffer(b, 0, d); return b; }
const code = `
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> c: array<f32>;
@group(0) @binding(3) var<storage, read_write> o: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let i = g.x; let n = arrayLength(&a);
  if (i >= n) { return; }
  o[i] = a[i] / b[i];
  o[n + i] = a[i] + c[i] * b[i];
  o[2u*n + i] = exp(c[i]);
  o[3u*n + i] = tanh(c[i] * 3.0);
  o[4u*n + i] = pow(abs(c[i]) + 1.0, -0.75);
  o[5u*n + i] = log(abs(a[i]));
  o[6u*n + i] = sqrt(abs(a[i]));
  o[7u*n + i] = 1.0 / sqrt(abs(a[i]));
}`;
const mod = device.createShaderModule({ code });
const pipe = device.createComputePipeline({ layout: 'auto', compute: { module: mod, entryPoint: 'main' } });
const out = device.createBuffer({ size: N * 4 * 8, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
const bg = device.createBindGroup({ layout: pipe.getBindGroupLayout(0), entries: [buf(a), buf(bb), buf(c), out].map((b, i) => ({ binding: i, resource: { buffer: b } })) });
const enc = device.createCommandEncoder();
const p = enc.beginComputePass(); p.setPipeline(pipe); p.setBindGroup(0, bg); p.dispatchWorkgroups(N / 64); p.end();
const st = device.createBuffer({ size: N * 32, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
enc.copyBufferToBuffer(out, 0, st, 0, N * 32);
device.queue.submit([enc.finish()]);
await st.mapAsync(GPUMapMode.READ);
const o = new Float32Array(st.getMappedRange().slice(0));
const f = Math.fround;
const ulpErr = (g: number, w: number) => { if (g === w) return 0; const e = Math.abs(g - w); const u = 2 ** (Math.floor(Math.log2(Math.abs(w))) - 23); return e / u; };
const stats = (name: string, k: number, ref: (i: number) => number) => {
  let mism = 0, maxu = 0, maxabs = 0, maxrel = 0;
  for (let i = 0; i < N; i++) { const g = o[k * N + i], w = ref(i); const wf = f(w); if (g !== wf) mism++; maxu = Math.max(maxu, ulpErr(g, w)); maxabs = Math.max(maxabs, Math.abs(g - w)); maxrel = Math.max(maxrel, Math.abs(g-w)/Math.max(1,Math.abs(w))); }
  console.log(name, 'mismatch vs fround', mism, 'max ulp', maxu.toFixed(3), 'maxabs', maxabs, 'maxrel(max1)', maxrel);
};
stats('div', 0, (i) => a[i] / bb[i]);
stats('muladd(separate rounding)', 1, (i) => f(a[i] + f(c[i] * bb[i])));
stats('exp', 2, (i) => Math.exp(c[i]));
stats('tanh', 3, (i) => Math.tanh(f(c[i] * 3)));
stats('pow', 4, (i) => Math.pow(f(Math.abs(c[i]) + 1), -0.75));
stats('log', 5, (i) => Math.log(Math.abs(a[i])));
stats('sqrt', 6, (i) => Math.sqrt(Math.abs(a[i])));
stats('rsqrt', 7, (i) => 1 / Math.sqrt(Math.abs(a[i])));
process.exit(0);
