import { DiagnosticError, error, type Diagnostic } from '../../diag/diagnostic.js';
import type { WgslCapabilities } from '../../codegen/wgsl/lib/capabilities.js';
import { readCapabilities, REQUESTED_LIMITS, wgslCapabilities, type DeviceCapabilities } from './capabilities.js';
import { WEBGPU_CODES } from './codes.js';

/**
 * Getting a WebGPU device: navigator.gpu in a browser, the `webgpu` package (Dawn) in Node,
 * loaded dynamically from node-gpu.ts so browser bundles do not import it. The device asks for
 * the adapter's own limits (large storage bindings, workgroup memory, invocations) rather than
 * the defaults, and for `timestamp-query` when the adapter has it. Failures are diagnostics that
 * say what to install and that `--backend cpu` exists.
 */
export interface AcquireOptions {
  /** A WebGPU entry point to use instead of navigator.gpu or Dawn (tests pass fakes). */
  gpu?: GPU;
  powerPreference?: GPUPowerPreference;
  forceFallbackAdapter?: boolean;
  /** Features to enable when the adapter has them, besides timestamp-query. */
  optionalFeatures?: readonly GPUFeatureName[];
  /** Dawn toggles for the Node instance (e.g. `enable-dawn-features=...`); ignored in browsers. */
  dawnFlags?: readonly string[];
  label?: string;
}

export interface LpcDevice {
  readonly gpu: GPU;
  readonly adapter: GPUAdapter;
  readonly device: GPUDevice;
  readonly capabilities: DeviceCapabilities;
  /** The capabilities in the form the WGSL library takes. */
  readonly wgsl: WgslCapabilities;
  /** Resolves when the device is lost, with a diagnostic unless it was destroyed on purpose. */
  readonly lost: Promise<Diagnostic | undefined>;
  destroy(): void;
}

/**
 * Every live device and the GPU object it came from. The strong reference is what keeps a Dawn
 * instance alive as long as its devices (see node-gpu.ts); an entry goes when its device is lost
 * or destroyed.
 */
const liveDevices = new Map<GPUDevice, GPU>();

export function liveDeviceCount(): number {
  return liveDevices.size;
}

const NO_ADAPTER_HINT = 'install Mesa lavapipe (a WebGPU adapter on the CPU) with `bash scripts/install-system.sh`, or run with `--backend cpu`';

/** Resolves to a device, or throws a DiagnosticError (LPC5000-5002). */
export async function acquireDevice(opts: AcquireOptions = {}): Promise<LpcDevice> {
  const gpu = opts.gpu ?? (await defaultGpu(opts.dawnFlags ?? []));
  let adapter: GPUAdapter | null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference, forceFallbackAdapter: opts.forceFallbackAdapter });
  } catch (e) {
    throw new DiagnosticError([error(WEBGPU_CODES.NO_ADAPTER, `WebGPU could not look for an adapter: ${messageOf(e)}`, undefined, { hint: NO_ADAPTER_HINT })]);
  }
  if (!adapter) {
    throw new DiagnosticError([
      error(WEBGPU_CODES.NO_ADAPTER, 'no WebGPU adapter found: this machine has no GPU driver WebGPU can use, and no CPU implementation', undefined, {
        hint: NO_ADAPTER_HINT,
      }),
    ]);
  }
  // subgroups: the conv and dense kernels share operand loads across a subgroup where it exists.
  const wanted: GPUFeatureName[] = ['timestamp-query', 'subgroups', ...(opts.optionalFeatures ?? [])];
  const requiredFeatures = wanted.filter((f, i) => adapter.features.has(f) && wanted.indexOf(f) === i);
  const requiredLimits: Record<string, number> = {};
  for (const name of REQUESTED_LIMITS) {
    const v = (adapter.limits as unknown as Record<string, unknown>)[name];
    if (typeof v === 'number') requiredLimits[name] = v;
  }
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ label: opts.label ?? 'lpc', requiredFeatures, requiredLimits });
  } catch (e) {
    throw new DiagnosticError([
      error(WEBGPU_CODES.DEVICE_REQUEST_FAILED, `the WebGPU adapter refused to create a device: ${messageOf(e)}`, undefined, {
        hint: 'update the GPU driver (or Mesa), or run with `--backend cpu`',
      }),
    ]);
  }
  liveDevices.set(device, gpu);
  let destroyed = false;
  const lost = device.lost.then((info) => {
    liveDevices.delete(device);
    if (destroyed || info.reason === 'destroyed') return undefined;
    return error(WEBGPU_CODES.DEVICE_LOST, `the GPU device was lost: ${info.message || 'no reason given'}`, undefined, {
      hint: 'run again; if it repeats, use a smaller batch or `--backend cpu`',
    });
  });
  const capabilities = readCapabilities(gpu, adapter, device);
  return {
    gpu,
    adapter,
    device,
    capabilities,
    wgsl: wgslCapabilities(capabilities),
    lost,
    destroy() {
      destroyed = true;
      device.destroy();
    },
  };
}

/** Like acquireDevice, but returns the diagnostics instead of throwing (for `--backend` selection). */
export async function tryAcquireDevice(opts: AcquireOptions = {}): Promise<{ ok: true; device: LpcDevice } | { ok: false; diagnostics: Diagnostic[] }> {
  try {
    return { ok: true, device: await acquireDevice(opts) };
  } catch (e) {
    if (e instanceof DiagnosticError) return { ok: false, diagnostics: e.diagnostics };
    return { ok: false, diagnostics: [error(WEBGPU_CODES.WEBGPU_UNAVAILABLE, `WebGPU failed to start: ${messageOf(e)}`, undefined, { hint: NO_ADAPTER_HINT })] };
  }
}

async function defaultGpu(dawnFlags: readonly string[]): Promise<GPU> {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  if (nav?.gpu) return nav.gpu;
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (!isNode) {
    throw new DiagnosticError([
      error(WEBGPU_CODES.WEBGPU_UNAVAILABLE, 'this browser does not offer WebGPU (navigator.gpu is missing)', undefined, {
        hint: 'use a browser with WebGPU enabled, or the CPU backend',
      }),
    ]);
  }
  try {
    const { nodeGpu } = await import('./node-gpu.js');
    return nodeGpu(dawnFlags);
  } catch (e) {
    throw new DiagnosticError([
      error(WEBGPU_CODES.WEBGPU_UNAVAILABLE, `the \`webgpu\` package (Dawn for Node) could not be loaded: ${messageOf(e)}`, undefined, {
        hint: 'run `npm install` so the `webgpu` package and its native module are present, or run with `--backend cpu`',
      }),
    ]);
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
