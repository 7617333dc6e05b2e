/**
 * Shared set-up of the WGSL tests: the test device (test/helpers/webgpu.ts: skipped without an
 * adapter, an error under LPC_REQUIRE_WEBGPU=1), its WGSL capabilities, a pipeline cache, and
 * small helpers to run a kernel on tensors and read them back.
 */
import type { WgslCapabilities } from '../../../src/codegen/wgsl/lib/capabilities.js';
import { readCapabilities, wgslCapabilities } from '../../../src/runtime/webgpu/capabilities.js';
import { nodeGpu } from '../../../src/runtime/webgpu/node-gpu.js';
import { PipelineCache } from '../../../src/runtime/webgpu/pipeline-cache.js';
import { getTestAdapter, getTestDevice } from '../../helpers/webgpu.js';

export interface GpuHarness {
  device: GPUDevice;
  wgsl: WgslCapabilities;
  cache: PipelineCache;
}

let harness: Promise<GpuHarness | undefined> | undefined;

export function gpuHarness(): Promise<GpuHarness | undefined> {
  harness ??= (async () => {
    const device = await getTestDevice();
    const adapter = await getTestAdapter();
    if (!device || !adapter) return undefined;
    // The WGSL language features belong to the implementation (navigator.gpu), the same Dawn
    // build the test helper's instance comes from.
    const caps = readCapabilities(nodeGpu(), adapter, device);
    return { device, wgsl: wgslCapabilities(caps), cache: new PipelineCache(device) };
  })();
  return harness;
}

/** A storage buffer with the given 32-bit contents (COPY_SRC so it can be read back). */
export function bufferOf(device: GPUDevice, data: Uint32Array | Int32Array | Float32Array, label = 'data'): GPUBuffer {
  const size = Math.max(4, data.byteLength);
  const buf = device.createBuffer({ label, size, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  if (data.byteLength > 0) device.queue.writeBuffer(buf, 0, data.buffer, data.byteOffset, data.byteLength);
  return buf;
}

export function emptyBuffer(device: GPUDevice, words: number, label = 'out'): GPUBuffer {
  return bufferOf(device, new Uint32Array(words), label);
}

/** The buffer's contents as 32-bit words. */
export async function readBuffer(device: GPUDevice, buf: GPUBuffer): Promise<Uint32Array> {
  const staging = device.createBuffer({ size: buf.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(buf, 0, staging, 0, buf.size);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const out = new Uint32Array(staging.getMappedRange().slice(0));
  staging.unmap();
  staging.destroy();
  return out;
}
