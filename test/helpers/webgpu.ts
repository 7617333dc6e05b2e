/**
 * Gives tests a WebGPU device from the `webgpu` package (Dawn), or skips them with a visible
 * reason. Under LPC_REQUIRE_WEBGPU=1 (CI) a missing adapter fails instead of skipping.
 *
 * The object `create()` returns is kept in a module-level variable for the life of the process:
 * if it is garbage-collected while a device is alive, Dawn crashes inside its callback flush.
 */
import { create, globals } from 'webgpu';

let gpuInstance: GPU | undefined;
let devicePromise: Promise<{ device?: GPUDevice; adapter?: GPUAdapter; reason?: string }> | undefined;

export const webgpuRequired = process.env.LPC_REQUIRE_WEBGPU === '1';

async function acquire(): Promise<{ device?: GPUDevice; adapter?: GPUAdapter; reason?: string }> {
  try {
    process.env.XDG_RUNTIME_DIR ??= '/tmp';
    Object.assign(globalThis, globals);
    gpuInstance = create([]);
    const adapter = await gpuInstance.requestAdapter();
    if (!adapter) {
      return { reason: 'no WebGPU adapter found (install Mesa lavapipe: bash scripts/install-system.sh)' };
    }
    // subgroups as the runtime's device has them (src/runtime/webgpu/device.ts): the conv and dense
    // kernels have a subgroup path that tests exercise.
    const device = await adapter.requestDevice({
      requiredLimits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize },
      requiredFeatures: adapter.features.has('subgroups') ? ['subgroups'] : [],
    });
    return { device, adapter };
  } catch (e) {
    return { reason: `WebGPU unavailable: ${e instanceof Error ? e.message : String(e)}` };
  }
}

/**
 * Resolves to a device, or to undefined after printing why (tests then call `ctx.skip()`).
 * Throws when LPC_REQUIRE_WEBGPU=1 and there is no device.
 */
export async function getTestDevice(): Promise<GPUDevice | undefined> {
  devicePromise ??= acquire();
  const r = await devicePromise;
  if (r.device) return r.device;
  if (webgpuRequired) throw new Error(`LPC_REQUIRE_WEBGPU=1 but ${r.reason}`);
  console.warn(`[webgpu] skipping: ${r.reason}`);
  return undefined;
}

export async function getTestAdapter(): Promise<GPUAdapter | undefined> {
  await getTestDevice();
  return (await devicePromise)?.adapter;
}
