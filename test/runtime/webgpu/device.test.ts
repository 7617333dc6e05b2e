import { describe, expect, it } from 'vitest';
import { PORTABLE_WGSL } from '../../../src/codegen/wgsl/lib/capabilities.js';
import { ShaderBuilder } from '../../../src/codegen/wgsl/lib/shader-builder.js';
import { DiagnosticError } from '../../../src/diag/diagnostic.js';
import { describeCapabilities } from '../../../src/runtime/webgpu/capabilities.js';
import { WEBGPU_CODES } from '../../../src/runtime/webgpu/codes.js';
import { acquireDevice, liveDeviceCount, tryAcquireDevice } from '../../../src/runtime/webgpu/device.js';
import { withErrorScope } from '../../../src/runtime/webgpu/error-scope.js';
import { PipelineCache } from '../../../src/runtime/webgpu/pipeline-cache.js';
import { getTestDevice } from '../../helpers/webgpu.js';

/** A WebGPU entry point that finds no adapter, as on a machine without drivers or lavapipe. */
const noAdapterGpu = { requestAdapter: async () => null, wgslLanguageFeatures: new Set<string>() } as unknown as GPU;

describe('device acquisition', () => {
  it('says what to install, and that --backend cpu exists, when there is no adapter', async () => {
    const r = await tryAcquireDevice({ gpu: noAdapterGpu });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const d = r.diagnostics[0];
    expect(d.code).toBe(WEBGPU_CODES.NO_ADAPTER);
    expect(d.message).toContain('no WebGPU adapter');
    expect(d.hint).toContain('bash scripts/install-system.sh');
    expect(d.hint).toContain('--backend cpu');
    await expect(acquireDevice({ gpu: noAdapterGpu })).rejects.toBeInstanceOf(DiagnosticError);
  });

  it('reports an adapter that refuses the device', async () => {
    const adapter = {
      features: new Set<string>(['timestamp-query']),
      limits: { maxStorageBufferBindingSize: 1 << 27 },
      info: { vendor: 'x', architecture: '', device: '', description: '' },
      requestDevice: async () => {
        throw new Error('limit out of range');
      },
    };
    const gpu = { requestAdapter: async () => adapter, wgslLanguageFeatures: new Set<string>() } as unknown as GPU;
    const r = await tryAcquireDevice({ gpu });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.diagnostics[0].code).toBe(WEBGPU_CODES.DEVICE_REQUEST_FAILED);
      expect(r.diagnostics[0].message).toContain('limit out of range');
    }
  });

  it("acquires a device with the adapter's limits, timestamp queries and capabilities", async (ctx) => {
    if (!(await getTestDevice())) return ctx.skip();
    const d = await acquireDevice();
    try {
      const adapterLimit = d.adapter.limits.maxStorageBufferBindingSize;
      expect(d.device.limits.maxStorageBufferBindingSize).toBe(adapterLimit);
      expect(d.capabilities.limits.maxComputeWorkgroupStorageSize).toBe(d.adapter.limits.maxComputeWorkgroupStorageSize);
      expect(d.capabilities.timestampQuery).toBe(d.adapter.features.has('timestamp-query'));
      expect(d.wgsl.maxStorageBuffersPerShaderStage).toBe(d.device.limits.maxStorageBuffersPerShaderStage);
      expect(d.capabilities.wgslLanguageFeatures.size).toBeGreaterThan(0);
      if (/llvmpipe/.test(d.capabilities.adapter.description + d.capabilities.adapter.device)) expect(d.capabilities.isCpuAdapter).toBe(true);
      expect(describeCapabilities(d.capabilities)).toMatch(/^adapter: /);
      expect(liveDeviceCount()).toBeGreaterThan(0);
    } finally {
      d.destroy();
    }
    expect(await d.lost).toBeUndefined();
    expect(liveDeviceCount()).toBe(0);
  });
});

describe('GPU errors as diagnostics', () => {
  it('names the layer in a validation error', async (ctx) => {
    const device = await getTestDevice();
    if (!device) return ctx.skip();
    const run = withErrorScope(device, 'conv3_1', () => {
      // usage MAP_READ with STORAGE is invalid
      device.createBuffer({ size: 16, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.STORAGE });
      return 1;
    });
    await expect(run).rejects.toBeInstanceOf(DiagnosticError);
    const err = (await run.catch((e: unknown) => e)) as DiagnosticError;
    expect(err.diagnostics[0].code).toBe(WEBGPU_CODES.GPU_VALIDATION);
    expect(err.diagnostics[0].message).toContain("'conv3_1'");
    expect(await withErrorScope(device, 'fine', () => 42)).toBe(42);
  });

  it('passes through what fn throws when the GPU reported nothing', async (ctx) => {
    const device = await getTestDevice();
    if (!device) return ctx.skip();
    await expect(
      withErrorScope(device, 'x', () => {
        throw new RangeError('mine');
      }),
    ).rejects.toThrow('mine');
  });

  it('reports a WGSL compilation error with the line, and caches compiled pipelines by key', async (ctx) => {
    const device = await getTestDevice();
    if (!device) return ctx.skip();
    const cache = new PipelineCache(device);
    const bad = new ShaderBuilder({ capabilities: PORTABLE_WGSL, workgroupSize: 1 }).main(['let x: u32 = 1.5;']).build();
    const err = (await cache.get(bad, 'broken kernel').catch((e: unknown) => e)) as DiagnosticError;
    expect(err).toBeInstanceOf(DiagnosticError);
    expect(err.diagnostics[0].code).toBe(WEBGPU_CODES.SHADER_COMPILE);
    expect(err.diagnostics[0].message).toContain("'broken kernel'");
    expect(err.diagnostics[0].notes[0].message).toContain('let x: u32 = 1.5;');
    const good = () => {
      const b = new ShaderBuilder({ capabilities: PORTABLE_WGSL, workgroupSize: 1 });
      const out = b.storageBuffer('out', 'u32', 'read_write');
      return b.main([`${out}[0] = 1u;`]).build();
    };
    const before = cache.compilations;
    const p1 = await cache.get(good(), 'a');
    const p2 = await cache.get(good(), 'b');
    expect(p1).toBe(p2);
    expect(cache.compilations).toBe(before + 1);
  });
});
