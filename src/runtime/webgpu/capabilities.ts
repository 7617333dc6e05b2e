import type { WgslCapabilities } from '../../codegen/wgsl/lib/capabilities.js';

/**
 * What a device can do, read once when it is acquired: the features enabled on it, its limits
 * (the adapter's best values, which device.ts requests), the WGSL language features of the
 * implementation, the adapter's identity, and whether it is a CPU implementation (lavapipe,
 * SwiftShader), where kernels favour register tiles and few barriers.
 */
export interface AdapterIdentity {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
}

export interface DeviceCapabilities {
  features: ReadonlySet<string>;
  limits: Readonly<Record<string, number>>;
  wgslLanguageFeatures: ReadonlySet<string>;
  adapter: AdapterIdentity;
  isCpuAdapter: boolean;
  /** The device has `timestamp-query` enabled (per-layer timing). */
  timestampQuery: boolean;
  /** The adapter's smallest subgroup size (adapter.info.subgroupMinSize), when it reports one. */
  subgroupMinSize?: number;
}

/** Limits lpc raises to the adapter's values when it requests a device. */
export const REQUESTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupSizeZ',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxUniformBufferBindingSize',
  'maxBindingsPerBindGroup',
  'maxBindGroups',
] as const;

const CPU_ADAPTER_PATTERN = /llvmpipe|lavapipe|swiftshader|software rasterizer|\bcpu\b/i;

export function readLimits(limits: GPUSupportedLimits): Record<string, number> {
  const out: Record<string, number> = {};
  // The limits are getters on the prototype: for...in sees them, Object.keys does not.
  for (const k in limits) {
    const v = (limits as unknown as Record<string, unknown>)[k];
    if (typeof v === 'number') out[k] = v;
  }
  return out;
}

export function adapterIdentity(adapter: GPUAdapter): AdapterIdentity {
  const info = adapter.info as GPUAdapterInfo | undefined;
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
  };
}

/** Heuristic: the adapter says it is a fallback adapter, or its names are those of a CPU implementation. */
export function looksLikeCpuAdapter(adapter: GPUAdapter): boolean {
  const info = adapter.info as (GPUAdapterInfo & { isFallbackAdapter?: boolean }) | undefined;
  const legacy = (adapter as GPUAdapter & { isFallbackAdapter?: boolean }).isFallbackAdapter;
  if (info?.isFallbackAdapter === true || legacy === true) return true;
  const id = adapterIdentity(adapter);
  return CPU_ADAPTER_PATTERN.test(`${id.vendor} ${id.architecture} ${id.device} ${id.description}`);
}

export function readCapabilities(gpu: GPU, adapter: GPUAdapter, device: GPUDevice): DeviceCapabilities {
  const features = new Set<string>(device.features as unknown as Iterable<string>);
  const wgsl = (gpu as GPU & { wgslLanguageFeatures?: Iterable<string> }).wgslLanguageFeatures;
  return {
    features,
    limits: readLimits(device.limits),
    wgslLanguageFeatures: new Set<string>(wgsl ?? []),
    adapter: adapterIdentity(adapter),
    isCpuAdapter: looksLikeCpuAdapter(adapter),
    timestampQuery: features.has('timestamp-query'),
    ...subgroupSizeOf(adapter),
  };
}

function subgroupSizeOf(adapter: GPUAdapter): { subgroupMinSize?: number } {
  const size = (adapter.info as (GPUAdapterInfo & { subgroupMinSize?: number }) | undefined)?.subgroupMinSize;
  return typeof size === 'number' && size > 0 ? { subgroupMinSize: size } : {};
}

/** What the WGSL library may assume on this device. */
export function wgslCapabilities(c: DeviceCapabilities): WgslCapabilities {
  const l = c.limits;
  return {
    languageFeatures: c.wgslLanguageFeatures,
    features: c.features,
    maxComputeWorkgroupStorageSize: l.maxComputeWorkgroupStorageSize ?? 16384,
    maxComputeInvocationsPerWorkgroup: l.maxComputeInvocationsPerWorkgroup ?? 256,
    maxComputeWorkgroupSizeX: l.maxComputeWorkgroupSizeX ?? 256,
    maxComputeWorkgroupSizeY: l.maxComputeWorkgroupSizeY ?? 256,
    maxComputeWorkgroupSizeZ: l.maxComputeWorkgroupSizeZ ?? 64,
    maxStorageBuffersPerShaderStage: l.maxStorageBuffersPerShaderStage ?? 8,
    maxStorageBufferBindingSize: l.maxStorageBufferBindingSize ?? 134217728,
    maxComputeWorkgroupsPerDimension: l.maxComputeWorkgroupsPerDimension ?? 65535,
    cpuAdapter: c.isCpuAdapter,
    ...(c.subgroupMinSize !== undefined ? { subgroupMinSize: c.subgroupMinSize } : {}),
  };
}

/** A few lines for `lpc info --gpu` and bug reports. */
export function describeCapabilities(c: DeviceCapabilities): string {
  const a = c.adapter;
  const name = [a.description || a.device, a.vendor && `vendor ${a.vendor}`, a.architecture && `architecture ${a.architecture}`].filter(Boolean).join(', ');
  const mib = (n: number | undefined) => (n === undefined ? '?' : `${Math.round(n / 2 ** 20)} MiB`);
  return [
    `adapter: ${name || 'unknown'}${c.isCpuAdapter ? ' (CPU implementation)' : ''}`,
    `max storage binding: ${mib(c.limits.maxStorageBufferBindingSize)}, max buffer: ${mib(c.limits.maxBufferSize)}, workgroup memory: ${c.limits.maxComputeWorkgroupStorageSize ?? '?'} bytes, invocations per workgroup: ${c.limits.maxComputeInvocationsPerWorkgroup ?? '?'}`,
    `features: ${[...c.features].sort().join(', ') || 'none'}`,
    `WGSL language features: ${[...c.wgslLanguageFeatures].sort().join(', ') || 'none'}`,
  ].join('\n');
}
