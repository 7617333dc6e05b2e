/**
 * One Dawn instance (the `webgpu` package) for the whole benchmark process, shared by lpc and by
 * TF.js, so both run on the same adapter in the same process.
 *
 * lpc's node-gpu.ts creates the instance and holds it for the process's life (if the object
 * `create()` returns were garbage-collected, Dawn would crash inside its callback flush). TF.js's
 * WebGPU backend looks the API up as `navigator.gpu`, which Node 20 does not have: it is set here
 * to that same object. lpc's acquireDevice also prefers navigator.gpu, so both get this instance.
 */
import { nodeGpu } from '../../src/runtime/webgpu/node-gpu.js';

let shared: GPU | undefined;

export function sharedGpu(): GPU {
  if (shared) return shared;
  shared = nodeGpu();
  const g = globalThis as { navigator?: object };
  if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: shared, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu: shared }, configurable: true, writable: true });
  return shared;
}

export interface AdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter?: boolean;
  maxStorageBufferBindingSize: number;
  features: string[];
}

/** The default adapter of the shared instance (what TF.js and lpc get), or why there is none. */
export async function describeAdapter(): Promise<AdapterDescription | { error: string }> {
  try {
    const adapter = await sharedGpu().requestAdapter();
    if (!adapter) return { error: 'no WebGPU adapter found' };
    const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
    return {
      vendor: info.vendor,
      architecture: info.architecture,
      device: info.device,
      description: info.description,
      isFallbackAdapter: info.isFallbackAdapter,
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      features: [...adapter.features].map(String).sort(),
    };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}
